import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { type FattureInCloudStandIn, type StandInFault, startFattureInCloudStandIn } from '../lib/testing/index';
import { grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

describe('the stand-in fails on purpose', () => {
  let standIn: FattureInCloudStandIn;
  let accessToken: string;
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    accessToken = (await grantAtStandIn(standIn, REDIRECT)).accessToken;
  });
  afterEach(() => standIn.close());

  async function userInfo(token = accessToken): Promise<{ status: number; retryAfter: string | null; code: unknown }> {
    const response = await fetch(`${standIn.baseURL}/user/info`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { error?: { code?: unknown } };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.error?.code };
  }

  it('answers the next N API calls with the fault, in the order queued, then normally again', async () => {
    standIn.failNext(2, { type: 'rate-limited', retryAfter: 9 });
    standIn.failNext(1, { type: 'quota-exceeded' });
    standIn.failNext(1, { type: 'unavailable', status: 502 });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await userInfo());
    expect(answers).to.deep.equal([
      { status: 429, retryAfter: '9', code: 'TOO_MANY_REQUESTS' },
      { status: 429, retryAfter: '9', code: 'TOO_MANY_REQUESTS' },
      { status: 403, retryAfter: '3600', code: 'QUOTA_EXCEEDED' },
      { status: 502, retryAfter: '0', code: 'SERVICE_UNAVAILABLE' },
      { status: 200, retryAfter: null, code: undefined },
    ]);
    expect(standIn.stats.faults).to.deep.equal({ 'rate-limited': 2, 'quota-exceeded': 1, unavailable: 1, unauthorized: 0, reset: 0 });
  });

  it('drops the connection for a reset, and counts it', async () => {
    standIn.failNext(1, { type: 'reset' });
    const error = await userInfo().catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(TypeError); // fetch failed: no answer at all
    expect((await userInfo()).status).to.equal(200);
    expect(standIn.stats.faults.reset).to.equal(1);
  });

  it('revokes or expires one access token: 401 for it, counted, and others still work', async () => {
    const other = (await grantAtStandIn(standIn, REDIRECT)).accessToken;
    expect(standIn.revokeAccessToken(accessToken)).to.equal(true);
    expect(await userInfo()).to.deep.equal({ status: 401, retryAfter: '0', code: 'UNAUTHORIZED' });
    expect((await userInfo(other)).status).to.equal(200);
    expect(standIn.expireAccessToken(other)).to.equal(true);
    expect((await userInfo(other)).status).to.equal(401);
    expect(standIn.revokeAccessToken('a/never-issued')).to.equal(false);
    expect(standIn.expireAccessToken('a/never-issued')).to.equal(false);
    expect(standIn.stats.faults.unauthorized).to.equal(2);
  });

  it('takes faults over HTTP from another process, and shows them in GET /stand-in/stats', async () => {
    const post = (body: unknown) => fetch(`${standIn.baseURL}/stand-in/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ count: 1, fault: { type: 'unauthorized' } })).status).to.equal(204);
    expect((await userInfo()).status).to.equal(401);
    const refused = await post({ count: 1, fault: { type: 'meltdown' } });
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.deep.equal({ error: { message: 'fault.type must be one of rate-limited, quota-exceeded, unavailable, unauthorized, reset', code: 'INVALID_FAULT' } });
    const stats = (await (await fetch(`${standIn.baseURL}/stand-in/stats`)).json()) as { faults: Record<string, number> };
    expect(stats.faults.unauthorized).to.equal(1);
  });

  it('clearFaults forgets what is queued; bad faults are a TypeError naming the field', async () => {
    standIn.failNext(5, { type: 'unauthorized' });
    standIn.clearFaults();
    expect((await userInfo()).status).to.equal(200);
    const bad: [number, unknown, RegExp][] = [
      [0, { type: 'reset' }, /count must be a whole number/],
      [1.5, { type: 'reset' }, /count must be a whole number/],
      [1, undefined, /fault.type must be one of/],
      [1, { type: 'rate-limited', retryAfter: -1 }, /retryAfter must be whole seconds/],
      [1, { type: 'unavailable', status: 500 }, /status must be 502, 503 or 504/],
      [1, { type: 'quota-exceeded', period: 'daily' }, /period must be hourly or monthly/],
    ];
    for (const [count, fault, message] of bad) expect(() => standIn.failNext(count, fault as StandInFault)).to.throw(TypeError, message);
  });

  it('knows a grant\'s current refresh token after rotations across a sweep (advanceClock of a minute or more)', async () => {
    const first = await grantAtStandIn(standIn, REDIRECT);
    const rotate = async (refreshToken: string): Promise<string> => {
      const response = await fetch(`${standIn.baseURL}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', client_id: standIn.clientID, client_secret: standIn.clientSecret, refresh_token: refreshToken }),
      });
      return ((await response.json()) as { refresh_token: string }).refresh_token;
    };
    standIn.advanceClock(61_000);
    const second = await rotate(first.refreshToken);
    standIn.advanceClock(61_000);
    const third = await rotate(second);
    expect(standIn.currentRefreshToken(first.refreshToken)).to.equal(third);
    expect(standIn.currentRefreshToken(second)).to.equal(third);
    standIn.revokeRefreshToken(third);
    expect(standIn.currentRefreshToken(first.refreshToken)).to.equal(undefined);
  });
});

