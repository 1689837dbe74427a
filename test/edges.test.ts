import { expect } from 'chai';
import nock from 'nock';
import type { OAuth2 } from 'oauth';
import { parseRateLimit, parseRetryAfter } from '../lib/http/api';
import { readCallback } from '../lib/login/callback';
import { resolveClientConfig } from '../lib/config';
import { withTimeout } from '../lib/http/deadline';
import { redact } from '../lib/errors';
import { ensureFreshToken, FattureInCloudError, FattureInCloudStrategy, refreshAccessToken } from '../lib/index';
import { BASE, CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, CODE, serializations } from './helpers';

/** The corners the flow tests do not pass through. */
const tokens = { access_token: 'a/edge-access-token-000', refresh_token: 'r/edge-refresh-token-00', expires_in: 86400 };

function makeStrategy() {
  return new FattureInCloudStrategy({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL }, (_a, _r, _p, done) => done(null, {}));
}

function oauth2Of(strategy: FattureInCloudStrategy): OAuth2 {
  return (strategy as unknown as { _oauth2: OAuth2 })._oauth2;
}

describe('edge cases', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  it('reads a code posted in the body (response_mode=form_post)', () => {
    expect(readCallback(undefined, { code: CODE, state: 's' })).to.deep.equal({ kind: 'code' });
    expect(readCallback(undefined, undefined)).to.deep.equal({ kind: 'start' });
  });

  it('refuses options that are not an object', () => {
    expect(() => resolveClientConfig(null, 'X')).to.throw(TypeError, 'X: options must be an object with clientID and clientSecret');
    expect(() => new FattureInCloudStrategy('id' as never, () => undefined)).to.throw(TypeError, /options must be an object/);
  });

  it('refuses scopes of the wrong type', () => {
    const make = (scope: unknown) => () =>
      new FattureInCloudStrategy({ clientID: 'i', clientSecret: 's', scope: scope as never }, () => undefined);
    expect(make(['settings:r', 7])).to.throw(TypeError, 'every scope must be a string, got number');
    expect(make(42)).to.throw(TypeError, 'scope must be an array of scopes or a space-separated string, got number');
    expect(make('  settings:r   entity.clients:a ')).not.to.throw();
  });

  it('refuses a token set that is not an object', async () => {
    const error = await ensureFreshToken({ clientID: 'i', clientSecret: 's' }, null as never).catch((caught: unknown) => caught);
    expect((error as Error).message).to.equal('ensureFreshTokenSet needs a token set, got null');
  });

  it('supports the two-argument getOAuthAccessToken and refuses a missing callback', async () => {
    nock(BASE).post('/oauth/token', (body: Record<string, unknown>) => body.code === CODE && !('redirect_uri' in body)).reply(200, tokens);
    const oauth2 = oauth2Of(makeStrategy());
    const [error, access] = await new Promise<unknown[]>((resolve) => {
      oauth2.getOAuthAccessToken(CODE, (...args: unknown[]) => resolve(args));
    });
    expect([error, access]).to.deep.equal([null, tokens.access_token]);
    expect(() => (oauth2.getOAuthAccessToken as (code: string, params: object) => void)(CODE, {})).to.throw(TypeError, /requires a callback/);
  });

  it('wraps a foreign token error instead of passing it raw', () => {
    const strategy = makeStrategy() as unknown as { _createOAuthError(message: string, error: unknown): Error };
    const cause = new Error('socket trouble');
    const error = strategy._createOAuthError('Failed to obtain access token', cause);
    expect(error).to.be.instanceOf(FattureInCloudError);
    expect(error).to.include({ code: 'token_error', message: 'Failed to obtain access token', cause });
  });

  it("defaults token_type to 'bearer'", async () => {
    nock(BASE).post('/oauth/token').reply(200, tokens);
    expect((await refreshAccessToken({ clientID: 'i', clientSecret: 's' }, 'r/edge-old')).tokenType).to.equal('bearer');
  });

  it('reads Retry-After in both forms and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).to.equal(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).to.equal(60);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter(' ', now)).to.equal(undefined);
    expect(parseRateLimit({ 'ratelimit-hourlylimit': 'lots' })).to.equal(undefined);
  });

  it('describes a network failure without a system code in its own words, never the error\'s', async () => {
    nock(BASE).post('/oauth/token').replyWithError(new Error('boom r/edge-old'));
    const error = await refreshAccessToken({ clientID: 'i', clientSecret: 's' }, 'r/edge-old').catch((caught: unknown) => caught);
    expect((error as Error).message).to.match(/: the connection closed before the response was complete$/);
    expect(serializations(error)).not.to.include('boom');
  });

  it('says when an answer has no content-type', async () => {
    nock(BASE).post('/oauth/token').reply(200, 'plain');
    const error = await refreshAccessToken({ clientID: 'i', clientSecret: 's' }, 'r/edge-old').catch((caught: unknown) => caught);
    expect((error as Error).message).to.match(/not JSON \(no content-type\)/);
  });

  it('withTimeout settles once, turns a non-Error rejection into an Error, and never leaves its timer', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless library may do
    const rejected = await withTimeout(Promise.reject('a string, not an Error'), 1000, () => new Error('late')).catch((caught: unknown) => caught);
    expect(rejected).to.be.instanceOf(Error);
    expect((rejected as Error).message).to.equal('the operation failed');
    const late = await withTimeout(new Promise(() => undefined), 10, () => new Error('too late')).catch((caught: unknown) => caught);
    expect((late as Error).message).to.equal('too late');
    expect(await withTimeout(Promise.resolve(7), 1000, () => new Error('never'))).to.equal(7);
  });

  it('redact bounds what it quotes and skips empty secrets', () => {
    expect(redact('x'.repeat(400), [''])).to.have.length(301);
    expect(redact('line\r\nInjected: yes', [])).to.equal('line Injected: yes');
  });
});
