import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import type { OAuth2 } from 'oauth';
import nock from 'nock';
import { redact } from '../lib/errors';
import { requestJSON } from '../lib/http/request';
import {
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudTokenParams,
  parseProfile,
  refreshAccessToken,
} from '../lib/index';
import { startFattureInCloudStandIn } from '../lib/testing/index';
import { asFattureInCloudError, BASE, CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, CODE, expectNoSecrets, fixture, runStrategy } from './helpers';
import { serve, serveRaw } from './support/loopback';

/** Regression tests for the adversarial review of 0.1: one block per finding. */

const ACCESS = 'a/hardening-access-token-0001';
const REFRESH = 'r/hardening-refresh-token-0002';
const SECRETS = [CLIENT_SECRET, CODE, ACCESS, REFRESH];
const tokens = { token_type: 'bearer', access_token: ACCESS, refresh_token: REFRESH, expires_in: 86400 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function strategyAt(baseURL: string, options: { timeout?: number; customHeaders?: Record<string, string> } = {}) {
  return new FattureInCloudStrategy(
    { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, baseURL, state: false, timeout: 300, ...options },
    (_a, _r, profile, done) => done(null, { profile }),
  );
}

async function loginError(strategy: FattureInCloudStrategy) {
  const outcome = await runStrategy(strategy, { query: { code: CODE } });
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  expectNoSecrets(outcome.error, SECRETS);
  return asFattureInCloudError(outcome.error);
}

/** passport-oauth2 keeps its client protected; some apps reach for it all the same. */
function oauth2Of(strategy: FattureInCloudStrategy): OAuth2 {
  return (strategy as unknown as { _oauth2: OAuth2 })._oauth2;
}

function profileOf(strategy: FattureInCloudStrategy, accessToken: string): Promise<{ error: unknown; profile: unknown }> {
  return new Promise((resolve) => strategy.userProfile(accessToken, (error, profile) => resolve({ error, profile })));
}

describe('hardening: what the adversarial review broke', () => {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  afterEach(() => nock.cleanAll());

  describe('1. a token Node cannot put in a header', () => {
    for (const [name, token] of [
      ['a newline', 'a/abc\nInjected: yes'],
      ['U+2028', 'a/abc\u2028def'],
      ['a character above U+00FF', 'a/abc\u0100def'],
    ] as const) {
      it(`refuses an access_token with ${name} from the provider, and nothing fires later`, async () => {
        nock(BASE).post('/oauth/token').reply(200, { ...tokens, access_token: token });
        const error = await loginError(strategyAt(BASE));
        expect(error).to.include({ code: 'invalid_response', status: 200 });
        expect(error.message).to.include('access_token that is not printable ASCII');
        // The old helper's timer fired after 300 ms and threw a ReferenceError.
        await sleep(400);
      });

      it(`refuses an access token with ${name} from the app with a TypeError, before any request`, async () => {
        const { error } = await profileOf(strategyAt(BASE), token);
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.match(/not printable ASCII/);
        expect((error as Error).message).not.to.include('abc');
        await sleep(400);
      });
    }

    it('turns a header Node refuses into a FattureInCloudError inside the promise, with no timer left behind', async () => {
      const request = { method: 'GET' as const, url: `${BASE}/user/info`, headers: { 'X-Bad': 'a\nb' }, timeout: 50, secrets: [] };
      const error = await requestJSON(request, () => undefined).catch((caught: unknown) => caught);
      expect(asFattureInCloudError(error).code).to.equal('request_error');
      expect((error as Error).message).to.include('ERR_INVALID_CHAR');
      await sleep(100);
    });

    it('refuses customHeaders Node cannot send at construction', () => {
      expect(() => strategyAt(BASE, { customHeaders: { 'X-Trace': 'a\r\nb' } })).to.throw(TypeError, /customHeaders holds a header Node cannot send/);
      expect(() => strategyAt(BASE, { customHeaders: { 'Bad Name': 'x' } })).to.throw(TypeError, /customHeaders holds a header Node cannot send/);
      expect(() => strategyAt(BASE, { customHeaders: ['X-A: b'] as never })).to.throw(TypeError, /customHeaders must be an object/);
      expect(() => strategyAt(BASE, { customHeaders: { 'X-A': { nested: true } } as never })).to.throw(TypeError, /customHeaders\["X-A"\] must be a string, got an object/);
    });
  });

  describe('2. bytes received never ride along in error.cause', () => {
    it('keeps no parser error (rawPacket) when a token response is followed by junk', async () => {
      const body = JSON.stringify(tokens);
      const { baseURL, close } = await serveRaw(
        () => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length - 10}\r\n\r\n${body}JUNK\r\n\r\n`,
      );
      try {
        const error = await loginError(strategyAt(baseURL));
        expect(error.code).to.be.oneOf(['network_error', 'invalid_response']);
        const cause = error.cause as Record<string, unknown> | undefined;
        expect(JSON.stringify(cause ?? {})).not.to.match(/[ar]\/hardening/);
        expect(cause).not.to.have.property('rawPacket');
      } finally {
        await close();
      }
    });

    it('keeps the system code of a network failure, in an error of its own', async () => {
      nock(BASE).post('/oauth/token').replyWithError(Object.assign(new Error(`reset while reading ${REFRESH}`), { code: 'ECONNRESET', rawPacket: Buffer.from(ACCESS) }));
      const error = await loginError(strategyAt(BASE));
      expect(error.message).to.include('ECONNRESET');
      expect(error.cause).to.include({ code: 'ECONNRESET' });
      expect(Object.keys(error.cause as object)).to.deep.equal(['code']);
    });
  });

  describe('3. one scrubber for every piece of provider text', () => {
    it('catches a token URL-encoded, JSON-escaped, or glued after a word', () => {
      const text = `a r%2Fabcdefghijklmnop b r\\/abcdefghijklmnop c old_r/abcdefghijklmnop d A%2fabcdefghijklmnop`;
      expect(redact(text, [])).to.equal('a [redacted] b [redacted] c old_[redacted] d [redacted]');
    });

    it('catches every secret of the request in its echoed forms', () => {
      const secret = 'se/cr et+1';
      const echoed = [secret, encodeURIComponent(secret), encodeURIComponent(secret).toLowerCase(), JSON.stringify(secret).slice(1, -1), 'se\\/cr et+1'];
      for (const form of echoed) expect(redact(`x ${form} y`, [secret])).to.equal('x [redacted] y');
    });

    it('scrubs the client secret from API errors', async () => {
      nock(BASE).post('/oauth/token').reply(200, tokens);
      nock(BASE).get('/user/info').reply(403, { error: { message: `bad client ${CLIENT_SECRET}`, code: 'NO_PERMISSION' } });
      nock(BASE).get('/user/companies').reply(200, fixture('user-companies'));
      const error = await loginError(strategyAt(BASE));
      expect(error.message).to.include('bad client [redacted]');
    });

    it('quotes the content type of a non-JSON answer scrubbed and bounded', async () => {
      nock(BASE)
        .post('/oauth/token')
        .reply(200, '<html>', { 'Content-Type': `text/html; leak=${CLIENT_SECRET}; token=${encodeURIComponent(REFRESH)}; ${'x'.repeat(5000)}` });
      const error = await loginError(strategyAt(BASE));
      expect(error.code).to.equal('invalid_response');
      expect(error.message.length).to.be.lessThan(600);
      expect(error.message).to.include('leak=[redacted]; token=[redacted]');
    });
  });

  describe('4. hostile JSON', () => {
    it('drops an own __proto__ or constructor key before verify sees params', async () => {
      const body = `{"token_type":"bearer","access_token":"${ACCESS}","refresh_token":"${REFRESH}","expires_in":86400,"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}`;
      nock(BASE).post('/oauth/token').reply(200, body, { 'Content-Type': 'application/json' });
      nock(BASE).get('/user/info').reply(200, '{"data":{"id":1,"\\u005f_proto__":{"isAdmin":true}}}', { 'Content-Type': 'application/json' });
      nock(BASE).get('/user/companies').reply(200, fixture('user-companies'));
      let seen: FattureInCloudTokenParams | undefined;
      let profile: FattureInCloudProfile | undefined;
      const strategy = new FattureInCloudStrategy(
        { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, state: false },
        ((_a: string, _r: string, params: FattureInCloudTokenParams, p: FattureInCloudProfile, done: (e: null, u: object) => void) => {
          seen = params;
          profile = p;
          done(null, {});
        }) as never,
      );
      expect((await runStrategy(strategy, { query: { code: CODE } })).kind).to.equal('success');
      expect(Object.getOwnPropertyNames(seen)).not.to.include('__proto__');
      expect((Object.assign({}, seen) as { isAdmin?: unknown }).isAdmin).to.equal(undefined);
      expect(seen).not.to.have.own.property('constructor');
      expect((Object.assign({}, profile?._json.user.data) as { isAdmin?: unknown }).isAdmin).to.equal(undefined);
    });

    it('refuses companies nested 20,000 deep as invalid_response, not a RangeError', async () => {
      const nested = '{"id":1,"controlled_companies":['.repeat(20_000) + '{"id":1}' + ']}'.repeat(20_000);
      nock(BASE).post('/oauth/token').reply(200, tokens);
      nock(BASE).get('/user/info').reply(200, fixture('user-info'));
      nock(BASE).get('/user/companies').reply(200, `{"data":{"companies":[${nested}]}}`, { 'Content-Type': 'application/json' });
      const error = await loginError(strategyAt(BASE));
      expect(error.code).to.equal('invalid_response');
      expect(error.message).to.include('nested deeper than 64 levels');
    });

    it('refuses, in parseProfile too, controlled companies nested beyond any real account', () => {
      let nested: Record<string, unknown> = { id: 1 };
      for (let level = 0; level < 12; level++) nested = { id: 1, controlled_companies: [nested] };
      expect(() => parseProfile({ data: { id: 1 } }, { data: { companies: [nested] } })).to.throw(/deeper than 8 levels/);
    });

    it('refuses a user id beyond 2^53, which would be rounded into another user\'s', async () => {
      nock(BASE).post('/oauth/token').reply(200, tokens);
      nock(BASE).get('/user/info').reply(200, '{"data":{"id":9007199254740993}}', { 'Content-Type': 'application/json' });
      nock(BASE).get('/user/companies').reply(200, fixture('user-companies'));
      const error = await loginError(strategyAt(BASE));
      expect(error.code).to.equal('invalid_response');
      expect(error.message).to.include('data.id should be a whole number below 2^53');
    });

    for (const expiresIn of ['0x10', 1e13, 1e300, '1e3', ' 60', 'Infinity']) {
      it(`refuses expires_in ${JSON.stringify(expiresIn)}`, async () => {
        nock(BASE).post('/oauth/token').reply(200, { ...tokens, expires_in: expiresIn });
        const error = await loginError(strategyAt(BASE));
        expect(error).to.include({ code: 'invalid_response' });
        expect(error.message).to.include('expires_in of decimal seconds');
      });
    }

    it('accepts expires_in as decimal seconds, number or string', async () => {
      nock(BASE).post('/oauth/token').reply(200, { ...tokens, expires_in: '86400' });
      const set = await refreshAccessToken({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET }, REFRESH);
      expect(set.expiresIn).to.equal(86400);
      expect(new Date(set.expiresAt).toISOString()).to.be.a('string');
    });
  });

  describe('5. the shared refresh flight matches the caller', () => {
    it('does not hand a caller with another secret the rightful caller\'s tokens', async () => {
      nock(BASE).post('/oauth/token', (body: Record<string, string>) => body.client_secret === CLIENT_SECRET).delay(50).reply(200, tokens);
      nock(BASE)
        .post('/oauth/token', (body: Record<string, string>) => body.client_secret === 'wrong-secret')
        .reply(401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
      const [rightful, intruder] = await Promise.allSettled([
        refreshAccessToken({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET }, 'r/shared-flight-token-1'),
        refreshAccessToken({ clientID: CLIENT_ID, clientSecret: 'wrong-secret' }, 'r/shared-flight-token-1'),
      ]);
      expect(rightful.status === 'fulfilled' && rightful.value.accessToken).to.equal(ACCESS);
      expect(intruder.status === 'rejected' && (intruder.reason as { code: string }).code).to.equal('invalid_client');
    });

    it('gives each caller its own deadline', async () => {
      const scope = nock(BASE).post('/oauth/token').delay(300).reply(200, tokens);
      const options = { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET };
      const [patient, hasty] = await Promise.allSettled([
        refreshAccessToken({ ...options, timeout: 50 }, 'r/shared-flight-token-2'),
        refreshAccessToken({ ...options, timeout: 5000 }, 'r/shared-flight-token-2'),
      ]);
      expect(patient.status === 'rejected' && (patient.reason as { code: string }).code).to.equal('timeout');
      expect(hasty.status === 'fulfilled' && hasty.value.accessToken).to.equal(ACCESS);
      expect(scope.isDone()).to.equal(true);
    });
  });

  describe('6. baseURL', () => {
    const make = (baseURL: string) => () => strategyAt(baseURL);
    it('refuses credentials in it without echoing them', () => {
      expect(make('https://user:hunter2@api.example.com')).to.throw(TypeError, /must not hold credentials/);
      try {
        make('https://user:hunter2@api.example.com')();
      } catch (error) {
        expect((error as Error).message).not.to.include('hunter2');
      }
    });
    it('refuses a query and a fragment', () => {
      expect(make('https://api.example.com/api?key=1')).to.throw(TypeError, /query or a fragment/);
      expect(make('https://api.example.com/api#frag')).to.throw(TypeError, /query or a fragment/);
      expect(make('https://api.example.com/api?')).to.throw(TypeError, /query or a fragment/);
    });
  });

  describe('7. keep-alive sockets the server already closed', () => {
    // nock's interceptor hands every request a socket of its own: real sockets need it out of the way.
    before(() => nock.restore());
    after(() => nock.activate());

    /** Answers the first request on each socket; drops the socket on any later one, as a server whose idle timeout passed. */
    function dropReusedSockets(answer: (req: IncomingMessage) => object) {
      const seen = new WeakMap<Socket, number>();
      let attempts = 0;
      return {
        attempts: () => attempts,
        handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => {
          attempts++;
          const count = (seen.get(req.socket) ?? 0) + 1;
          seen.set(req.socket, count);
          if (count > 1) req.socket.destroy();
          else res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'keep-alive' }).end(JSON.stringify(answer(req)));
        },
      };
    }

    it('sends a GET once more when it failed on a reused socket before any answer', async () => {
      const server = dropReusedSockets((req) => (req.url === '/user/info' ? fixture('user-info') : fixture('user-companies')));
      const { baseURL, close } = await serve(server.handler);
      try {
        const strategy = strategyAt(baseURL, { timeout: 2000 });
        expect((await profileOf(strategy, ACCESS)).error).to.equal(null);
        await sleep(20); // both sockets back in the agent's free pool
        const second = await profileOf(strategy, ACCESS);
        expect(second.error).to.equal(null);
        expect((second.profile as FattureInCloudProfile).id).to.equal('12345');
        // 2 first calls, 2 on reused sockets the server dropped, 2 retries on new ones.
        expect(server.attempts()).to.equal(6);
      } finally {
        await close();
      }
    });

    it('never sends a token POST twice', async () => {
      const server = dropReusedSockets(() => tokens);
      const { baseURL, close } = await serve(server.handler);
      try {
        const options = { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, baseURL, timeout: 2000 };
        await refreshAccessToken(options, 'r/keep-alive-token-1');
        await sleep(20);
        const error = await refreshAccessToken(options, 'r/keep-alive-token-2').catch((caught: unknown) => caught);
        expect(asFattureInCloudError(error).code).to.equal('network_error');
        expect(server.attempts()).to.equal(2);
      } finally {
        await close();
      }
    });
  });

  describe('8. options that were silently ignored', () => {
    it('sends customHeaders on the token request and the profile calls', async () => {
      const scopes = [
        nock(BASE).post('/oauth/token').matchHeader('x-tenant', 'acme').reply(200, tokens),
        nock(BASE).get('/user/info').matchHeader('x-tenant', 'acme').reply(200, fixture('user-info')),
        nock(BASE).get('/user/companies').matchHeader('x-tenant', 'acme').reply(200, fixture('user-companies')),
      ];
      const outcome = await runStrategy(strategyAt(BASE, { customHeaders: { 'X-Tenant': 'acme' } }), { query: { code: CODE } });
      expect(outcome.kind).to.equal('success');
      for (const scope of scopes) expect(scope.isDone()).to.equal(true);
    });

    it('gives oauth2Of(strategy).get() the strategy\'s timeout and headers', async () => {
      nock(BASE).get('/c/1/info').matchHeader('authorization', `Bearer ${ACCESS}`).matchHeader('x-tenant', 'acme').delay(500).reply(200, '{}');
      const strategy = strategyAt(BASE, { timeout: 100, customHeaders: { 'X-Tenant': 'acme' } });
      const started = Date.now();
      const error = await new Promise((resolve) => oauth2Of(strategy).get(`${BASE}/c/1/info`, ACCESS, (caught) => resolve(caught)));
      expect(asFattureInCloudError(error).code).to.equal('timeout');
      expect(Date.now() - started).to.be.lessThan(400);
    });

    it('passes the body of oauth2Of(strategy).get() through, and a non-2xx as an error with its status', async () => {
      nock(BASE).get('/c/1/info').reply(200, '{"data":1}');
      nock(BASE).get('/c/2/info').reply(404, '{}');
      const strategy = strategyAt(BASE);
      const get = (path: string) =>
        new Promise<[unknown, unknown]>((resolve) => oauth2Of(strategy).get(`${BASE}${path}`, ACCESS, (error, body) => resolve([error, body])));
      expect(await get('/c/1/info')).to.deep.equal([null, '{"data":1}']);
      const [error] = await get('/c/2/info');
      expect(asFattureInCloudError(error)).to.include({ status: 404, code: 'http_error' });
    });
  });

  describe('11. the stand-in', () => {
    it('forgets unused authorization codes once they expire', async () => {
      const redirectURI = 'http://localhost:3000/cb';
      const standIn = await startFattureInCloudStandIn({ redirectURI });
      try {
        const approve = () =>
          fetch(`${standIn.baseURL}/oauth/authorize`, {
            method: 'POST',
            body: new URLSearchParams({ client_id: standIn.clientID, redirect_uri: redirectURI, decision: 'approve' }),
            redirect: 'manual',
          }).then((response) => response.arrayBuffer());
        for (let index = 0; index < 300; index++) await approve();
        expect(standIn.pendingCodes).to.equal(300);
        standIn.advanceClock(61_000);
        await approve();
        expect(standIn.pendingCodes).to.equal(1);
      } finally {
        await standIn.close();
      }
    });
  });
});
