import { readFileSync } from 'node:fs';
import {
  ClientsApi,
  CompaniesApi,
  Filter,
  IssuedDocumentsApi,
  OAuth2AuthorizationCodeManager,
  Operator,
  ProductsApi,
  Scope,
  SuppliersApi,
  UserApi,
  Configuration,
  type IssuedDocumentType,
} from '@fattureincloud/fattureincloud-ts-sdk';
import axios, { type AxiosInstance } from 'axios';
import { expect } from 'chai';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { parseFilter } from '../lib/testing/api/filter';
import { OpenAPISpec } from './support/openapi';
import { FIELDS_FILE, fieldsSource } from './support/spec-fields';
import { grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const COMPANY = 12345;
const ALL_SCOPES = [
  'entity.clients:a',
  'entity.suppliers:a',
  'products:a',
  'issued_documents.invoices:a',
  'issued_documents.credit_notes:a',
  'issued_documents.quotes:a',
  'issued_documents.proformas:a',
  'issued_documents.receipts:a',
].join(' ');

/** Path templates of the spec, most specific first, for the answers recorded. */
const TEMPLATES: [RegExp, string][] = [
  [/^\/c\/\d+\/company\/info$/, '/c/{company_id}/company/info'],
  [/^\/c\/\d+\/entities\/clients\/\d+$/, '/c/{company_id}/entities/clients/{client_id}'],
  [/^\/c\/\d+\/entities\/clients$/, '/c/{company_id}/entities/clients'],
  [/^\/c\/\d+\/entities\/suppliers\/\d+$/, '/c/{company_id}/entities/suppliers/{supplier_id}'],
  [/^\/c\/\d+\/entities\/suppliers$/, '/c/{company_id}/entities/suppliers'],
  [/^\/c\/\d+\/products\/\d+$/, '/c/{company_id}/products/{product_id}'],
  [/^\/c\/\d+\/products$/, '/c/{company_id}/products'],
  [/^\/c\/\d+\/issued_documents\/\d+$/, '/c/{company_id}/issued_documents/{document_id}'],
  [/^\/c\/\d+\/issued_documents$/, '/c/{company_id}/issued_documents'],
  [/^\/user\/companies$/, '/user/companies'],
  [/^\/user\/info$/, '/user/info'],
];

/**
 * The stand-in as a faithful Fatture in Cloud: the official SDK's API classes
 * for every resource it serves, each answer checked against the official spec;
 * the SDK's Filter, sort, fields and pagination; scopes per operation; the
 * official quickstart's sequence; an invoicing flow as an app would write it.
 */
describe('the stand-in\'s resources, through the official SDK, as the spec says', function () {
  this.timeout(30_000);
  let spec: OpenAPISpec;
  let standIn: FattureInCloudStandIn;
  let http: AxiosInstance;
  let configuration: Configuration;
  const checked = new Set<string>();

  before(() => {
    spec = new OpenAPISpec();
  });
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    const { accessToken } = await grantAtStandIn(standIn, REDIRECT, ALL_SCOPES);
    configuration = new Configuration({ accessToken, basePath: standIn.baseURL });
    http = axios.create();
    // Every answer, success or error, is checked against the spec's schema for its path, method and status.
    const check = (status: number, method: string, url: string, data: unknown): void => {
      const path = new URL(url, standIn.baseURL).pathname;
      const template = TEMPLATES.find(([pattern]) => pattern.test(path))?.[1];
      if (!template || data === '' || data === undefined) return;
      const response = spec.response(template, method, status);
      expect(response.validate(data), `${response.source}: ${JSON.stringify(response.validate.errors)}`).to.equal(true);
      checked.add(response.source);
    };
    http.interceptors.response.use(
      (response) => {
        check(response.status, response.config.method ?? 'get', response.config.url ?? '', response.data);
        return response;
      },
      (error: Error & { response?: { status: number; data: unknown }; config?: { method?: string; url?: string } }) => {
        if (error.response) check(error.response.status, error.config?.method ?? 'get', error.config?.url ?? '', error.response.data);
        return Promise.reject(error);
      },
    );
  });
  afterEach(() => standIn.close());
  after(() => console.log(`      checked against the spec: ${[...checked].join('; ')}`));

  const api = <T>(ApiClass: new (configuration: Configuration, basePath: undefined, axios: AxiosInstance) => T): T => new ApiClass(configuration, undefined, http);
  const statusOf = (call: Promise<unknown>): Promise<number> => call.then(() => 200, (error: unknown) => (error as { response?: { status: number } }).response?.status ?? 0);

  it('keeps lib/testing/api/fields.ts in step with the spec', () => {
    expect(readFileSync(FIELDS_FILE, 'utf8')).to.equal(fieldsSource());
  });

  it('CompaniesApi.getCompanyInfo: the company, and access_info from the granted scopes', async () => {
    const { data } = await api(CompaniesApi).getCompanyInfo(COMPANY);
    expect(data.data?.id).to.equal(COMPANY);
    expect(data.data?.access_info?.permissions?.fic_clients).to.equal('write');
    expect(data.data?.access_info?.permissions?.fic_cashbook).to.equal('none');
    const readOnly = (await grantAtStandIn(standIn, REDIRECT, 'entity.clients:r')).accessToken;
    const info = await new CompaniesApi(new Configuration({ accessToken: readOnly, basePath: standIn.baseURL }), undefined, http).getCompanyInfo(COMPANY);
    expect(info.data.data?.access_info?.permissions?.fic_clients).to.equal('read');
    expect(await statusOf(api(CompaniesApi).getCompanyInfo(999))).to.equal(403);
  });

  for (const [name, ApiClass, list, get, create, modify, remove] of [
    ['clients', ClientsApi, 'listClients', 'getClient', 'createClient', 'modifyClient', 'deleteClient'],
    ['suppliers', SuppliersApi, 'listSuppliers', 'getSupplier', 'createSupplier', 'modifySupplier', 'deleteSupplier'],
    ['products', ProductsApi, 'listProducts', 'getProduct', 'createProduct', 'modifyProduct', 'deleteProduct'],
  ] as const) {
    it(`${name}: list, create keeping every field sent, get, modify, delete; 422 for what the spec makes invalid`, async () => {
      type Calls = Record<string, (...args: unknown[]) => Promise<{ data: { data?: Record<string, unknown> & { id?: number } } }>>;
      const calls = new (ApiClass as unknown as new (...args: unknown[]) => Calls)(configuration, undefined, http);
      const sent =
        name === 'products'
          ? { name: 'Licenza annuale', code: 'LIC-1', net_price: 100, gross_price: 122, use_gross_price: false, measure: 'pz', description: 'Una licenza', category: 'Software', notes: 'n', in_stock: true, stock_initial: 5 }
          : {
              name: 'Comune di Prova', type: 'pa', first_name: 'Mario', last_name: 'Rossi', contact_person: 'Ufficio', vat_number: 'IT01234567890', tax_code: '80012345678', address_street: 'Via Roma 1',
              address_postal_code: '00100', address_city: 'Roma', address_province: 'RM', country: 'Italia', email: 'a@example.com', certified_email: 'pec@example.com', phone: '06 1234', notes: 'note',
              ...(name === 'clients' ? { e_invoice: true, ei_code: 'UFABCD' } : { bank_iban: 'IT60X0542811101000000123456' }),
            };
      const created = (await calls[create]!(COMPANY, { data: sent })).data.data!;
      expect(created).to.include(sent);
      const id = created.id!;
      expect((await calls[get]!(COMPANY, id)).data.data).to.include(sent);
      const listed = await calls[list]!(COMPANY, undefined, undefined, undefined, 1, 100);
      expect((listed.data as { data?: { id?: number }[] }).data?.map((each) => each.id)).to.include(id);
      expect((await calls[modify]!(COMPANY, id, { data: { notes: 'changed' } })).data.data).to.include({ ...sent, notes: 'changed' });
      await calls[remove]!(COMPANY, id);
      expect(await statusOf(calls[get]!(COMPANY, id))).to.equal(404);
      expect(await statusOf(calls[create]!(COMPANY, { data: { notes: 'no name' } }))).to.equal(422);
      if (name !== 'products') expect(await statusOf(calls[create]!(COMPANY, { data: { name: 'x', type: 'alien' } }))).to.equal(422);
    });
  }

  for (const type of ['invoice', 'credit_note', 'quote', 'proforma', 'receipt'] as const) {
    it(`issued documents, ${type}: created with its number and totals, listed by type, read, modified, deleted`, async () => {
      const documents = api(IssuedDocumentsApi);
      const body = (subject: string) => ({
        data: {
          type: type as IssuedDocumentType,
          entity: { name: 'Bianchi Costruzioni S.p.A.' },
          date: '2026-03-10',
          subject,
          items_list: [{ name: 'Consulenza', net_price: 100, qty: 2, vat: { id: 0, value: 22 } }],
        },
      });
      const first = (await documents.createIssuedDocument(COMPANY, body('first'))).data.data!;
      const second = (await documents.createIssuedDocument(COMPANY, body('second'))).data.data!;
      expect([first.number, second.number]).to.deep.equal([1, 2]);
      expect(first).to.include({ amount_net: 200, amount_vat: 44, amount_gross: 244, year: 2026 });
      const listed = await documents.listIssuedDocuments(COMPANY, type);
      expect(listed.data.data?.map((each) => each.id)).to.deep.equal([first.id, second.id]);
      expect((await documents.getIssuedDocument(COMPANY, first.id!)).data.data?.subject).to.equal('first');
      const modified = await documents.modifyIssuedDocument(COMPANY, first.id!, { data: { items_list: [{ name: 'Consulenza', net_price: 50, qty: 1, vat: { id: 0, value: 22 } }] } });
      expect(modified.data.data).to.include({ amount_net: 50, amount_gross: 61, number: 1 });
      await documents.deleteIssuedDocument(COMPANY, second.id!);
      expect(await statusOf(documents.getIssuedDocument(COMPANY, second.id!))).to.equal(404);
    });
  }

  it('finds with the SDK\'s Filter, sorts, cuts to fields, and pages until an empty page', async () => {
    const clients = api(ClientsApi);
    const seeded = standIn.seed({ clients: [{ name: 'Zeta S.r.l.', vat_number: 'IT99999999999', type: 'company' }, { name: 'Alfa S.r.l.', vat_number: 'IT11111111111', type: 'company' }] });
    const byVAT = new Filter().where('vat_number', Operator.EQ, 'IT99999999999');
    const found = await clients.listClients(COMPANY, undefined, undefined, undefined, undefined, undefined, byVAT.buildQuery());
    expect(found.data.data?.map((client) => client.id)).to.deep.equal([seeded.clients[0]!.id]);
    const either = new Filter().where('name', Operator.LIKE, 'Alfa%').or('name', Operator.STARTS_WITH, 'zeta');
    const both = await clients.listClients(COMPANY, 'id,name', undefined, '-name', undefined, 100, either.buildQuery());
    expect(both.data.data).to.deep.equal([
      { id: seeded.clients[0]!.id, name: 'Zeta S.r.l.' },
      { id: seeded.clients[1]!.id, name: 'Alfa S.r.l.' },
    ]);
    const seen: number[] = [];
    for (let page = 1; page < 20; page++) {
      const { data } = await clients.listClients(COMPANY, undefined, undefined, 'id', page, 2);
      if (!data.data?.length) break;
      seen.push(...data.data.map((client) => client.id!));
    }
    expect(seen).to.have.length(5);
    expect(await statusOf(clients.listClients(COMPANY, undefined, undefined, undefined, undefined, undefined, "name = 'unclosed"))).to.equal(422);
  });

  it('enforces scopes per operation: reading needs :r, writing :a, each document type its own; another company is 403', async () => {
    const readOnly = new Configuration({ accessToken: (await grantAtStandIn(standIn, REDIRECT, 'entity.clients:r issued_documents.invoices:r')).accessToken, basePath: standIn.baseURL });
    const clients = new ClientsApi(readOnly, undefined, http);
    expect(await statusOf(clients.listClients(COMPANY))).to.equal(200);
    expect(await statusOf(clients.createClient(COMPANY, { data: { name: 'x' } }))).to.equal(403);
    expect(await statusOf(new SuppliersApi(readOnly, undefined, http).listSuppliers(COMPANY))).to.equal(403);
    const documents = new IssuedDocumentsApi(readOnly, undefined, http);
    expect(await statusOf(documents.listIssuedDocuments(COMPANY, 'invoice'))).to.equal(200);
    expect(await statusOf(documents.listIssuedDocuments(COMPANY, 'quote'))).to.equal(403);
    expect(await statusOf(api(ClientsApi).listClients(999))).to.equal(403);
  });

  it('the official TypeScript quickstart: its scope and state, the token exchange, listUserCompanies, then listSuppliers on the first company', async () => {
    const oauth = new OAuth2AuthorizationCodeManager(standIn.clientID, standIn.clientSecret, REDIRECT, standIn.baseURL);
    const url = new URL(oauth.getAuthorizationUrl([Scope.ENTITY_SUPPLIERS_READ], 'EXAMPLE_STATE'));
    const consent = await fetch(url);
    expect(consent.status).to.equal(200);
    // The consent form, approved as the person would.
    const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: REDIRECT, scope: url.searchParams.get('scope') ?? '', state: 'EXAMPLE_STATE', decision: 'approve' });
    const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const params = oauth.getParamsFromUrl(decision.headers.get('location') ?? '');
    expect(params.state).to.equal('EXAMPLE_STATE');
    const token = await oauth.fetchToken(params.authorizationCode);
    const config = new Configuration({ accessToken: token.accessToken, basePath: standIn.baseURL });
    const companies = await new UserApi(config, undefined, http).listUserCompanies();
    const firstCompany = companies.data.data?.companies?.[0]?.id;
    expect(firstCompany).to.equal(COMPANY);
    const suppliers = await new SuppliersApi(config, undefined, http).listSuppliers(firstCompany!);
    expect(suppliers.data.data?.length).to.be.greaterThan(0);
  });

  it('an invoicing flow: find-or-create the client by VAT number, invoice two items, read it back, list the year\'s invoices', async () => {
    const clients = api(ClientsApi);
    const documents = api(IssuedDocumentsApi);
    const findOrCreate = async (vatNumber: string, name: string): Promise<number> => {
      const q = new Filter().where('vat_number', Operator.EQ, vatNumber).buildQuery();
      const existing = (await clients.listClients(COMPANY, undefined, undefined, undefined, undefined, undefined, q)).data.data?.[0];
      return existing?.id ?? (await clients.createClient(COMPANY, { data: { name, vat_number: vatNumber, type: 'company' } })).data.data!.id!;
    };
    const clientID = await findOrCreate('IT07654321098', 'Nuovo Cliente S.r.l.');
    expect(await findOrCreate('IT07654321098', 'Nuovo Cliente S.r.l.'), 'found the second time, not made again').to.equal(clientID);
    const created = await documents.createIssuedDocument(COMPANY, {
      data: {
        type: 'invoice',
        entity: { id: clientID, name: 'Nuovo Cliente S.r.l.', vat_number: 'IT07654321098' },
        date: '2026-05-04',
        e_invoice: true,
        items_list: [
          { name: 'Sviluppo', net_price: 500, qty: 3, vat: { id: 0, value: 22 } },
          { name: 'Hosting', net_price: 120, qty: 1, vat: { id: 1, value: 10 } },
        ],
      },
    });
    const invoice = (await documents.getIssuedDocument(COMPANY, created.data.data!.id!)).data.data!;
    expect(invoice).to.include({ number: 1, amount_net: 1620, amount_vat: 342, amount_gross: 1962, e_invoice: true });
    const year = new Filter().where('year', Operator.EQ, 2026).buildQuery();
    const listed = await documents.listIssuedDocuments(COMPANY, 'invoice', undefined, undefined, undefined, undefined, undefined, year);
    expect(listed.data.data?.map((each) => each.number)).to.deep.equal([1]);
  });
});

