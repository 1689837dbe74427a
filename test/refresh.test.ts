import { expect } from 'chai';
import nock from 'nock';
import refresh = require('passport-oauth2-refresh');
import {
  ensureFreshToken,
  FattureInCloudStrategy,
  FattureInCloudTokenError,
  type FattureInCloudTokenSet,
  refreshAccessToken,
} from '../lib/index';
import { BASE, CLIENT_ID, CLIENT_SECRET, expectNoSecrets } from './helpers';

const OLD_REFRESH = 'r/old-refresh-token-value-0001';
const NEW_REFRESH = 'r/new-refresh-token-value-0002';
const NEW_ACCESS = 'a/new-access-token-value-0003';
const rotated = { token_type: 'bearer', access_token: NEW_ACCESS, refresh_token: NEW_REFRESH, expires_in: 86400 };
const refreshBody = { grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: OLD_REFRESH };

function makeStrategy(timeout?: number) {
  return new FattureInCloudStrategy({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, timeout }, (_a, _r, _p, done) => done(null, {}));
}

function mockRefresh(status = 200, body: object = rotated) {
  return nock(BASE)
    .post('/oauth/token', refreshBody)
    .matchHeader('content-type', 'application/json')
    .matchHeader('accept', 'application/json')
    .reply(status, body);
}

