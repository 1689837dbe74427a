import { expect } from 'chai';
import { type APIAnswer, type APIRequest, CompanyAPI } from '../lib/testing/api/company-api';
import { ACCOUNTANT_COMPANIES, SINGLE_COMPANY } from '../lib/testing/index';

/** The company API's rules, called directly: what each request makes of the data, and each refusal. */
describe('the stand-in\'s company API, its rules one by one', () => {
  const COMPANY = SINGLE_COMPANY[0]!.id!;
  const ALL = ['entity.clients:a', 'entity.suppliers:a', 'products:a', 'issued_documents.invoices:a', 'issued_documents.credit_notes:a'];
  let api: CompanyAPI;

  beforeEach(() => {
    api = new CompanyAPI({ now: () => Date.parse('2026-12-31T23:30:00Z'), baseURL: () => 'http://127.0.0.1:1', companies: () => SINGLE_COMPANY });
  });

  function call(method: string, path: string, body: Record<string, unknown> = {}, scopes: readonly string[] = ALL, query = ''): APIAnswer {
    const request: APIRequest = { method, companyID: COMPANY, path, query: new URLSearchParams(query), body, scopes };
    return api.answer(request);
  }

  const data = (answer: APIAnswer): Record<string, unknown> => (answer.body as { data: Record<string, unknown> }).data;
  const validation = (answer: APIAnswer): Record<string, string[]> => (answer.body as { error: { validation_result: Record<string, string[]> } }).error.validation_result;

  it('refuses each kind of field that the spec makes invalid, naming the field', () => {
    const answer = call('POST', '/entities/clients', { data: { name: 'x', default_payment_terms: 1.5, default_discount: 'ten', e_invoice: 'yes', default_vat: [1], notes: 3 } });
    expect(answer.status).to.equal(422);
    expect(Object.keys(validation(answer)).sort()).to.deep.equal(['default_discount', 'default_payment_terms', 'default_vat', 'e_invoice', 'notes']);
    expect(validation(answer).default_payment_terms).to.deep.equal(['must be an integer.']);
    expect(validation(call('POST', '/products', { data: { name: 'x', default_vat: 'not an object' } })).default_vat).to.deep.equal(['must be an object.']);
    expect(call('POST', '/entities/clients', { data: 'not an object' }).status).to.equal(422);
    expect(call('POST', '/entities/clients', {}).status).to.equal(422);
  });

  it('keeps nulls and ignores read-only fields and fields the spec does not name', () => {
    const created = data(call('POST', '/products', { data: { name: 'x', notes: null, stock_current: 99, surprise: true, id: 7 } }));
    expect(created).to.include({ name: 'x', notes: null });
    expect(created).not.to.have.any.keys('stock_current', 'surprise');
    expect(created.id).to.not.equal(7);
    expect(created.created_at).to.equal('2026-12-31 23:30:00');
  });

  it('numbers documents per type, year and numeration, dated today in Italy, and keeps a number that is given', () => {
    const invoice = (extra: Record<string, unknown>) => data(call('POST', '/issued_documents', { data: { type: 'invoice', items_list: [], ...extra } }));
    const first = invoice({});
    expect(first).to.include({ date: '2027-01-01', year: 2027, number: 1, numeration: '', amount_net: 0, e_invoice: false });
    expect(invoice({}).number).to.equal(2);
    expect(invoice({ numeration: '/A' }).number).to.equal(1);
    expect(invoice({ date: '2026-06-01' }).number).to.equal(1);
    expect(invoice({ number: 40 }).number).to.equal(40);
    expect(invoice({}).number).to.equal(41);
    expect(data(call('POST', '/issued_documents', { data: { type: 'credit_note' } })).number).to.equal(1);
  });

  it('totals items with discounts and gross prices, and refuses an item without a price', () => {
    const document = data(
      call('POST', '/issued_documents', {
        data: {
          type: 'invoice',
          use_gross_prices: true,
          items_list: [
            { name: 'a', gross_price: 122, vat: { value: 22 } },
            { name: 'b', net_price: 100, qty: 2, discount: 10, vat: { value: 10 } },
            { name: 'c', net_price: 50 },
          ],
        },
      }),
    );
    expect(document).to.include({ amount_net: 330, amount_vat: 40, amount_gross: 370 });
    expect((document.items_list as { net_price: number }[])[0]?.net_price).to.equal(100);
    expect(validation(call('POST', '/issued_documents', { data: { type: 'invoice', items_list: [{ name: 'no price' }] } }))).to.have.key('items_list.0.net_price');
    expect(validation(call('POST', '/issued_documents', { data: { type: 'invoice', items_list: ['not an item'] } }))).to.have.key('items_list.0');
    expect(validation(call('POST', '/issued_documents', { data: { type: 'invoice', date: '31/12/2026' } }))).to.have.key('date');
    expect(validation(call('POST', '/issued_documents', { data: { type: 'nonsense' } }))).to.have.key('type');
    expect(validation(call('GET', '/issued_documents', {}, ALL, 'type=nonsense'))).to.have.key('type');
  });

  it('answers each way a document request can go wrong', () => {
    const id = data(call('POST', '/issued_documents', { data: { type: 'invoice' } })).id as number;
    expect(validation(call('PUT', `/issued_documents/${id}`, { data: { type: 'quote' } }))).to.have.key('type');
    expect(call('PUT', `/issued_documents/${id}`, { data: { subject: 'new' } }).status).to.equal(200);
    expect(call('GET', `/issued_documents/${id}`, {}, ['issued_documents.quotes:a']).status).to.equal(403);
    expect(call('PATCH', `/issued_documents/${id}`).status).to.equal(405);
    expect(call('PATCH', '/issued_documents').status).to.equal(405);
    expect(call('GET', '/issued_documents/abc').status).to.equal(404);
    expect(call('DELETE', `/issued_documents/${id}`).status).to.equal(200);
    expect(call('GET', `/issued_documents/${id}`).status).to.equal(404);
    expect(call('GET', `/issued_documents/${id + 1}`).status).to.equal(404);
  });

  it('answers each way an entity request can go wrong', () => {
    expect(call('PATCH', '/entities/clients').status).to.equal(405);
    expect(call('PATCH', '/entities/clients/1').status).to.equal(405);
    expect(call('PUT', '/entities/clients/999999', { data: { name: 'x' } }).status).to.equal(404);
    expect(call('DELETE', '/entities/clients/999999').status).to.equal(404);
    expect(call('GET', '/entities/nothing').status).to.equal(404);
    expect(call('GET', '/entities/clients', {}, ALL, 'fieldset=everything').status).to.equal(422);
    const basic = (call('GET', '/entities/clients', {}, ALL, 'fieldset=basic').body as { data: Record<string, unknown>[] }).data[0];
    expect(Object.keys(basic ?? {})).to.include.members(['id', 'name']).and.not.include('address_city');
  });

  it('serves an accountant\'s controlled companies, with through_accountant', () => {
    api = new CompanyAPI({ now: () => Date.now(), baseURL: () => 'http://127.0.0.1:1', companies: () => ACCOUNTANT_COMPANIES });
    const controlled = ACCOUNTANT_COMPANIES[0]!.controlled_companies![0]!;
    const answer = api.answer({ method: 'GET', companyID: controlled.id!, path: '/company/info', query: new URLSearchParams(), body: {}, scopes: [] });
    expect(data(answer)).to.deep.include({ id: controlled.id, name: controlled.name });
    expect((data(answer).access_info as { through_accountant: boolean }).through_accountant).to.equal(true);
  });
});