describe('the q filter language', () => {
  const records = [
    { id: 1, name: "L'Osteria", city: 'Roma', amount: 10, active: true, entity: { name: 'A' } },
    { id: 2, name: 'Bar Sport', city: 'Milano', amount: 25, active: false, entity: { name: 'B' } },
    { id: 3, name: 'Caffè', city: null, amount: 40, active: true, entity: { name: 'C' } },
  ];
  const ids = (q: string): number[] => records.filter(parseFilter(q)).map((record) => record.id);

  it('compares, matches and combines as the SDK\'s Filter writes it', () => {
    expect(ids("name = 'bar sport'")).to.deep.equal([2]);
    expect(ids('amount >= 25')).to.deep.equal([2, 3]);
    expect(ids('amount > 10 and amount < 40')).to.deep.equal([2]);
    expect(ids("(city = 'Roma' or city = 'Milano') and active = true")).to.deep.equal([1]);
    expect(ids("city = 'Roma' or city = 'Milano' and active = true")).to.deep.equal([1]);
    expect(ids('city is null')).to.deep.equal([3]);
    expect(ids('city is not null')).to.deep.equal([1, 2]);
    expect(ids("name like '%sport'")).to.deep.equal([2]);
    expect(ids("name not like 'b%'")).to.deep.equal([1, 3]);
    expect(ids("name contains 'ost'")).to.deep.equal([1]);
    expect(ids("name starts with 'caf'")).to.deep.equal([3]);
    expect(ids("name ends with 'rt'")).to.deep.equal([2]);
    expect(ids("name = 'L''Osteria'")).to.deep.equal([1]);
    expect(ids("entity.name <> 'A'")).to.deep.equal([2, 3]);
  });

  it('says where a bad query goes wrong', () => {
    for (const [q, where] of [["name = 'x", 'not closed'], ['name', 'operator'], ['(amount > 1', ') is missing'], ['amount > 1 amount', 'unexpected'], ['city is 3', 'null']] as const) {
      expect(() => parseFilter(q), q).to.throw(/Invalid q at character \d+/).with.property('message').that.includes(where);
    }
  });
});
