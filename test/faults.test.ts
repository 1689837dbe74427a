import { expect } from 'chai';
import nock from 'nock';
import { FattureInCloudError, FattureInCloudStrategy } from '../lib/index';
import { MAX_RESPONSE_BYTES } from '../lib/http/request';
import { type Handler, serve } from './support/loopback';
import { asFattureInCloudError, CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, CODE, expectNoSecrets, fixture, runStrategy } from './helpers';

const ACCESS = 'a/fault-test-access-token-0001';
const REFRESH = 'r/fault-test-refresh-token-0002';
const SECRETS = [CLIENT_SECRET, CODE, ACCESS, REFRESH];
const goodTokens = { token_type: 'bearer', access_token: ACCESS, refresh_token: REFRESH, expires_in: 86400 };

function strategyAt(baseURL: string, timeout = 300) {
  return new FattureInCloudStrategy(
    { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL: CALLBACK_URL, baseURL, timeout, state: false },
    (_a, _r, profile, done) => done(null, { profile }),
  );
}

/** One login against `baseURL`; asserts it ends in exactly one error free of secrets. */
async function loginError(baseURL: string, timeout?: number): Promise<FattureInCloudError> {
  const outcome = await runStrategy(strategyAt(baseURL, timeout), { query: { code: CODE } });
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  expectNoSecrets(outcome.error, SECRETS);
  return asFattureInCloudError(outcome.error);
}

/** Answers the token request well, and the API calls with `api`. */
function tokenThen(api: Handler): Handler {
  return (req, res) => {
    if (req.url === '/oauth/token') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(goodTokens));
    } else api(req, res);
  };
}

describe('transport faults', () => {
  it('connection refused', async () => {
    const { baseURL, close } = await serve(() => undefined);
    await close();
    const error = await loginError(baseURL);
    expect(error.code).to.equal('network_error');
    expect(error.message).to.include('ECONNREFUSED');
  });

  it('connection reset in the middle of the response', async () => {
    const { baseURL, close } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"access_token": "a/partial');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    try {
      const error = await loginError(baseURL);
      expect(error.code).to.equal('network_error');
    } finally {
      await close();
    }
  });

  it('DNS failure', async () => {
    const error = await loginError('http://no-such-host.invalid', 5000);
    expect(error.code).to.equal('network_error');
    expect(error.message).to.match(/ENOTFOUND|EAI_AGAIN/);
  });

  it('a body that drips slower than the timeout', async () => {
    const { baseURL, close } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    try {
      const started = Date.now();
      const error = await loginError(baseURL, 200);
      expect(error.code).to.equal('timeout');
      expect(error.message).to.include('within 200 ms');
      expect(Date.now() - started).to.be.lessThan(2000);
    } finally {
      await close();
    }
  });

  for (const declared of [true, false]) {
    it(`a body over the 1 MiB cap (${declared ? 'declared' : 'chunked'})`, async () => {
      const big = Buffer.alloc(MAX_RESPONSE_BYTES + 1024, 'x');
      const { baseURL, close } = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', ...(declared ? { 'Content-Length': String(big.length) } : {}) });
        res.end(big);
      });
      try {
        const error = await loginError(baseURL);
        expect(error).to.include({ code: 'response_too_large', status: 200 });
      } finally {
        await close();
      }
    });
  }

  it('a redirect from the token endpoint is not followed', async () => {
    let followed = false;
    const { baseURL, close } = await serve((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      res.writeHead(307, { Location: '/elsewhere' }).end();
    });
    try {
      const error = await loginError(baseURL);
      expect(error).to.include({ code: 'unexpected_redirect', status: 307 });
      expect(followed).to.equal(false);
    } finally {
      await close();
    }
  });

  it('a profile endpoint that resets the connection', async () => {
    const { baseURL, close } = await serve(tokenThen((_req, res) => res.socket?.destroy()));
    try {
      expect((await loginError(baseURL)).code).to.equal('network_error');
    } finally {
      await close();
    }
  });
});

describe('wrong types from the provider', () => {
  const BASE = 'https://api-v2.fattureincloud.it';
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  const tokenCases: [string, object, RegExp][] = [
    ['expires_in as a non-numeric string', { ...goodTokens, expires_in: 'tomorrow' }, /expires_in of decimal seconds/],
    ['expires_in missing', { ...goodTokens, expires_in: undefined }, /expires_in of decimal seconds/],
    ['expires_in negative', { ...goodTokens, expires_in: -5 }, /expires_in of decimal seconds/],
    ['access_token a number', { ...goodTokens, access_token: 12345 }, /access_token that is not a string/],
    ['access_token an object', { ...goodTokens, access_token: { value: ACCESS } }, /access_token that is not a string/],
    ['a JSON array', [goodTokens], /access_token that is not a string/],
    ['JSON null', null as unknown as object, /not JSON|access_token that is not a string/],
  ];
  for (const [name, body, message] of tokenCases) {
    it(`token response with ${name}`, async () => {
      nock(BASE).post('/oauth/token').reply(200, JSON.stringify(body), { 'Content-Type': 'application/json' });
      const error = await loginError(BASE);
      expect(error.code).to.equal('invalid_response');
      expect(error.message).to.match(message);
    });
  }

  const profileCases: [string, unknown, unknown, RegExp][] = [
    ['companies not an array', fixture('user-info'), { data: { companies: 'many' } }, /data\.companies should be an array/],
    ['a user name that is a number', { data: { id: 1, name: 42 } }, fixture('user-companies'), /data\.name should be a string/],
    ['data that is a string', { data: 'x' }, fixture('user-companies'), /user\/info: data should be an object/],
    ['a company plan that is an array', fixture('user-info'), { data: { companies: [{ fic_plan: [] }] } }, /fic_plan should be a string/],
  ];
  for (const [name, info, companies, message] of profileCases) {
    it(`profile with ${name}`, async () => {
      nock(BASE).post('/oauth/token').reply(200, goodTokens);
      nock(BASE).get('/user/info').reply(200, JSON.stringify(info), { 'Content-Type': 'application/json' });
      nock(BASE).get('/user/companies').reply(200, JSON.stringify(companies), { 'Content-Type': 'application/json' });
      const error = await loginError(BASE);
      expect(error.code).to.equal('invalid_response');
      expect(error.message).to.match(message);
    });
  }
});
