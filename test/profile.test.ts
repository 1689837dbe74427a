import { expect } from 'chai';
import nock from 'nock';
import { FattureInCloudAPIError, FattureInCloudError, FattureInCloudStrategy, parseProfile } from '../lib/index';
import { asAPIError, asFattureInCloudError, BASE, CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, CODE, expectNoSecrets, fixture, runStrategy } from './helpers';

const userInfo = fixture('user-info');
const companies = fixture('user-companies');
const accountant = fixture('user-companies-accountant');
const tokens = fixture('token-response') as { access_token: string };
const ACCESS_TOKEN = tokens.access_token;
const COMPANY_TOKENS = ['4ff5f0fe5abcd1d7157fa13ca72ab62b6183db0667a576a0e19164801c18c4f7362a848fa32dbb8c3a3f94c34f3df95', '86690c98be13592e78b763c52fab2ba0c22faa118708ca5273da2b4dcdc7ad1234517107266d463fd9ae424a78c16cde'];

describe('parseProfile', () => {
  it('maps a single-company user', () => {
    const profile = parseProfile(userInfo, companies);
    expect(profile).to.deep.include({
      provider: 'fattureincloud',
      id: '12345',
      displayName: 'Mario Rossi',
      name: { givenName: 'Mario', familyName: 'Rossi' },
      emails: [{ value: 'mario.rossi@example.com' }],
      photos: [{ value: 'picture.jpg' }],
    });
    expect(profile.companies).to.deep.equal([
      {
        id: 12345,
        name: 'Rossi S.r.l.',
        type: 'company',
        controlled_companies: null,
        fic_license_expire: '2027-12-31',
        fic_plan: 'premium',
        connection_id: 94566,
        tax_code: 'RSSMRA80A01H501U',
        vat_number: '01234567890',
      },
    ]);
    expect(profile._json.user).to.deep.equal(userInfo);
    expect(JSON.parse(profile._raw)).to.deep.equal(profile._json);
  });

  it('maps an accountant with controlled companies', () => {
    const profile = parseProfile(userInfo, accountant);
    expect(profile.companies).to.have.length(1);
    const [studio] = profile.companies;
    expect(studio).to.include({ type: 'accountant', fic_plan: 'complete' });
    expect(studio!.controlled_companies!.map((company) => company.name)).to.deep.equal(['Studio Commercialista', 'Mario Rossi SRL']);
    expect(studio!.controlled_companies![1]).to.include({ fic_plan: 'trial', fic_license_expire: '2027-01-31' });
  });

  it('removes every company access token from companies, _json and _raw', () => {
    for (const body of [companies, accountant]) {
      const profile = parseProfile(userInfo, body);
      const everything = JSON.stringify([profile, profile._raw]);
      for (const token of COMPANY_TOKENS) expect(everything).not.to.include(token);
      expect(everything).not.to.include('access_token');
    }
  });

  it('keeps them only with includeCompanyAccessTokens', () => {
    const profile = parseProfile(userInfo, accountant, { includeCompanyAccessTokens: true });
    expect(profile.companies[0]!.access_token).to.equal(COMPANY_TOKENS[0]);
    expect(profile.companies[0]!.controlled_companies![1]!.access_token).to.equal(COMPANY_TOKENS[1]);
  });

  it('does not change the bodies it was given', () => {
    const copy = structuredClone(accountant);
    parseProfile(userInfo, copy);
    expect(copy).to.deep.equal(accountant);
  });

  it('never throws on missing or null fields', () => {
    expect(parseProfile({}, {})).to.deep.include({ id: '', displayName: '', companies: [] });
    expect(parseProfile(null, null).companies).to.deep.equal([]);
    expect(parseProfile({ data: null }, { data: null })).to.deep.include({ id: '' });
    expect(parseProfile({ data: { id: 7, name: null, first_name: null, email: null } }, { data: { companies: null } })).to.deep.include({
      id: '7',
      displayName: '',
    });
    const sparse = parseProfile({ data: { id: 1 } }, { data: { companies: [null, { id: 3, controlled_companies: null }] } });
    expect(sparse.companies).to.deep.equal([{ id: 3, controlled_companies: null }]);
    expect(sparse).not.to.have.any.keys('name', 'emails', 'photos');
  });

  it('falls back from name to first + last name, then to the email', () => {
    expect(parseProfile({ data: { id: 1, first_name: 'Anna', last_name: 'Bianchi' } }, {}).displayName).to.equal('Anna Bianchi');
    expect(parseProfile({ data: { id: 1, last_name: 'Bianchi' } }, {}).name).to.deep.equal({ givenName: '', familyName: 'Bianchi' });
    expect(parseProfile({ data: { id: 1, email: 'a@b.it' } }, {}).displayName).to.equal('a@b.it');
  });

  const wrongShapes: [string, unknown, unknown, RegExp][] = [
    ['companies not an array', userInfo, { data: { companies: { id: 1 } } }, /data\.companies should be an array, got object/],
    ['a company that is a string', userInfo, { data: { companies: ['x'] } }, /companies\[0\] should be an object, got string/],
    ['a numeric name', userInfo, { data: { companies: [{ name: 5 }] } }, /companies\[0\]\.name should be a string, got number/],
    ['a string company id', userInfo, { data: { companies: [{ id: '5' }] } }, /companies\[0\]\.id should be a whole number below 2\^53/],
    ['controlled companies not an array', userInfo, { data: { companies: [{ controlled_companies: 'x' }] } }, /controlled_companies should be an array/],
    ['a user email that is an object', { data: { email: {} } }, companies, /user\/info: data\.email should be a string, got object/],
    ['a user id that is a boolean', { data: { id: true } }, companies, /data\.id should be a whole number below 2\^53, got boolean/],
    ['a body that is an array', [], companies, /user\/info should be an object, got an array/],
  ];
  for (const [name, user, body, message] of wrongShapes) {
    it(`gives one clear error for ${name}`, () => {
      expect(() => parseProfile(user, body)).to.throw(FattureInCloudError, message);
    });
  }
});

