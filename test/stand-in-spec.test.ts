import { expect } from 'chai';
import { type FattureInCloudStandIn, type StandInFault, startFattureInCloudStandIn } from '../lib/testing/index';
import { OpenAPISpec } from './support/openapi';
import { grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const CLIENTS = '/c/{company_id}/entities/clients';

/** Every API route of the stand-in, each answer it gives checked against the official spec's schema for it. */
describe('the stand-in answers as the official spec says', function () {
  this.timeout(30_000);
  let spec: OpenAPISpec;
  let standIn: FattureInCloudStandIn;
  let full: string;
  let readOnly: string;
  let noClients: string;
  const checked: string[] = [];

  before(() => {
    spec = new OpenAPISpec();
  });
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    full = (await grantAtStandIn(standIn, REDIRECT, 'entity.clients:a')).accessToken;
    readOnly = (await grantAtStandIn(standIn, REDIRECT, 'entity.clients:r')).accessToken;
    noClients = (await grantAtStandIn(standIn, REDIRECT, 'settings:r')).accessToken;
  });
  afterEach(() => standIn.close());
  after(() => {
    // The closing line names every answer checked, so a route left out is seen.
    console.log(`      checked against the spec: ${[...new Set(checked)].join('; ')}`);
  });

  async function answer(method: string, path: string, token: string | undefined, body?: unknown) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${standIn.baseURL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
  }

  async function expectConforms(template: string, method: string, path: string, token: string | undefined, status: number, body?: unknown): Promise<void> {
    const got = await answer(method, path, token, body);
    expect(got.status, `${method} ${path}`).to.equal(status);
    const { validate, headers, source } = spec.response(template, method, status);
    expect(validate(got.body), `${source}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    for (const header of headers) expect(got.headers.get(header), `${source} has ${header}`).to.be.a('string');
    if (status >= 400) {
      expect(got.headers.get('retry-after'), 'every error carries Retry-After').to.match(/^\d+$/);
      expect(got.body).to.have.nested.property('error.message').that.is.a('string');
    }
    checked.push(source);
  }

  it('GET /user/info and GET /user/companies: 200 and 401', async () => {
    for (const template of ['/user/info', '/user/companies']) {
      await expectConforms(template, 'GET', template, readOnly, 200);
      await expectConforms(template, 'GET', template, undefined, 401);
      await expectConforms(template, 'GET', template, 'a/never-issued-token-value', 401);
    }
  });

  it('GET /c/{company_id}/entities/clients: each page, 401 and both 403s', async () => {
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients', readOnly, 200);
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients?per_page=1&page=2', full, 200);
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients?per_page=1&page=3', full, 200);
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients', noClients, 403);
    await expectConforms(CLIENTS, 'GET', '/c/999/entities/clients', readOnly, 403);
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients', undefined, 401);
  });

  it('POST /c/{company_id}/entities/clients: 200, 422, 403 without the write scope', async () => {
    await expectConforms(CLIENTS, 'POST', '/c/12345/entities/clients', full, 200, { data: { name: 'Nuovo Cliente S.r.l.', type: 'company' } });
    await expectConforms(CLIENTS, 'POST', '/c/12345/entities/clients', full, 422, { data: {} });
    await expectConforms(CLIENTS, 'POST', '/c/12345/entities/clients', readOnly, 403, { data: { name: 'x' } });
    await expectConforms(CLIENTS, 'GET', '/c/12345/entities/clients', readOnly, 200);
  });

  it('every fault, on every route', async () => {
    const faults: [StandInFault, number][] = [
      [{ type: 'rate-limited', retryAfter: 7 }, 429],
      [{ type: 'quota-exceeded', period: 'monthly' }, 403],
      [{ type: 'unavailable', status: 502 }, 502],
      [{ type: 'unavailable' }, 503],
      [{ type: 'unavailable', status: 504 }, 504],
      [{ type: 'unauthorized' }, 401],
    ];
    const routes: [string, string, string][] = [['/user/info', 'GET', '/user/info'], ['/user/companies', 'GET', '/user/companies'], [CLIENTS, 'GET', '/c/12345/entities/clients'], [CLIENTS, 'POST', '/c/12345/entities/clients']];
    for (const [fault, status] of faults) {
      for (const [template, method, path] of routes) {
        standIn.failNext(1, fault);
        await expectConforms(template, method, path, full, status, method === 'POST' ? { data: { name: 'x' } } : undefined);
      }
    }
  });
});
