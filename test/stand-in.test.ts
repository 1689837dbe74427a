import { expect } from 'chai';
import { FattureInCloudStrategy, refreshAccessToken } from '../lib/index';
import { ACCOUNTANT_COMPANIES, type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { runStrategy } from './helpers';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

describe('the Fatture in Cloud stand-in', () => {
  let standIn: FattureInCloudStandIn;
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, appName: 'Test app' });
  });
  afterEach(() => standIn.close());

  function authorizeURL(overrides: Record<string, string> = {}): string {
    const params = new URLSearchParams({ response_type: 'code', client_id: standIn.clientID, redirect_uri: REDIRECT, scope: 'entity.clients:r', state: 'st-1', ...overrides });
    return `${standIn.baseURL}/oauth/authorize?${params}`;
  }

  async function decide(decision: 'approve' | 'deny'): Promise<URL> {
    const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: REDIRECT, scope: 'entity.clients:r', state: 'st-1', decision });
    const response = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(response.status).to.equal(302);
    return new URL(response.headers.get('location')!);
  }

  async function postToken(body: Record<string, string>, form = false): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${standIn.baseURL}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const credentials = () => ({ client_id: standIn.clientID, client_secret: standIn.clientSecret });
  const exchange = (code: string, form = false) =>
    postToken({ grant_type: 'authorization_code', ...credentials(), redirect_uri: REDIRECT, code }, form);

  it('shows a consent page with the app and the scopes', async () => {
    const html = await (await fetch(authorizeURL())).text();
    expect(html).to.include('Test app').and.include('<code>entity.clients:r</code>').and.include('Approve').and.include('Deny');
  });

  it('refuses a redirect_uri that differs by one character, and an unknown client', async () => {
    const trailing = await fetch(authorizeURL({ redirect_uri: `${REDIRECT}/` }));
    expect(trailing.status).to.equal(400);
    expect(await trailing.text()).to.include('redirect_uri does not match');
    expect((await fetch(authorizeURL({ client_id: 'other' }))).status).to.equal(400);
  });

  it('sends what it can back to the registered redirect URI: an invalid scope, a wrong response_type, with error_description and state', async () => {
    for (const [params, error] of [[{ scope: 'emails:a', state: 'st-9' }, 'invalid_scope'], [{ response_type: 'token', state: 'st-9' }, 'unsupported_response_type']] as const) {
      const answer = await fetch(authorizeURL(params), { redirect: 'manual' });
      expect(answer.status).to.equal(302);
      const location = new URL(answer.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT);
      expect(location.searchParams.get('error')).to.equal(error);
      expect(location.searchParams.get('error_description')).to.be.a('string').and.not.equal('');
      expect(location.searchParams.get('state')).to.equal('st-9');
      expect(location.searchParams.get('code')).to.equal(null);
    }
  });

  it('denies with access_denied and echoes the state', async () => {
    const location = await decide('deny');
    expect(location.searchParams.get('error')).to.equal('access_denied');
    expect(location.searchParams.get('state')).to.equal('st-1');
  });

  it('issues a single-use c/ code that expires after 60 s', async () => {
    const code = (await decide('approve')).searchParams.get('code')!;
    expect(code.startsWith('c/')).to.equal(true);
    const first = await exchange(code);
    expect(first.status).to.equal(200);
    expect(first.body).to.include({ token_type: 'bearer', expires_in: 86400 });
    expect(String(first.body.access_token).startsWith('a/')).to.equal(true);
    expect(String(first.body.refresh_token).startsWith('r/')).to.equal(true);
    expect((await exchange(code)).body).to.include({ error: 'invalid_grant' });
    const late = (await decide('approve')).searchParams.get('code')!;
    standIn.advanceClock(61_000);
    expect((await exchange(late)).status).to.equal(400);
  });

  it('takes form-encoded token requests too, and refuses wrong credentials', async () => {
    const code = (await decide('approve')).searchParams.get('code')!;
    expect((await exchange(code, true)).status).to.equal(200);
    const wrong = await postToken({ grant_type: 'authorization_code', client_id: standIn.clientID, client_secret: 'nope', redirect_uri: REDIRECT, code });
    expect(wrong).to.deep.include({ status: 401 });
    expect(wrong.body.error).to.equal('invalid_client');
    expect((await postToken({})).body).to.deep.equal({ error: 'invalid_request', error_description: 'The grant type field is required.' });
  });

  it('rotates refresh tokens and kills the old one', async () => {
    const code = (await decide('approve')).searchParams.get('code')!;
    const { body } = await exchange(code);
    const options = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL };
    const refreshed = await refreshAccessToken(options, String(body.refresh_token));
    expect(refreshed.refreshToken).not.to.equal(body.refresh_token);
    const reused = await refreshAccessToken(options, String(body.refresh_token)).catch((error: unknown) => error);
    expect(reused).to.include({ code: 'invalid_grant', status: 400 });
  });

  it('serves the user endpoints to a valid, unexpired bearer token only', async () => {
    const code = (await decide('approve')).searchParams.get('code')!;
    const { body } = await exchange(code);
    const get = (token: string) => fetch(`${standIn.baseURL}/user/companies`, { headers: { Authorization: `Bearer ${token}` } });
    const ok = await get(String(body.access_token));
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('ratelimit-hourlylimit')).to.equal('1000');
    const companies = ((await ok.json()) as { data: { companies: { access_token: string }[] } }).data.companies;
    expect(companies[0]!.access_token).to.be.a('string');
    const forged = await get('a/forged');
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('retry-after')).to.equal('0');
    standIn.advanceClock(86_400_001);
    expect((await get(String(body.access_token))).status).to.equal(401);
  });

  it('logs a strategy in end to end, as an accountant', async () => {
    standIn.companies = ACCOUNTANT_COMPANIES;
    const strategy = new FattureInCloudStrategy(
      { clientID: standIn.clientID, clientSecret: standIn.clientSecret, callbackURL: REDIRECT, baseURL: standIn.baseURL, state: false },
      (_a, _r, profile, done) => done(null, profile),
    );
    const code = (await decide('approve')).searchParams.get('code')!;
    const outcome = await runStrategy(strategy, { query: { code } });
    if (outcome.kind !== 'success') throw new Error(outcome.kind);
    const profile = outcome.user as { displayName: string; companies: { controlled_companies: unknown[] }[] };
    expect(profile.displayName).to.equal('Mario Rossi');
    expect(profile.companies[0]!.controlled_companies).to.have.length(2);
    expect(JSON.stringify(profile)).not.to.include('access_token');
    expect(standIn.stats).to.deep.include({ authorizeRequests: 0, tokenRequests: 1, apiRequests: 2 });
  });

  describe('GET /c/{company_id}/entities/clients', () => {
    async function tokenFor(scope: string): Promise<string> {
      const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: REDIRECT, scope, decision: 'approve' });
      const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      const code = new URL(decision.headers.get('location')!).searchParams.get('code')!;
      return (await exchange(code)).body.access_token as string;
    }
    const list = (token: string, path = '/c/12345/entities/clients') =>
      fetch(`${standIn.baseURL}${path}`, { headers: { Authorization: `Bearer ${token}` } }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

    it('lists a few clients per company in the documented list shape, paginated', async () => {
      const token = await tokenFor('entity.clients:r');
      const { status, body } = await list(token);
      expect(status).to.equal(200);
      const path = `${standIn.baseURL}/c/12345/entities/clients`;
      expect(body).to.include({ current_page: 1, per_page: 5, total: 3, last_page: 1, from: 1, to: 3, next_page_url: null, path, first_page_url: `${path}?page=1&per_page=5` });
      expect((body.data as { name: string; id: number }[]).map(({ id }) => id)).to.deep.equal([1234501, 1234502, 1234503]);
      const second = await list(token, '/c/12345/entities/clients?per_page=2&page=2');
      expect(second.body).to.include({ current_page: 2, per_page: 2, last_page: 2, from: 3, to: 3, prev_page_url: `${path}?page=1&per_page=2` });
      expect((await list(await tokenFor('entity.clients:a'))).status).to.equal(200);
    });

    it('refuses with the documented 403 without the scope, and for a company that is not the user\'s', async () => {
      const without = await list(await tokenFor('settings:r'));
      expect(without.status).to.equal(403);
      expect(without.body).to.deep.equal({ error: { message: 'This app is not enabled for this: it needs the entity.clients:r or entity.clients:a scope', code: 'NO_PERMISSION' } });
      const foreign = await list(await tokenFor('entity.clients:r'), '/c/999/entities/clients');
      expect(foreign.status).to.equal(403);
      expect((foreign.body.error as { code: string }).code).to.equal('NO_PERMISSION');
      expect((await list('a/not-a-token-it-issued')).status).to.equal(401);
    });

    it('keeps page and per_page within bounds, and ignores what is not a number', async () => {
      const token = await tokenFor('entity.clients:r');
      const bounded = await list(token, '/c/12345/entities/clients?per_page=0&page=99');
      // Past the last page: empty, as the paginator gives it, so a "page until empty" loop ends.
      expect(bounded.body).to.include({ per_page: 1, current_page: 99, last_page: 3, next_page_url: null, from: null, to: null, prev_page_url: `${standIn.baseURL}/c/12345/entities/clients?page=98&per_page=1` });
      expect(bounded.body.data).to.deep.equal([]);
      const odd = await list(token, '/c/12345/entities/clients?per_page=lots&page=1.5');
      expect(odd.body).to.include({ per_page: 5, current_page: 1 });
      const huge = await list(token, '/c/12345/entities/clients?per_page=1000');
      expect(huge.body).to.include({ per_page: 100, total: 3 });
    });

    it('serves the controlled companies of an accountant', async () => {
      standIn.companies = ACCOUNTANT_COMPANIES;
      const { status, body } = await list(await tokenFor('entity.clients:r'), '/c/12347/entities/clients');
      expect(status).to.equal(200);
      expect(body.total).to.equal(3);
    });
  });

  describe('refusals', () => {
    it('answers 404 in the API error shape for unknown routes', async () => {
      const response = await fetch(`${standIn.baseURL}/entities/suppliers`);
      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({ error: { message: 'No route GET /entities/suppliers', code: 'NOT_FOUND' } });
    });

    it('refuses an unknown grant, a missing code, a missing refresh token, a foreign redirect_uri', async () => {
      expect((await postToken({ grant_type: 'password', ...credentials() })).body.error).to.equal('unsupported_grant_type');
      expect((await postToken({ grant_type: 'authorization_code', ...credentials() })).body.error).to.equal('invalid_request');
      expect((await postToken({ grant_type: 'refresh_token', ...credentials() })).body.error).to.equal('invalid_request');
      const code = (await decide('approve')).searchParams.get('code')!;
      const foreign = await postToken({ grant_type: 'authorization_code', ...credentials(), redirect_uri: `${REDIRECT}/`, code });
      expect(foreign.body).to.deep.equal({ error: 'invalid_grant', error_description: 'The redirect_uri does not match.' });
    });

    it('treats unreadable JSON bodies as empty, and refuses huge ones', async () => {
      const post = (body: string) =>
        fetch(`${standIn.baseURL}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(((await (await post('{"grant_type":')).json()) as { error: string }).error).to.equal('invalid_request');
      expect(((await (await post('"a string"')).json()) as { error: string }).error).to.equal('invalid_request');
      expect((await post(`{"pad":"${'x'.repeat(70_000)}"}`)).status).to.equal(500);
    });

    it('refuses a decision with a wrong client, and denies without a state', async () => {
      const form = (fields: Record<string, string>) =>
        fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
      expect((await form({ client_id: 'other', redirect_uri: REDIRECT, decision: 'approve' })).status).to.equal(400);
      const denied = await form({ client_id: standIn.clientID, redirect_uri: REDIRECT, decision: 'deny' });
      const location = new URL(denied.headers.get('location')!);
      expect(location.searchParams.get('error')).to.equal('access_denied');
      expect(location.searchParams.has('state')).to.equal(false);
    });

    it('requires a registered redirect URI', async () => {
      for (const redirectURI of [undefined, [], ['not a url'], 42]) {
        const error = await startFattureInCloudStandIn({ redirectURI } as never).catch((caught: unknown) => caught);
        expect((error as Error).message).to.equal('startFattureInCloudStandIn requires redirectURI: the registered redirect URL, or a list of them');
      }
    });
  });

  it('lets tests change the user, the latency and the clock', async () => {
    standIn.user = { id: 9, name: 'Giulia Verdi' };
    expect(standIn.user.name).to.equal('Giulia Verdi');
    standIn.latency = 60;
    expect(standIn.latency).to.equal(60);
    const started = Date.now();
    expect(await (await fetch(authorizeURL())).text()).to.include('Giulia Verdi');
    expect(Date.now() - started).to.be.at.least(55);
    const before = standIn.now();
    standIn.advanceClock(5000);
    expect(standIn.now() - before).to.be.at.least(5000);
  });
});
