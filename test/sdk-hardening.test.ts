import { inspect } from 'node:util';
import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { FattureInCloudAPIError, FattureInCloudError, FattureInCloudTokens, type FattureInCloudTokenSet } from '../lib/index';
import { fattureInCloudSDK } from '../lib/sdk/index';
import type { FattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { serve } from './support/loopback';
import { signedInUser } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const USER = 'user-1';

/** The user's token goes only to Fatture in Cloud, every attempt is bounded, and no answer holds the token. */
describe('fattureInCloudSDK: tokens only to its origin, every attempt bounded', () => {
  let standIn: FattureInCloudStandIn;
  let tokens: FattureInCloudTokens;
  let initial: FattureInCloudTokenSet;

  beforeEach(async () => {
    ({ standIn, tokens, initial } = await signedInUser(REDIRECT, USER));
  });
  afterEach(() => standIn.close());

  it('refuses a request to another origin before it is sent, through axios or a per-request baseURL, and spends no refresh', async () => {
    const seen: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401).end();
    });
    try {
      const fic = fattureInCloudSDK({ tokens, key: USER });
      const requests = standIn.stats.tokenRequests;
      for (const call of [fic.axios.get(`${other.baseURL}/c/1/entities/clients`), fic.axios.get('/c/1/entities/clients', { baseURL: other.baseURL })]) {
        const error = await call.catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(FattureInCloudError);
        expect(error).to.include({ code: 'foreign_origin' });
        expect((error as Error).message).to.include(standIn.baseURL);
        expectNoSecrets(error, [initial.accessToken, initial.refreshToken]);
      }
      expect(seen).to.deep.equal([]);
      expect(standIn.stats.tokenRequests).to.equal(requests);
    } finally {
      await other.close();
    }
  });

  it('bounds an attempt body included: a body that trickles past timeout is a timeout within timeout + 100 ms', async () => {
    const trickle = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"data": [');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const fic = fattureInCloudSDK({ tokens, key: USER, baseURL: trickle.baseURL, timeout: 300 });
      const started = performance.now();
      const error = await fic.axios.get('/c/1/entities/clients').catch((caught: unknown) => caught);
      const took = performance.now() - started;
      expect(error).to.include({ code: 'timeout' });
      expect(took).to.be.within(290, 400);
    } finally {
      await trickle.close();
    }
  });

  it('a successful response holds no token: its config is masked and it carries no raw request', async () => {
    const fic = fattureInCloudSDK({ tokens, key: USER });
    const response = await fic.api(ClientsApi).listClients(12345);
    expect(response.status).to.equal(200);
    expect(String(response.config.headers.Authorization)).to.equal('Bearer [redacted]');
    expect(response.request).to.equal(undefined);
    expect(inspect(response, { depth: 10 })).to.not.include(initial.accessToken);
  });

  it('new ClientsApi(fic.configuration), the SDK\'s own pattern, goes through the policy: a 401 recovered, errors without a token', async () => {
    const fic = fattureInCloudSDK({ tokens, key: USER });
    standIn.revokeAccessToken(initial.accessToken);
    const { data } = await new ClientsApi(fic.configuration).listClients(12345);
    expect(data.data?.length).to.be.greaterThan(0);
    standIn.failNext(1, { type: 'quota-exceeded' });
    const error = await new ClientsApi(fic.configuration).createClient(12345, { data: { name: 'x' } }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FattureInCloudAPIError);
    const current = await tokens.get(USER);
    expectNoSecrets(error, [initial.accessToken, current?.accessToken ?? '']);
  });

  it('a Retry-After with more digits than a Number holds is finite, and past maxWait the error comes at once', async () => {
    const huge = await serve((_req, res) => {
      res.writeHead(429, { 'Retry-After': '9'.repeat(400), 'Content-Type': 'application/json' }).end('{"error":{"message":"slow down"}}');
    });
    try {
      const fic = fattureInCloudSDK({ tokens, key: USER, baseURL: huge.baseURL });
      const started = performance.now();
      const error = await fic.axios.get('/c/1/entities/clients').catch((caught: unknown) => caught);
      expect(performance.now() - started).to.be.below(500);
      expect(error).to.be.instanceOf(FattureInCloudAPIError);
      const { retryAfter } = error as FattureInCloudAPIError;
      expect(Number.isFinite(retryAfter)).to.equal(true);
      expect(retryAfter).to.be.greaterThan(30);
    } finally {
      await huge.close();
    }
  });
});
