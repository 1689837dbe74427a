import { expect } from 'chai';
import fc from 'fast-check';
import nock from 'nock';
import { FattureInCloudStrategy } from '../lib/index';
import { BASE, CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, serializations } from './helpers';
import { scaled } from './support/scale';

/**
 * Property-based: whatever the callback query and whatever Fatture in Cloud
 * answers, a login ends in exactly one of success, fail or error, and nothing
 * but a success carries a secret.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? scaled(200, 1000));
const CODE = 'c/fuzz-authorization-code-value';
const ACCESS = 'a/fuzz-access-token-value-000';
const REFRESH = 'r/fuzz-refresh-token-value-00';
const SECRETS = [CLIENT_SECRET, CODE, ACCESS, REFRESH];

const secretish = fc.constantFrom(...SECRETS, 'plain words', '', 'é😀<script>');
const text = fc.oneof(fc.string({ maxLength: 40 }), secretish, secretish.map((secret) => `oops ${secret} leaked`));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const jsonValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }));

const queryValue = fc.oneof(text, fc.array(text, { minLength: 2, maxLength: 3 }), fc.string({ minLength: 4097, maxLength: 4200 }));
const oddQuery = fc.record(
  { code: fc.oneof(fc.constant(CODE), queryValue), state: queryValue, error: fc.oneof(fc.constant('access_denied'), queryValue), error_description: queryValue },
  { requiredKeys: [] },
);
// Weighted so that every outcome, success included, is reached often.
const callbackQuery = fc.oneof({ arbitrary: fc.constant({ code: CODE }), weight: 2 }, { arbitrary: oddQuery, weight: 3 });

// What the adversarial review sent: tokens no header can carry, hostile keys, deep nesting, huge numbers.
const headerHostileToken = fc.constantFrom('a/abc\ndef-injected', 'a/abc\u2028def', 'r/abc\u0100def', `a/${'x'.repeat(5000)}`, 'a/with space');
const hugeNumber = fc.constantFrom(1e13, 1e300, 2 ** 53 + 1, '0x10', '1e3', -0);
const deep = (levels: number) => `{"data":{"companies":[${'{"id":1,"controlled_companies":['.repeat(levels)}${']}'.repeat(levels)}]}}`;
const hostileRaw = fc.constantFrom(
  `{"token_type":"bearer","access_token":"${ACCESS}","refresh_token":"${REFRESH}","expires_in":86400,"__proto__":{"isAdmin":true}}`,
  `{"data":{"id":9007199254740993,"\\u005f_proto__":{"isAdmin":true}}}`,
  '{"data":{"companies":[{"id":18014398509481984}]}}',
  deep(100),
  deep(20_000),
);

const tokenBody = fc.oneof(
  fc.record({ access_token: fc.oneof(fc.constant(ACCESS), headerHostileToken), refresh_token: fc.oneof(fc.constant(REFRESH), headerHostileToken), expires_in: fc.oneof(fc.constant(86400), hugeNumber) }),
  { arbitrary: fc.constant({ token_type: 'bearer', access_token: ACCESS, refresh_token: REFRESH, expires_in: 86400 }), weight: 5 },
  fc.record({ access_token: fc.oneof(fc.constant(ACCESS), jsonValue), refresh_token: fc.oneof(fc.constant(REFRESH), jsonValue), expires_in: jsonValue }, { requiredKeys: [] }),
  fc.record({ error: text, error_description: text }, { requiredKeys: [] }),
  jsonValue,
);
const response = <T>(body: fc.Arbitrary<T>) =>
  fc.record({
    status: fc.oneof({ arbitrary: fc.constant(200), weight: 4 }, { arbitrary: fc.constantFrom(201, 400, 401, 403, 429, 500, 302), weight: 1 }),
    body: fc.oneof(
      { arbitrary: body.map((value) => JSON.stringify(value)), weight: 6 },
      { arbitrary: fc.constantFrom('<html>down</html>', '', '{"trunc'), weight: 1 },
      { arbitrary: hostileRaw, weight: 1 },
    ),
    // Header values must be printable ASCII to be sent at all.
    retryAfter: fc.option(fc.oneof(fc.nat().map(String), fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), fc.constant('Wed, 21 Oct 2037 07:28:00 GMT')), { nil: undefined }),
  });

const userBody = fc.oneof(
  { arbitrary: fc.constant({ data: { id: 1, name: 'Mario' } }), weight: 5 },
  fc.record({ data: fc.oneof(jsonValue, fc.record({ id: fc.oneof(fc.integer(), jsonValue), name: jsonValue, email: jsonValue }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);
const companiesBody = fc.oneof(
  { arbitrary: fc.constant({ data: { companies: [{ id: 1, name: 'Rossi', access_token: 'company-token-secret-xyz' }] } }), weight: 5 },
  fc.record({ data: fc.record({ companies: fc.oneof(jsonValue, fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'type', 'access_token', 'controlled_companies'), jsonValue), { maxLength: 3 })) }, { requiredKeys: [] }) }, { requiredKeys: [] }),
);

const strategy = new FattureInCloudStrategy(
  { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, state: false, timeout: 1000 },
  (_a, _r, profile, done) => done(null, { id: profile.id }),
);

type Outcome = { kind: string; payload: unknown };

/** Runs one login; resolves with every action the strategy took, after it has had time to take a second. */
function login(query: Record<string, unknown>): Promise<Outcome[]> {
  return new Promise((resolve) => {
    const outcomes: Outcome[] = [];
    const instance = Object.create(strategy) as Record<string, unknown> & { authenticate: (req: unknown) => void };
    const record = (kind: string) => (payload: unknown) => {
      outcomes.push({ kind, payload });
      setTimeout(() => resolve(outcomes), 2);
    };
    Object.assign(instance, { success: record('success'), fail: record('fail'), error: record('error'), redirect: record('redirect'), pass: record('pass') });
    instance.authenticate({ query, session: {}, headers: { host: 'localhost' }, url: '/cb', connection: {} });
  });
}