describe('token refresh', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  it('sends the exact JSON refresh request and returns the rotated token set', async () => {
    let rawBody = '';
    nock(BASE)
      .post('/oauth/token', (body: unknown) => {
        rawBody = JSON.stringify(body);
        return true;
      })
      .reply(200, rotated);
    const before = Date.now();
    const tokenSet = await makeStrategy().refreshAccessToken(OLD_REFRESH);
    expect(JSON.parse(rawBody)).to.deep.equal(refreshBody);
    expect(Object.keys(JSON.parse(rawBody) as object)).to.deep.equal(['grant_type', 'client_id', 'client_secret', 'refresh_token']);
    expect(tokenSet).to.deep.include({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH, tokenType: 'bearer', expiresIn: 86400 });
    expect(tokenSet.refreshToken).not.to.equal(OLD_REFRESH);
    expect(tokenSet.expiresAt).to.be.within(before + 86_400_000, Date.now() + 86_400_000);
    expect(JSON.parse(JSON.stringify(tokenSet))).to.deep.equal(tokenSet);
  });

  it('accepts expires_in sent as a numeric string', async () => {
    mockRefresh(200, { ...rotated, expires_in: '3600' });
    expect((await makeStrategy().refreshAccessToken(OLD_REFRESH)).expiresIn).to.equal(3600);
  });

  it('shares one request among concurrent callers, then makes a new one', async () => {
    let requests = 0;
    nock(BASE)
      .post('/oauth/token', refreshBody)
      .times(2)
      .reply(async () => {
        requests += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        return [200, rotated];
      });
    const strategy = makeStrategy();
    const results = await Promise.all(Array.from({ length: 25 }, () => strategy.refreshAccessToken(OLD_REFRESH)));
    expect(requests).to.equal(1);
    expect(new Set(results.map((set) => set.accessToken))).to.deep.equal(new Set([NEW_ACCESS]));
    // Once the request has settled, a new call makes a new one: no stale cache.
    await strategy.refreshAccessToken(OLD_REFRESH);
    expect(requests).to.equal(2);
  });

  it('shares a failure among concurrent callers, and forgets it', async () => {
    mockRefresh(400, { error: 'invalid_grant', error_description: 'Refresh token revoked' });
    mockRefresh();
    const strategy = makeStrategy();
    const settled = await Promise.allSettled([strategy.refreshAccessToken(OLD_REFRESH), strategy.refreshAccessToken(OLD_REFRESH)]);
    expect(settled.map((result) => result.status)).to.deep.equal(['rejected', 'rejected']);
    expect((await strategy.refreshAccessToken(OLD_REFRESH)).accessToken).to.equal(NEW_ACCESS);
  });

  const refused: [string, unknown, RegExp][] = [
    ['an access token', 'a/some-access-token-value', /got an access token \(a\/…\)/],
    ['an authorization code', 'c/some-code-value', /got an authorization code \(c\/…\)/],
    ['an empty string', '', /got an empty string/],
    ['a number', 42, /got the number 42/],
    ['undefined', undefined, /got undefined/],
    ['null', null, /got null/],
    ['an object', { token: 'r/x' }, /got an object/],
    ['a string with a newline', 'r/abc\ndef', /not printable ASCII/],
    ['a string with U+2028', 'r/abc\u2028def', /not printable ASCII/],
    ['a string with a character above U+00FF', 'r/abc\u0100def', /not printable ASCII/],
  ];
  for (const [name, value, message] of refused) {
    it(`refuses ${name} before any request, without echoing it`, async () => {
      const error = await makeStrategy()
        .refreshAccessToken(value as string)
        .then(() => undefined, (caught: unknown) => caught);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(message);
      if (typeof value === 'string' && value !== '') expect((error as Error).message).not.to.include(value);
    });
  }

  it('invalid_grant: code, status 400, and the user must authorize again', async () => {
    mockRefresh(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid.' });
    const error = await makeStrategy().refreshAccessToken(OLD_REFRESH).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FattureInCloudTokenError);
    expect(error).to.include({ code: 'invalid_grant', status: 400 });
    expect((error as Error).message).to.match(/the user must authorize the app again/);
    expectNoSecrets(error, [OLD_REFRESH, CLIENT_SECRET]);
  });

  it('times out with a clear error, leaving the request for the next caller to join', async () => {
    const scope = nock(BASE).post('/oauth/token').delay(500).reply(200, rotated);
    const error = await makeStrategy(100).refreshAccessToken(OLD_REFRESH).catch((caught: unknown) => caught);
    expect(error).to.include({ code: 'timeout' });
    expect((error as Error).message).to.include('within 100 ms');
    expectNoSecrets(error, [OLD_REFRESH, CLIENT_SECRET]);
    // The token was spent by that request: a new one would be refused, joining it gets the successor.
    expect((await makeStrategy(2000).refreshAccessToken(OLD_REFRESH)).refreshToken).to.equal(NEW_REFRESH);
    expect(scope.isDone()).to.equal(true);
  });

  it('refuses an answer without a new refresh token', async () => {
    mockRefresh(200, { access_token: NEW_ACCESS, expires_in: 86400 });
    const error = await makeStrategy().refreshAccessToken(OLD_REFRESH).catch((caught: unknown) => caught);
    expect((error as Error).message).to.match(/refresh_token that is not a string/);
    expectNoSecrets(error, [NEW_ACCESS]);
  });

  describe('ensureFreshToken', () => {
    const stored = (expiresInMs: number): FattureInCloudTokenSet => ({
      accessToken: 'a/stored-access',
      refreshToken: OLD_REFRESH,
      tokenType: 'bearer',
      expiresIn: 86400,
      expiresAt: Date.now() + expiresInMs,
    });

    it('returns the same set while it is valid beyond the margin, with no request', async () => {
      const tokenSet = stored(10 * 60_000);
      expect(await makeStrategy().ensureFreshToken(tokenSet)).to.equal(tokenSet);
    });

    it('refreshes within the default 5-minute margin', async () => {
      mockRefresh();
      expect((await makeStrategy().ensureFreshToken(stored(4 * 60_000))).accessToken).to.equal(NEW_ACCESS);
    });

    it('refreshes an expired set, and honours a custom margin', async () => {
      mockRefresh().persist();
      expect((await makeStrategy().ensureFreshToken(stored(-1000))).accessToken).to.equal(NEW_ACCESS);
      expect((await makeStrategy().ensureFreshToken(stored(20 * 60_000), { refreshMargin: 30 * 60_000 })).accessToken).to.equal(NEW_ACCESS);
      const fresh = stored(20 * 60_000);
      expect(await makeStrategy().ensureFreshToken(fresh, { refreshMargin: 0 })).to.equal(fresh);
    });

    it('treats a set without a usable expiresAt as expiring', async () => {
      mockRefresh();
      const broken = { ...stored(0), expiresAt: Number.NaN };
      expect((await makeStrategy().ensureFreshToken(broken)).refreshToken).to.equal(NEW_REFRESH);
    });

    it('refuses a negative margin', async () => {
      const error = await makeStrategy().ensureFreshToken(stored(0), { refreshMargin: -1 }).catch((caught: unknown) => caught);
      expect((error as Error).message).to.match(/refreshMargin/);
    });
  });

  describe('standalone functions', () => {
    it('refreshAccessToken works without a strategy', async () => {
      mockRefresh();
      const tokenSet = await refreshAccessToken({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET }, OLD_REFRESH);
      expect(tokenSet.refreshToken).to.equal(NEW_REFRESH);
    });

    it('honours baseURL and timeout', async () => {
      nock('http://127.0.0.1:4010').post('/oauth/token', refreshBody).reply(200, rotated);
      const options = { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, baseURL: 'http://127.0.0.1:4010', timeout: 1000 };
      expect((await refreshAccessToken(options, OLD_REFRESH)).accessToken).to.equal(NEW_ACCESS);
    });

    it('rejects bad options instead of throwing', async () => {
      const pending = refreshAccessToken({ clientID: CLIENT_ID } as never, OLD_REFRESH);
      expect(pending).to.be.instanceOf(Promise);
      expect(((await pending.catch((caught: unknown) => caught)) as Error).message).to.match(/requires clientSecret/);
    });

    it('ensureFreshToken works without a strategy', async () => {
      mockRefresh();
      const tokenSet = await ensureFreshToken({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET }, {
        accessToken: 'a/x',
        refreshToken: OLD_REFRESH,
        tokenType: 'bearer',
        expiresIn: 86400,
        expiresAt: 0,
      });
      expect(tokenSet.accessToken).to.equal(NEW_ACCESS);
    });

    it('shares the in-flight request with the strategy method', async () => {
      let requests = 0;
      nock(BASE)
        .post('/oauth/token')
        .reply(async () => {
          requests += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return [200, rotated];
        });
      await Promise.all([
        makeStrategy().refreshAccessToken(OLD_REFRESH),
        refreshAccessToken({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET }, OLD_REFRESH),
      ]);
      expect(requests).to.equal(1);
    });
  });

  describe('passport-oauth2-refresh', () => {
    it('sends the JSON request and returns the new tokens', async () => {
      const strategy = makeStrategy();
      refresh.use('fic-json', strategy);
      mockRefresh();
      const result = await new Promise<unknown[]>((resolve) => {
        refresh.requestNewAccessToken('fic-json', OLD_REFRESH, (...args: unknown[]) => resolve(args));
      });
      expect(result.slice(0, 3)).to.deep.equal([null, NEW_ACCESS, NEW_REFRESH]);
      expect(result[3]).to.deep.include({ expires_in: 86400 });
    });

    it('keeps the strategy timeout and reports errors in the callback', async () => {
      const strategy = makeStrategy(100);
      refresh.use('fic-timeout', strategy);
      nock(BASE).post('/oauth/token').delay(500).reply(200, rotated);
      const [error] = await new Promise<unknown[]>((resolve) => {
        refresh.requestNewAccessToken('fic-timeout', 'r/timeout-refresh-token-value-0009', (...args: unknown[]) => resolve(args));
      });
      expect(error).to.include({ code: 'timeout' });
    });

    it('refuses an access token before any request', async () => {
      refresh.use('fic-refuse', makeStrategy());
      const [error] = await new Promise<unknown[]>((resolve) => {
        refresh.requestNewAccessToken('fic-refuse', 'a/not-a-refresh-token', (...args: unknown[]) => resolve(args));
      });
      expect((error as Error).message).to.match(/got an access token/);
    });
  });
});