describe('the stand-in\'s control endpoints (/stand-in/…)', () => {
  function post(baseURL: string, headers: Record<string, string>, body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${baseURL}/stand-in/faults`, { method: 'POST', headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
  }
  const fault = JSON.stringify({ count: 1, fault: { type: 'reset' } });

  it('take JSON only when the content type\'s essence is application/json, and only for a loopback host name', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: 'http://localhost:3000/cb' });
    try {
      expect(await post(standIn.baseURL, { 'Content-Type': 'text/plain; x=application/json' }, fault)).to.equal(415);
      const port = new URL(standIn.baseURL).port;
      expect(await post(standIn.baseURL, { 'Content-Type': 'application/json', Host: `rebound.example:${port}` }, fault)).to.equal(403);
      expect(standIn.stats.faults.reset).to.equal(0);
      expect(await post(standIn.baseURL, { 'Content-Type': 'Application/JSON; charset=utf-8', Host: `localhost:${port}` }, fault)).to.equal(204);
    } finally {
      await standIn.close();
    }
  });

  it('reachable beyond loopback, take requests only with the client secret as a bearer token', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: 'http://localhost:3000/cb', host: '0.0.0.0', clientSecret: 'a-secret-for-this-test' });
    try {
      const local = `http://127.0.0.1:${new URL(standIn.baseURL).port}`;
      expect(await post(local, { 'Content-Type': 'application/json' }, fault)).to.equal(401);
      expect(await post(local, { 'Content-Type': 'application/json', Authorization: 'Bearer a-secret-for-this-test' }, fault)).to.equal(204);
    } finally {
      await standIn.close();
    }
  });
});

describe('the stand-in for an app\'s own tests, in this process or another', () => {
  const REDIRECT_URI = 'http://localhost:3000/cb';

  it('autoApprove: a valid authorization comes straight back with a code, an invalid one still does not', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT_URI, autoApprove: true });
    try {
      const params = new URLSearchParams({ response_type: 'code', client_id: standIn.clientID, redirect_uri: REDIRECT_URI, scope: 'entity.clients:r', state: 's-1' });
      const answer = await fetch(`${standIn.baseURL}/oauth/authorize?${params}`, { redirect: 'manual' });
      const location = new URL(answer.headers.get('location') ?? '');
      expect(answer.status).to.equal(302);
      expect(location.searchParams.get('code')).to.match(/^c\//);
      expect(location.searchParams.get('state')).to.equal('s-1');
      params.set('redirect_uri', `${REDIRECT_URI}/`);
      expect((await fetch(`${standIn.baseURL}/oauth/authorize?${params}`, { redirect: 'manual' })).status).to.equal(400);
    } finally {
      await standIn.close();
    }
  });

  it('POST /stand-in/revoke, /expire and /clock do over HTTP what revokeRefreshToken, expireAccessToken and advanceClock do', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT_URI });
    try {
      const control = (path: string, body: unknown, type = 'application/json') => fetch(`${standIn.baseURL}/stand-in/${path}`, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) }).then((answer) => answer.status);
      const api = (token: string) => fetch(`${standIn.baseURL}/user/info`, { headers: { Authorization: `Bearer ${token}` } }).then((answer) => answer.status);
      const first = await grantAtStandIn(standIn, REDIRECT_URI);
      expect(await control('expire', { accessToken: first.accessToken })).to.equal(204);
      expect(await api(first.accessToken)).to.equal(401);
      const second = await grantAtStandIn(standIn, REDIRECT_URI);
      expect(await control('revoke', { accessToken: second.accessToken })).to.equal(204);
      expect(await api(second.accessToken)).to.equal(401);
      expect(await control('revoke', { refreshToken: second.refreshToken })).to.equal(204);
      expect(standIn.currentRefreshToken(second.refreshToken)).to.equal(undefined);
      const before = standIn.now();
      expect(await control('clock', { advanceMs: 90_000_000 })).to.equal(204);
      expect(standIn.now() - before).to.be.at.least(90_000_000);
      const third = await grantAtStandIn(standIn, REDIRECT_URI);
      expect(await api(third.accessToken)).to.equal(200);
      expect(await control('revoke', { refreshToken: 'r/never-issued-by-it-0123456789' })).to.equal(404);
      expect(await control('clock', { advanceMs: -1 })).to.equal(400);
      expect(await control('expire', {})).to.equal(400);
      expect(await control('clock', { advanceMs: 1 }, 'text/plain')).to.equal(415);
    } finally {
      await standIn.close();
    }
  });
});