function mockReply(scope: nock.Interceptor, reply: { status: number; body: string; retryAfter: string | undefined }) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (reply.retryAfter !== undefined) headers['Retry-After'] = reply.retryAfter;
  if (reply.status === 302) headers.Location = '/elsewhere';
  scope.reply(reply.status, reply.body, headers);
}

describe(`fuzz: ${RUNS} random logins`, () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  it('always end in exactly one success, fail or error, and never leak a secret', async () => {
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(callbackQuery, response(tokenBody), response(userBody), response(companiesBody), async (query, token, user, companies) => {
        nock.cleanAll();
        mockReply(nock(BASE).post('/oauth/token'), token);
        mockReply(nock(BASE).get('/user/info'), user);
        mockReply(nock(BASE).get('/user/companies'), companies);
        const outcomes = await login(query);
        expect(outcomes).to.have.length(1);
        const [{ kind, payload }] = outcomes as [Outcome];
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        expect(['success', 'fail', 'error', 'redirect']).to.include(kind);
        // A redirect only starts a login, when the query carries nothing of a callback.
        if (kind === 'redirect') expect(query).not.to.have.any.keys('code', 'state', 'error');
        if (kind === 'success') {
          // Never a rounded id, never an inherited key smuggled in.
          const { id } = (payload as { id: string });
          expect(id === '' || Number.isSafeInteger(Number(id)), `unsafe id ${id}`).to.equal(true);
          expect(Object.getOwnPropertyNames(payload)).not.to.include('__proto__');
        } else {
          const serialized = serializations(payload) + JSON.stringify(payload ?? null);
          for (const secret of [...SECRETS, 'company-token-secret-xyz']) expect(serialized).not.to.include(secret);
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`      outcomes over ${RUNS} runs: ${JSON.stringify(Object.fromEntries(kinds))}`);
    // The generators must reach every outcome, or the property proves little.
    expect([...kinds.keys()].sort()).to.include.members(['error', 'fail', 'success']);
  });
});
