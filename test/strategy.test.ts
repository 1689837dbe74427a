import { expect } from 'chai';
import nock from 'nock';
import OAuth2Strategy = require('passport-oauth2');
import {
  FattureInCloudError,
  FattureInCloudStrategy,
  FattureInCloudTokenError,
  type FattureInCloudStrategyOptions,
  Scope,
  Strategy,
} from '../lib/index';
import {
  asFattureInCloudError,
  BASE,
  CALLBACK_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  CODE,
  expectNoSecrets,
  fixture,
  runStrategy,
} from './helpers';

type TokenFixture = { access_token: string; refresh_token: string; expires_in: number };
const tokens = fixture('token-response') as TokenFixture;
const SECRETS = [CLIENT_SECRET, CODE, tokens.access_token, tokens.refresh_token];

function makeStrategy(options: Partial<FattureInCloudStrategyOptions> = {}) {
  return new FattureInCloudStrategy(
    {
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackURL: CALLBACK_URL,
      scope: [Scope.ENTITY_CLIENTS_READ, Scope.SETTINGS_ALL],
      skipUserProfile: true,
      ...options,
    },
    (accessToken, refreshToken, profile, done) => done(null, { accessToken, refreshToken, profile }),
  );
}

/** Starts a login to get a session holding a valid state, then returns both. */
async function startLogin(strategy: FattureInCloudStrategy) {
  const session: Record<string, unknown> = {};
  const outcome = await runStrategy(strategy, { session });
  if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${outcome.kind}`);
  const state = new URL(outcome.url).searchParams.get('state')!;
  return { session, state, url: outcome.url };
}

async function callback(strategy: FattureInCloudStrategy, query: Record<string, unknown> = {}) {
  const { session, state } = await startLogin(strategy);
  return runStrategy(strategy, { session, query: { code: CODE, state, ...query } });
}

describe('FattureInCloudStrategy', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every mocked request must have been made').to.deep.equal([]);
  });

  describe('construction', () => {
    it('is named fattureincloud and exported under both names', () => {
      const strategy = makeStrategy();
      expect(strategy.name).to.equal('fattureincloud');
      expect(Strategy).to.equal(FattureInCloudStrategy);
      expect(strategy).to.be.instanceOf(OAuth2Strategy);
    });

    it('names what is missing', () => {
      const verify = () => undefined;
      expect(() => new FattureInCloudStrategy({ clientSecret: 's' } as never, verify)).to.throw(TypeError, /requires clientID/);
      expect(() => new FattureInCloudStrategy({ clientID: 'i' } as never, verify)).to.throw(TypeError, /requires clientSecret/);
      expect(() => new FattureInCloudStrategy({} as never, verify)).to.throw(TypeError, /clientID and clientSecret/);
      expect(() => new FattureInCloudStrategy({ clientID: 'i', clientSecret: 's' }, undefined as never)).to.throw(
        TypeError,
        /verify callback/,
      );
    });

    it('refuses an unknown scope, naming it and the nearest valid one', () => {
      expect(() => makeStrategy({ scope: ['emails:a'] as never })).to.throw(TypeError, /"emails:a".*Did you mean "emails:r"/);
      expect(() => makeStrategy({ scope: 'settings:a entity.products:r' })).to.throw(TypeError, /"entity.products:r"/);
      expect(() => makeStrategy({ scope: 'nonsense-scope-that-is-far' })).to.throw(TypeError, /See Scope/);
    });

    it('refuses a bad baseURL or timeout', () => {
      expect(() => makeStrategy({ baseURL: 'ftp://x' })).to.throw(TypeError, /baseURL/);
      expect(() => makeStrategy({ timeout: 0 })).to.throw(TypeError, /timeout/);
      expect(() => makeStrategy({ timeout: Number.NaN })).to.throw(TypeError, /timeout/);
    });

    it('exports the 44 scopes under the SDK names', () => {
      expect(Object.keys(Scope)).to.have.length(44);
      expect(Scope.ENTITY_CLIENTS_READ).to.equal('entity.clients:r');
      expect(Scope.SETTINGS_ALL).to.equal('settings:a');
    });

    it('keeps its resolved config non-enumerable, out of logs of the strategy', () => {
      const strategy = makeStrategy();
      expect(Object.keys(strategy)).not.to.include('client');
      expect(JSON.stringify(Object.entries(strategy).filter(([key]) => key !== '_oauth2'))).not.to.include(CLIENT_SECRET);
    });
  });

  describe('authorization redirect', () => {
    it('sends exactly response_type, client_id, redirect_uri, scope and state', async () => {
      const { url, session } = await startLogin(makeStrategy());
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).to.equal(`${BASE}/oauth/authorize`);
      expect([...parsed.searchParams.keys()]).to.deep.equal(['response_type', 'client_id', 'redirect_uri', 'scope', 'state']);
      expect(parsed.searchParams.get('response_type')).to.equal('code');
      expect(parsed.searchParams.get('client_id')).to.equal(CLIENT_ID);
      expect(parsed.searchParams.get('redirect_uri')).to.equal(CALLBACK_URL);
      expect(parsed.searchParams.get('scope')).to.equal('entity.clients:r settings:a');
      expect(parsed.searchParams.get('state')).to.have.length.greaterThan(16);
      expect(JSON.stringify(session)).to.include(parsed.searchParams.get('state'));
    });

    it('uses baseURL for the authorize URL', async () => {
      const { url } = await startLogin(makeStrategy({ baseURL: 'http://127.0.0.1:9999/' }));
      expect(url.startsWith('http://127.0.0.1:9999/oauth/authorize?')).to.equal(true);
    });

    it('takes a per-request scope, checked', async () => {
      const outcome = await runStrategy(makeStrategy(), {}, { scope: [Scope.PRODUCTS_READ, 'stock:a'] });
      expect(outcome.kind).to.equal('redirect');
      if (outcome.kind === 'redirect') expect(new URL(outcome.url).searchParams.get('scope')).to.equal('products:r stock:a');
      const refused = await runStrategy(makeStrategy(), {}, { scope: ['situation:a'] });
      expect(refused.kind).to.equal('error');
      if (refused.kind === 'error') expect(refused.error.message).to.match(/"situation:a".*"situation:r"/);
    });

    it('sends no state when state is turned off', async () => {
      const outcome = await runStrategy(makeStrategy({ state: false }), {});
      if (outcome.kind !== 'redirect') throw new Error(outcome.kind);
      expect(new URL(outcome.url).searchParams.has('state')).to.equal(false);
    });
  });

  describe('callback', () => {
    it('exchanges the code with the exact JSON POST and logs the user in', async () => {
      let headers: Record<string, unknown> = {};
      const scope = nock(BASE)
        .post('/oauth/token')
        .reply(function (_uri, body) {
          headers = this.req.headers;
          expect(body).to.deep.equal({
            grant_type: 'authorization_code',
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uri: CALLBACK_URL,
            code: CODE,
          });
          return [200, tokens];
        });
      const outcome = await callback(makeStrategy());
      expect(outcome.kind).to.equal('success');
      if (outcome.kind === 'success') {
        expect(outcome.user).to.deep.include({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      }
      expect(headers['content-type']).to.equal('application/json');
      expect(headers.accept).to.equal('application/json');
      scope.done();
    });

    it('sends the body keys in the SDK order', async () => {
      let raw = '';
      nock(BASE)
        .post('/oauth/token', (body: unknown) => {
          raw = JSON.stringify(body);
          return true;
        })
        .reply(200, tokens);
      await callback(makeStrategy());
      expect(Object.keys(JSON.parse(raw) as object)).to.deep.equal(['grant_type', 'client_id', 'client_secret', 'redirect_uri', 'code']);
    });

    it('refuses a forged state with 403 and makes no request', async () => {
      const { session } = await startLogin(makeStrategy());
      const strategy = makeStrategy();
      const outcome = await runStrategy(strategy, { session, query: { code: CODE, state: 'forged' } });
      expect(outcome).to.deep.include({ kind: 'fail', status: 403 });
    });

    it('refuses a callback with a state but no session state', async () => {
      const outcome = await runStrategy(makeStrategy(), { session: {}, query: { code: CODE, state: 'x' } });
      expect(outcome).to.deep.include({ kind: 'fail', status: 403 });
    });

    it('fails access_denied with our message, the provider description beside it', async () => {
      const outcome = await runStrategy(makeStrategy(), {
        query: { error: 'access_denied', error_description: 'The user denied the request', state: 'x' },
      });
      expect(outcome).to.deep.equal({
        kind: 'fail',
        challenge: { message: 'You did not allow access to Fatture in Cloud.', description: 'The user denied the request' },
        status: 401,
      });
    });

    it('never lets attacker-written text of a callback URL become the failure message', async () => {
      const spoof = 'Your account is suspended, call +39 000 000';
      const denied = await runStrategy(makeStrategy(), { query: { error: 'access_denied', error_description: spoof } });
      if (denied.kind !== 'fail') throw new Error(denied.kind);
      expect((denied.challenge as { message: string }).message).to.equal('You did not allow access to Fatture in Cloud.');
      const other = await runStrategy(makeStrategy(), { query: { error: spoof, error_description: spoof } });
      if (other.kind !== 'error') throw new Error(other.kind);
      expect(other.error.message).not.to.include('suspended');
      expect(other.error).to.include({ code: 'unrecognised_error', description: spoof });
    });

    it('fails access_denied with a default message when there is no description', async () => {
      const outcome = await runStrategy(makeStrategy(), { query: { error: 'access_denied' } });
      expect(outcome.kind).to.equal('fail');
      if (outcome.kind === 'fail') expect(outcome.challenge).to.deep.equal({ message: 'You did not allow access to Fatture in Cloud.', description: undefined });
    });

    it('turns any other error into an AuthorizationError', async () => {
      const outcome = await runStrategy(makeStrategy(), {
        query: { error: 'invalid_scope', error_description: 'Scope not allowed', error_uri: 'https://x/doc' },
      });
      if (outcome.kind !== 'error') throw new Error(outcome.kind);
      expect(outcome.error).to.be.instanceOf(OAuth2Strategy.AuthorizationError);
      expect(outcome.error.message).to.equal("Fatture in Cloud could not authorize the app (invalid_scope); see the error's description for the provider's words");
      expect(outcome.error).to.include({ code: 'invalid_scope', uri: 'https://x/doc', description: 'Scope not allowed' });
    });

    const oddCallbacks: [string, Record<string, unknown>, RegExp][] = [
      ['a state without a code', { state: 'abc' }, /code parameter is missing/],
      ['a repeated code', { code: [CODE, CODE], state: 'abc' }, /not one single string/],
      ['an object code', { code: { nested: 'x' }, state: 'abc' }, /not one single string/],
      ['an empty code', { code: '', state: 'abc' }, /empty/],
      ['an absurdly long code', { code: `c/${'x'.repeat(5000)}`, state: 'abc' }, /longer than 4096/],
      ['a code with control characters', { code: 'c/abc\r\nInjected: 1', state: 'abc' }, /not printable ASCII/],
      ['a repeated error', { error: ['access_denied', 'x'] }, /error parameter/],
    ];
    for (const [name, query, reason] of oddCallbacks) {
      it(`refuses ${name} before any request`, async () => {
        const outcome = await runStrategy(makeStrategy(), { query, session: {} });
        if (outcome.kind !== 'fail') throw new Error(outcome.kind);
        expect(outcome.status).to.equal(400);
        expect((outcome.challenge as { message: string }).message).to.match(reason);
        expectNoSecrets(outcome.challenge, [CODE]);
      });
    }

    it('supports every verify arity', async () => {
      const base = { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, skipUserProfile: true };
      const seen: unknown[][] = [];
      const strategies = [
        new FattureInCloudStrategy(base, (a, r, p, done) => {
          seen.push([a, r, p]);
          done(null, {});
        }),
        new FattureInCloudStrategy(base, (a: string, r: string, params: { expires_in: number }, p: unknown, done: (e: null, u: object) => void) => {
          seen.push([a, r, params.expires_in, p]);
          done(null, {});
        }),
        new FattureInCloudStrategy({ ...base, passReqToCallback: true }, (req, a, r, p, done) => {
          seen.push([typeof req.query, a, r, p]);
          done(null, {});
        }),
        new FattureInCloudStrategy(
          { ...base, passReqToCallback: true },
          (req: { query: object }, a: string, r: string, params: { token_type: string }, p: unknown, done: (e: null, u: object) => void) => {
            seen.push([typeof req.query, a, r, params.token_type, p]);
            done(null, {});
          },
        ),
      ];
      for (const strategy of strategies) {
        nock(BASE).post('/oauth/token').reply(200, tokens);
        expect((await callback(strategy)).kind).to.equal('success');
      }
      expect(seen).to.deep.equal([
        [tokens.access_token, tokens.refresh_token, undefined],
        [tokens.access_token, tokens.refresh_token, 86400, undefined],
        ['object', tokens.access_token, tokens.refresh_token, undefined],
        ['object', tokens.access_token, tokens.refresh_token, 'bearer', undefined],
      ]);
    });

    it('passes verify errors and refusals through', async () => {
      const base = { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, skipUserProfile: true };
      nock(BASE).post('/oauth/token').times(2).reply(200, tokens);
      const failing = new FattureInCloudStrategy(base, (_a, _r, _p, done) => done(new Error('db down')));
      const refusing = new FattureInCloudStrategy(base, (_a, _r, _p, done) => done(null, false, { message: 'unknown user' }));
      const failed = await callback(failing);
      expect(failed.kind === 'error' && failed.error.message).to.equal('db down');
      expect(await callback(refusing)).to.deep.include({ kind: 'fail', challenge: { message: 'unknown user' } });
    });
  });

  describe('token endpoint errors', () => {
    async function exchangeError(reply: () => nock.Interceptor | nock.Scope): Promise<FattureInCloudError> {
      reply();
      const outcome = await callback(makeStrategy({ timeout: 200 }));
      if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
      expectNoSecrets(outcome.error, SECRETS);
      return asFattureInCloudError(outcome.error);
    }

    it('invalid_grant: provider error, description, real status', async () => {
      const error = await exchangeError(() => nock(BASE).post('/oauth/token').reply(400, fixture('token-error-invalid-grant')));
      expect(error).to.be.instanceOf(FattureInCloudTokenError);
      expect(error).to.include({ status: 400, code: 'invalid_grant' });
      // One sentence: the provider's description, then our advice.
      expect(error.message).to.include('The authorization code has expired or has already been used; the authorization code is invalid');
      expect(error.message).to.include('codes live 60 seconds');
    });

    it('invalid_client on 401 says to check the credentials', async () => {
      const error = await exchangeError(() =>
        nock(BASE).post('/oauth/token').reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
      );
      expect(error).to.include({ status: 401, code: 'invalid_client' });
      expect(error.message).to.match(/: Client authentication failed; check clientID and clientSecret$/);
    });

    it('scrubs secrets the provider echoes back', async () => {
      const error = await exchangeError(() =>
        nock(BASE)
          .post('/oauth/token')
          .reply(400, { error: 'invalid_request', error_description: `bad code ${CODE} for secret ${CLIENT_SECRET}` }),
      );
      expect(error.message).to.include('bad code [redacted] for secret [redacted]');
    });

    it('an HTML answer', async () => {
      const error = await exchangeError(() =>
        nock(BASE).post('/oauth/token').reply(200, '<html>Maintenance</html>', { 'Content-Type': 'text/html' }),
      );
      expect(error).to.include({ status: 200, code: 'invalid_response' });
      expect(error.message).to.match(/not JSON \(text\/html\)/);
    });

    it('a 502 with a non-JSON body', async () => {
      const error = await exchangeError(() => nock(BASE).post('/oauth/token').reply(502, 'Bad Gateway'));
      expect(error).to.include({ status: 502, code: 'http_error' });
      expect(error.message).to.equal('Fatture in Cloud answered POST /oauth/token with HTTP 502');
    });

    it('a redirect', async () => {
      const error = await exchangeError(() =>
        nock(BASE).post('/oauth/token').reply(302, '', { Location: 'https://login.example/?code=stolen' }),
      );
      expect(error).to.include({ status: 302, code: 'unexpected_redirect' });
      expect(error.message).to.match(/redirect \(HTTP 302\).*check baseURL/);
      expect(error.message).not.to.include('stolen');
    });

    it('JSON without access_token', async () => {
      const error = await exchangeError(() => nock(BASE).post('/oauth/token').reply(200, { token_type: 'bearer' }));
      expect(error).to.include({ status: 200, code: 'invalid_response' });
      expect(error.message).to.match(/with an access_token that is not a string \(undefined\)/);
      expect(error.message).not.to.match(/Failed to obtain access token/);
    });

    it('a timeout, with its length', async () => {
      const error = await exchangeError(() => nock(BASE).post('/oauth/token').delay(1000).reply(200, tokens));
      expect(error).to.include({ code: 'timeout', status: undefined });
      expect(error.message).to.equal('Fatture in Cloud did not answer POST /oauth/token within 200 ms (timeout)');
      expect(error.cause).to.be.instanceOf(Error);
    });

    it('a network failure carries the low-level cause', async () => {
      const error = await exchangeError(() => nock(BASE).post('/oauth/token').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      expect(error.code).to.equal('network_error');
      expect(error.message).to.match(/Could not reach Fatture in Cloud for POST \/oauth\/token/);
      expect(error.cause).to.be.instanceOf(Error);
    });
  });

  describe('the _oauth2 client reused by other code', () => {
    it('getOAuthAccessToken sends the JSON request and answers the oauth callback shape', async () => {
      const strategy = makeStrategy();
      nock(BASE)
        .post('/oauth/token', { grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: CALLBACK_URL, code: CODE })
        .matchHeader('content-type', 'application/json')
        .reply(200, tokens);
      const oauth2 = (strategy as unknown as { _oauth2: import('oauth').OAuth2 })._oauth2;
      const result = await new Promise<unknown[]>((resolve) =>
        oauth2.getOAuthAccessToken(CODE, { grant_type: 'authorization_code', redirect_uri: CALLBACK_URL }, (...args) => resolve(args)),
      );
      expect(result.slice(0, 3)).to.deep.equal([null, tokens.access_token, tokens.refresh_token]);
      expect(result[3]).to.deep.include({ expires_in: 86400, token_type: 'bearer' });
    });
  });
});
