import { type Client, ClientsApi, UserApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { FattureInCloudAPIError, FattureInCloudError, FattureInCloudTokenError, FattureInCloudTokens, type FattureInCloudTokenSet, type RateLimitInfo } from '../lib/index';
import { fattureInCloudSDK, type FattureInCloudSDKOptions, type RetryNotice } from '../lib/sdk/index';
import { clientsOf } from '../lib/testing/api/samples';
import type { FattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets, serializations } from './helpers';
import { serve } from './support/loopback';
import { expiring, signedInUser } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const COMPANY = 12345;
const USER = 'user-1';

/** Over real loopback HTTP: the official SDK, through the binding, against the stand-in's answers and faults. */
describe('fattureInCloudSDK: the official SDK bound to the token store', () => {
  let standIn: FattureInCloudStandIn;
  let tokens: FattureInCloudTokens;
  let initial: FattureInCloudTokenSet;

  beforeEach(async () => {
    ({ standIn, tokens, initial } = await signedInUser(REDIRECT, USER));
  });
  afterEach(() => standIn.close());

  function sdk(options: Partial<FattureInCloudSDKOptions> = {}) {
    return fattureInCloudSDK({ tokens, key: USER, ...options });
  }

  async function listClients(options: Partial<FattureInCloudSDKOptions> = {}): Promise<Client[]> {
    const { data } = await sdk(options).api(ClientsApi).listClients(COMPANY);
    return data.data ?? [];
  }

  async function rejection(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      () => expect.fail('the call should have failed'),
      (error: unknown) => error,
    );
  }

  /** Every secret the test knows of: the stand-in's client secret and every token the user had. */
  async function secrets(): Promise<string[]> {
    const current = await tokens.store.read(USER);
    return [standIn.clientSecret, initial.accessToken, initial.refreshToken, current?.tokens.accessToken ?? '', current?.tokens.refreshToken ?? ''].filter(Boolean);
  }

  it('calls the API with the stored set, against the stand-in named by tokens', async () => {
    const names = (await listClients()).map((client) => client.name);
    expect(names).to.deep.equal(clientsOf(COMPANY).map((client) => client.name));
    expect(standIn.stats.tokenRequests).to.equal(1); // the login's exchange
  });

  it('refreshes an expiring set before the call, once for 20 concurrent calls', async () => {
    await tokens.save(USER, expiring(initial));
    const before = standIn.stats.tokenRequests;
    const lists = await Promise.all(Array.from({ length: 20 }, () => listClients()));
    expect(lists.every((list) => list.length === 3)).to.equal(true);
    expect(standIn.stats.tokenRequests - before).to.equal(1);
    expect((await tokens.store.read(USER))?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
  });

  it('takes a fresh token for every call: one API object outlives an expiry', async () => {
    const clients = sdk().api(ClientsApi);
    await clients.listClients(COMPANY);
    standIn.advanceClock(86_400_000);
    await tokens.save(USER, expiring(initial));
    const before = standIn.stats.tokenRequests;
    const { data } = await clients.listClients(COMPANY);
    expect(data.data).to.have.length(3);
    expect(standIn.stats.tokenRequests - before).to.equal(1);
  });

  it('recovers from a 401 once: 20 concurrent calls whose token was revoked make one token request, and all succeed', async () => {
    standIn.revokeAccessToken(initial.accessToken);
    const before = standIn.stats.tokenRequests;
    const lists = await Promise.all(Array.from({ length: 20 }, () => listClients()));
    expect(lists.every((list) => list.length === 3)).to.equal(true);
    expect(standIn.stats.tokenRequests - before).to.equal(1);
    expect(standIn.stats.faults.unauthorized).to.equal(20);
  });

  it('uses a set someone else already put in place of the one that got 401, with no token request', async () => {
    const retries: RetryNotice[] = [];
    const client = sdk({ onRetry: (notice) => retries.push(notice) });
    // Another process refreshed after this call read its token.
    const replaced = await tokens.refresh(USER);
    const before = standIn.stats.tokenRequests;
    standIn.failNext(1, { type: 'unauthorized' });
    const { data } = await client.axios.get<{ data: Client[] }>(`/c/${COMPANY}/entities/clients`, { headers: { Authorization: `Bearer ${initial.accessToken}` } });
    expect(data.data).to.have.length(3);
    expect(standIn.stats.tokenRequests - before).to.equal(0);
    expect(retries).to.deep.equal([{ reason: 'unauthorized', waitMs: 0, method: 'GET', path: `/c/${COMPANY}/entities/clients` }]);
    expect((await tokens.get(USER))?.accessToken).to.equal(replaced?.accessToken);
  });

  it('recovers only once: a second 401 is an API error with no token in it', async () => {
    standIn.failNext(2, { type: 'unauthorized' });
    const error = await rejection(listClients());
    expect(error).to.be.instanceOf(FattureInCloudAPIError);
    expect(error).to.include({ status: 401, code: 'UNAUTHORIZED' });
    expect(standIn.stats.faults.unauthorized).to.equal(2);
    expectNoSecrets(error, await secrets());
  });

  it('a dead grant asks the user to log in again, and later calls make no request', async () => {
    await tokens.save(USER, expiring(initial));
    standIn.revokeRefreshToken(initial.refreshToken);
    const error = await rejection(listClients());
    expect(error).to.be.instanceOf(FattureInCloudTokenError);
    expect(error).to.include({ code: 'invalid_grant' });
    expect((error as Error).message).to.match(/must authorize the app again/);
    const requests = { ...standIn.stats, faults: undefined };
    expect(await rejection(listClients())).to.include({ code: 'invalid_grant' });
    expect({ ...standIn.stats, faults: undefined }).to.deep.equal(requests);
  });

  it('nothing stored under the key is no_token_set, before any request', async () => {
    const before = standIn.stats.apiRequests;
    const error = await rejection(sdk({ key: 'nobody' }).api(ClientsApi).listClients(COMPANY));
    expect(error).to.be.instanceOf(FattureInCloudTokenError);
    expect(error).to.include({ code: 'no_token_set' });
    expect((error as Error).message).to.match(/must log in/);
    expect(standIn.stats.apiRequests).to.equal(before);
  });

  it('waits out a 429 (Retry-After plus a little jitter) and then succeeds', async () => {
    standIn.failNext(1, { type: 'rate-limited', retryAfter: 1 });
    const retries: RetryNotice[] = [];
    const started = Date.now();
    expect(await listClients({ onRetry: (notice) => retries.push(notice) })).to.have.length(3);
    expect(Date.now() - started).to.be.at.least(1000);
    expect(retries).to.have.length(1);
    expect(retries[0]).to.include({ reason: 'rate-limited', method: 'GET' });
    expect(retries[0]!.waitMs).to.be.within(1000, 1250);
    expect(standIn.stats.faults['rate-limited']).to.equal(1);
  });

  it('a 429 is retried for a POST too: Fatture in Cloud refused it, so nothing was created', async () => {
    standIn.failNext(1, { type: 'rate-limited', retryAfter: 0 });
    const { data } = await sdk().api(ClientsApi).createClient(COMPANY, { data: { name: 'Nuovo Cliente S.r.l.' } });
    expect(data.data?.name).to.equal('Nuovo Cliente S.r.l.');
    expect(standIn.stats.apiRequests).to.equal(2);
    expect((await listClients()).map((client) => client.name)).to.include('Nuovo Cliente S.r.l.').and.have.length(4);
  });

  it('a 429 past the retry budget is an API error with retryAfter', async () => {
    standIn.failNext(3, { type: 'rate-limited', retryAfter: 0 });
    const error = await rejection(listClients());
    expect(error).to.be.instanceOf(FattureInCloudAPIError);
    expect(error).to.include({ status: 429, code: 'TOO_MANY_REQUESTS', retryAfter: 0 });
    expect(standIn.stats.faults['rate-limited']).to.equal(3); // the first try and the 2 retries of the default budget
    expectNoSecrets(error, await secrets());
  });

  it('a Retry-After longer than maxWait is not waited at all', async () => {
    standIn.failNext(1, { type: 'rate-limited', retryAfter: 60 });
    const started = Date.now();
    const error = await rejection(listClients({ retry: { maxWait: 5_000 } }));
    expect(Date.now() - started).to.be.below(1000);
    expect(error).to.include({ status: 429, retryAfter: 60 });
  });

  it('a used-up quota (403) is not retried', async () => {
    standIn.failNext(1, { type: 'quota-exceeded', period: 'hourly' });
    const error = await rejection(listClients());
    expect(error).to.be.instanceOf(FattureInCloudAPIError);
    expect(error).to.include({ status: 403, code: 'QUOTA_EXCEEDED', retryAfter: 3600 });
    expect(standIn.stats.apiRequests).to.equal(1);
  });

  it('a 503 is retried once for a GET, and never for a POST', async () => {
    standIn.failNext(1, { type: 'unavailable', status: 503 });
    expect(await listClients()).to.have.length(3);
    expect(standIn.stats.apiRequests).to.equal(2);
    standIn.failNext(2, { type: 'unavailable', status: 502 });
    expect(await rejection(listClients())).to.include({ status: 502 });
    expect(standIn.stats.apiRequests).to.equal(4);
    standIn.failNext(1, { type: 'unavailable', status: 503 });
    const error = await rejection(sdk().api(ClientsApi).createClient(COMPANY, { data: { name: 'Nuovo' } }));
    expect(error).to.include({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(standIn.stats.apiRequests).to.equal(5);
    expect(await listClients()).to.have.length(3);
  });

  it('a reset connection is retried once for a GET; the second is a network_error of ours', async () => {
    standIn.failNext(1, { type: 'reset' });
    expect(await listClients()).to.have.length(3);
    standIn.failNext(2, { type: 'reset' });
    const error = await rejection(listClients());
    expect(error).to.be.instanceOf(FattureInCloudError).and.not.to.be.instanceOf(FattureInCloudAPIError);
    expect(error).to.include({ code: 'network_error' });
    expect(standIn.stats.faults.reset).to.equal(3);
    expectNoSecrets(error, await secrets());
  });

  it('reports the RateLimit counters of every answer', async () => {
    const seen: RateLimitInfo[] = [];
    await listClients({ onRateLimit: (info) => seen.push(info) });
    expect(seen).to.deep.equal([{ hourlyRemaining: 999, hourlyLimit: 1000, monthlyRemaining: 39999, monthlyLimit: 40000 }]);
  });

  it('works for any API class, and for requests through its axios', async () => {
    const fic = sdk();
    const { data } = await fic.api(UserApi).getUserInfo();
    expect(data.data?.name).to.equal('Mario Rossi');
    const raw = await fic.axios.get<{ data: { companies: unknown[] } }>('/user/companies');
    expect(raw.data.data.companies).to.have.length(1);
    expect(typeof fic.configuration.accessToken).to.equal('function');
  });

  it('bounds every attempt by timeout', async () => {
    standIn.latency = 500;
    const error = await rejection(listClients({ timeout: 100 }));
    expect(error).to.be.instanceOf(FattureInCloudError);
    expect(error).to.include({ code: 'timeout' });
    expect((error as Error).message).to.equal(`Fatture in Cloud did not answer GET /c/${COMPANY}/entities/clients within 100 ms (timeout)`);
  });

  it('an aborted call rejects with the signal\'s AbortError, also while it waits out a 429', async () => {
    standIn.failNext(1, { type: 'rate-limited', retryAfter: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await rejection(sdk().api(ClientsApi).listClients(COMPANY, undefined, undefined, undefined, undefined, undefined, undefined, { signal: controller.signal }));
    expect(Date.now() - started).to.be.below(1000);
    expect(error).to.include({ name: 'AbortError' });
  });

  it('never holds a token: every error form, with an API that echoes the Authorization header', async () => {
    const echo = await serve((req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json', 'Retry-After': '0' });
      res.end(JSON.stringify({ error: { message: `bad header ${req.headers.authorization ?? ''}`, code: 'ECHO' } }));
    });
    try {
      const error = await rejection(listClients({ baseURL: echo.baseURL }));
      expect(error).to.be.instanceOf(FattureInCloudAPIError);
      expect(error).to.include({ status: 500, code: 'ECHO' });
      expect((error as Error).message).to.include('bad header Bearer [redacted]');
      expectNoSecrets(error, await secrets());
      expect(serializations(error)).not.to.match(/config|Authorization/i);
    } finally {
      await echo.close();
    }
  });

  it('refuses bad options at once, naming what is wrong', () => {
    expect(() => fattureInCloudSDK(undefined as unknown as FattureInCloudSDKOptions)).to.throw(TypeError, /needs options/);
    expect(() => sdk({ tokens: {} as unknown as FattureInCloudTokens })).to.throw(TypeError, /tokens must be a FattureInCloudTokens/);
    expect(() => sdk({ key: '' })).to.throw(TypeError, /key must be the non-empty key/);
    expect(() => sdk({ timeout: 0 })).to.throw(TypeError, /timeout must be a positive number/);
    expect(() => sdk({ retry: { rateLimited: -1 } })).to.throw(TypeError, /retry.rateLimited/);
    expect(() => sdk({ retry: { maxWait: Number.NaN } })).to.throw(TypeError, /retry.maxWait/);
    expect(() => sdk({ retry: 3 as unknown as FattureInCloudSDKOptions['retry'] })).to.throw(TypeError, /retry must be an object/);
    expect(() => sdk({ baseURL: 'https://user:pw@example.com' })).to.throw(TypeError, /credentials/);
    expect(() => sdk({ onRetry: 'log' as unknown as FattureInCloudSDKOptions['onRetry'] })).to.throw(TypeError, /onRetry must be a function/);
    expect(() => sdk().api('ClientsApi' as unknown as typeof ClientsApi)).to.throw(TypeError, /one of the SDK's API classes/);
  });

  it('a throwing onRateLimit does not fail the call; its exception is reported on its own tick', async () => {
    const uncaught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => uncaught.push(error));
    try {
      const list = await listClients({ onRateLimit: () => { throw new Error('logger down'); } });
      await new Promise((resolve) => setImmediate(resolve));
      expect(list).to.have.length(3);
      expect(uncaught).to.have.length(1);
      expect(uncaught[0]).to.have.property('message', 'logger down');
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
  });
});