describe('userProfile', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  function makeStrategy(options: { includeCompanyAccessTokens?: boolean; skipUserProfile?: boolean; timeout?: number } = {}) {
    return new FattureInCloudStrategy(
      { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, state: false, ...options },
      (_a, _r, profile, done) => done(null, { profile }),
    );
  }

  function loadProfile(strategy: FattureInCloudStrategy): Promise<{ error: unknown; profile: unknown; calls: number }> {
    return new Promise((resolve) => {
      let calls = 0;
      let first: { error: unknown; profile: unknown } | undefined;
      strategy.userProfile(ACCESS_TOKEN, (error, profile) => {
        calls += 1;
        first ??= { error, profile };
        setTimeout(() => resolve({ ...first!, calls }), 20);
      });
    });
  }

  function mockAPI(path: string) {
    return nock(BASE).get(path).matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`).matchHeader('accept', 'application/json');
  }

  it('calls both endpoints with the bearer token, at the same time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const track = (body: unknown) => () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<[number, unknown]>((resolve) =>
        setTimeout(() => {
          inFlight -= 1;
          resolve([200, body]);
        }, 50),
      );
    };
    const info = mockAPI('/user/info').reply(async () => track(userInfo)());
    const list = mockAPI('/user/companies').reply(async () => track(companies)());
    const result = await loadProfile(makeStrategy());
    expect(result.error).to.equal(null);
    expect(maxInFlight).to.equal(2);
    expect(result.calls).to.equal(1);
    expect((result.profile as { id: string }).id).to.equal('12345');
    info.done();
    list.done();
  });

  it('never puts the token in the query string', async () => {
    const paths: string[] = [];
    nock(BASE)
      .get(/.*/)
      .times(2)
      .reply(function (uri) {
        paths.push(uri);
        return [200, uri.startsWith('/user/info') ? userInfo : companies];
      });
    await loadProfile(makeStrategy());
    expect(paths.sort()).to.deep.equal(['/user/companies', '/user/info']);
  });

  it('keeps company tokens only when the app opts in', async () => {
    mockAPI('/user/info').times(2).reply(200, userInfo);
    mockAPI('/user/companies').times(2).reply(200, accountant);
    const without = await loadProfile(makeStrategy());
    expect(JSON.stringify(without.profile)).not.to.include('access_token');
    const withTokens = await loadProfile(makeStrategy({ includeCompanyAccessTokens: true }));
    expect(JSON.stringify(withTokens.profile)).to.include(COMPANY_TOKENS[1]);
  });

  it('makes no API call with skipUserProfile, and logs in', async () => {
    nock(BASE).post('/oauth/token').reply(200, tokens);
    const outcome = await runStrategy(makeStrategy({ skipUserProfile: true }), { query: { code: CODE } });
    expect(outcome.kind).to.equal('success');
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  it('hands the profile to verify during a login', async () => {
    nock(BASE).post('/oauth/token').reply(200, tokens);
    mockAPI('/user/info').reply(200, userInfo);
    mockAPI('/user/companies').reply(200, accountant);
    const outcome = await runStrategy(makeStrategy(), { query: { code: CODE } });
    if (outcome.kind !== 'success') throw new Error(outcome.kind);
    const { profile } = outcome.user as { profile: { displayName: string; companies: unknown[] } };
    expect(profile.displayName).to.equal('Mario Rossi');
    expect(profile.companies).to.have.length(1);
  });

  async function profileError(): Promise<FattureInCloudError> {
    const result = await loadProfile(makeStrategy({ timeout: 200 }));
    expect(result.calls).to.equal(1);
    expectNoSecrets(result.error, [ACCESS_TOKEN, CLIENT_SECRET]);
    return asFattureInCloudError(result.error);
  }

  it('401: the token is invalid or expired, sign in again', async () => {
    mockAPI('/user/info').reply(401, { error: { message: 'Unauthorized', code: 'UNAUTHORIZED' } }, { 'Retry-After': '0' });
    mockAPI('/user/companies').reply(200, companies);
    const error = await profileError();
    expect(error).to.be.instanceOf(FattureInCloudAPIError);
    expect(error).to.include({ status: 401, code: 'UNAUTHORIZED' });
    expect(error.message).to.match(/HTTP 401: Unauthorized \(UNAUTHORIZED\); the access token is invalid or expired; .*sign in again/);
  });

  it('403 licence expired, with Retry-After and rate-limit headers', async () => {
    mockAPI('/user/info').reply(200, userInfo);
    mockAPI('/user/companies').reply(403, fixture('api-error-license-expired'), {
      'Retry-After': '3600',
      'RateLimit-HourlyRemaining': '0',
      'RateLimit-HourlyLimit': '1000',
      'RateLimit-MonthlyRemaining': '39000',
      'RateLimit-MonthlyLimit': '40000',
    });
    const error = asAPIError(await profileError());
    expect(error).to.include({ status: 403, code: 'LICENSE_EXPIRED', retryAfter: 3600 });
    expect(error.rateLimit).to.deep.equal({ hourlyRemaining: 0, hourlyLimit: 1000, monthlyRemaining: 39000, monthlyLimit: 40000 });
    expect(error.message).to.include('License expired. (LICENSE_EXPIRED)');
  });

  it('429 with Retry-After', async () => {
    mockAPI('/user/info').reply(429, { error: { message: 'Too Many Requests', code: 'TOO_MANY_REQUESTS' } }, { 'Retry-After': '42' });
    mockAPI('/user/companies').reply(200, companies);
    const error = asAPIError(await profileError());
    expect(error).to.include({ status: 429, retryAfter: 42 });
    expect(error.message).to.include('retry after 42 s');
  });

  it('a 500 without a JSON body', async () => {
    mockAPI('/user/info').reply(500, 'oops');
    mockAPI('/user/companies').reply(200, companies);
    const error = await profileError();
    expect(error).to.include({ status: 500, code: 'http_500' });
  });

  it('malformed JSON', async () => {
    mockAPI('/user/info').reply(200, `{"data": {"id": 1, "token": "${ACCESS_TOKEN}"`, { 'Content-Type': 'application/json' });
    mockAPI('/user/companies').reply(200, companies);
    const error = await profileError();
    expect(error).to.include({ code: 'invalid_response', status: 200 });
    expect(error.message).to.match(/GET \/user\/info with HTTP 200 and a body that is not JSON/);
  });

  it('a wrong shape', async () => {
    mockAPI('/user/info').reply(200, userInfo);
    mockAPI('/user/companies').reply(200, { data: { companies: 'none' } });
    const error = await profileError();
    expect(error.message).to.match(/data\.companies should be an array/);
  });

  it('a response without a user id', async () => {
    mockAPI('/user/info').reply(200, { data: { name: 'No Id' } });
    mockAPI('/user/companies').reply(200, companies);
    const error = await profileError();
    expect(error.message).to.equal('Fatture in Cloud answered GET /user/info without a user id');
  });

  it('a network error', async () => {
    mockAPI('/user/info').replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    mockAPI('/user/companies').reply(200, companies);
    const error = await profileError();
    expect(error.code).to.equal('network_error');
  });

  it('a timeout', async () => {
    mockAPI('/user/info').reply(200, userInfo);
    mockAPI('/user/companies').delay(1000).reply(200, companies);
    const error = await profileError();
    expect(error.message).to.equal('Fatture in Cloud did not answer GET /user/companies within 200 ms (timeout)');
  });

  it('both calls failing still reports once', async () => {
    mockAPI('/user/info').reply(401, { error: { message: 'Unauthorized' } });
    mockAPI('/user/companies').reply(401, { error: { message: 'Unauthorized' } });
    const error = await profileError();
    expect(error.status).to.equal(401);
  });

  it('passes a profile error to the login exactly once', async () => {
    nock(BASE).post('/oauth/token').reply(200, tokens);
    mockAPI('/user/info').reply(401, { error: { message: 'Unauthorized' } });
    mockAPI('/user/companies').reply(200, companies);
    const outcome = await runStrategy(makeStrategy(), { query: { code: CODE } });
    expect(outcome.kind).to.equal('error');
  });
});
