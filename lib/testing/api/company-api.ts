import type { FattureInCloudCompany } from '../../login/profile';
import { completeDocument, DOCUMENT_SCOPES } from './documents';
import { RESOURCE_SPECS } from './fields';
import { ListingError, listPage, projection } from './listing';
import { type Fields, RecordBook, ValidationError } from './records';
import { sampleClients, sampleProducts, sampleSuppliers } from './samples';

/**
 * The company-scoped API the stand-in serves (`/c/{company_id}/…`), as the
 * official spec describes its paths, parameters, bodies and answers:
 * company info; clients, suppliers and products (list, get, create, modify,
 * delete); issued documents of every type. Scopes are enforced per operation
 * (`:r` lists and reads, `:a` writes), and another company's data is a 403.
 */

export interface APIAnswer {
  status: number;
  /** JSON; undefined for the empty 200 a delete gets. */
  body: unknown;
}

export interface APIRequest {
  method: string;
  companyID: number;
  /** The path after `/c/{company_id}`: `/entities/clients/7`. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The scopes the access token was granted. */
  scopes: readonly string[];
}

export interface StandInContext {
  now(): number;
  baseURL(): string;
  companies(): readonly FattureInCloudCompany[];
}

/** A resource with its own paths: where it lives, its scope, its `basic` fieldset and the webhook events its changes make. */
interface Resource {
  path: string;
  scope: string;
  book: RecordBook;
  basic: readonly string[];
  events: string;
}

export type ChangeAction = 'create' | 'update' | 'delete';

/** A change to a company's data, as the webhook event type Fatture in Cloud sends for it. */
export interface DataChange {
  companyID: number;
  type: string;
  id: number;
}

const EVENT_PREFIX = 'it.fattureincloud.webhooks.';

export class CompanyAPI {
  readonly clients: RecordBook;
  readonly suppliers: RecordBook;
  readonly products: RecordBook;
  readonly issuedDocuments: RecordBook;
  private readonly entities: Resource[];
  /** Told of every record created, changed or deleted, through the API or seeded: the stand-in's webhooks. */
  onChange: (change: DataChange) => void = () => undefined;

  constructor(private readonly context: StandInContext) {
    const now = (): number => context.now();
    this.clients = new RecordBook(RESOURCE_SPECS.client, sampleClients, now);
    this.suppliers = new RecordBook(RESOURCE_SPECS.supplier, sampleSuppliers, now);
    this.products = new RecordBook(RESOURCE_SPECS.product, sampleProducts, now);
    this.issuedDocuments = new RecordBook(RESOURCE_SPECS.issuedDocument, () => [], now);
    const entityBasic = ['id', 'code', 'name', 'type', 'vat_number', 'tax_code', 'email'];
    this.entities = [
      { path: '/entities/clients', scope: 'entity.clients', book: this.clients, basic: entityBasic, events: 'entities.clients' },
      { path: '/entities/suppliers', scope: 'entity.suppliers', book: this.suppliers, basic: entityBasic, events: 'entities.suppliers' },
      { path: '/products', scope: 'products', book: this.products, basic: ['id', 'code', 'name', 'net_price', 'gross_price', 'category'], events: 'products' },
    ];
  }

  answer(request: APIRequest): APIAnswer {
    const notTheirs = notTheirCompany(this.context.companies(), request.companyID);
    if (notTheirs) return notTheirs;
    try {
      return this.route(request);
    } catch (error) {
      if (error instanceof ValidationError) return { status: 422, body: { error: { message: 'The given data was invalid.', code: 'VALIDATION_ERROR', validation_result: error.fields } } };
      if (error instanceof ListingError) return refusal(422, 'VALIDATION_ERROR', error.message);
      throw error;
    }
  }

  /** Records a test puts in place; issued documents numbered and totalled as the API would. */
  seed(companyID: number, data: { clients?: Fields[]; suppliers?: Fields[]; products?: Fields[]; issuedDocuments?: Fields[] }) {
    const [clients, suppliers, products] = this.entities.map((resource, index) => {
      const records = resource.book.seed(companyID, [data.clients, data.suppliers, data.products][index] ?? []);
      for (const record of records) this.changed(companyID, resource.events, 'create', record);
      return records;
    });
    const issuedDocuments = this.issuedDocuments.seed(companyID, data.issuedDocuments ?? [], this.completeDocument(companyID));
    for (const record of issuedDocuments) this.changed(companyID, documentEvents(record), 'create', record);
    return { clients: clients ?? [], suppliers: suppliers ?? [], products: products ?? [], issuedDocuments };
  }

  /** The record as answered, after the change is told. */
  private changed(companyID: number, events: string, action: ChangeAction, record: Fields): Fields {
    this.onChange({ companyID, type: `${EVENT_PREFIX}${events}.${action}`, id: record.id as number });
    return record;
  }

  /** Issued documents get their number and totals as they are saved. */
  completeDocument(companyID: number): (record: Fields) => void {
    return (record) => completeDocument(record, this.issuedDocuments.list(companyID), this.context.now());
  }

  private route(request: APIRequest): APIAnswer {
    const { method, path } = request;
    if (method === 'GET' && path === '/company/info') return ok({ data: companyInfo(this.context.companies(), request.companyID, request.scopes) });
    if (path === '/issued_documents' || path.startsWith('/issued_documents/')) return this.documents(request);
    for (const resource of this.entities) {
      if (path === resource.path) return this.collection(request, resource);
      const id = idIn(path, resource.path);
      if (id !== undefined) return this.member(request, resource, id);
    }
    return refusal(404, 'NOT_FOUND', `No route ${method} /c/{company_id}${path}`);
  }

  private collection(request: APIRequest, resource: Resource): APIAnswer {
    const { method, companyID, query, body, scopes } = request;
    if (method === 'GET') {
      return allowed(scopes, resource.scope, 'r') ?? ok(listPage(resource.book.list(companyID), query, `${this.context.baseURL()}/c/${companyID}${resource.path}`, resource));
    }
    if (method === 'POST') return allowed(scopes, resource.scope, 'a') ?? ok({ data: this.changed(companyID, resource.events, 'create', resource.book.create(companyID, body.data)) });
    return methodNotAllowed(method, resource.path);
  }

  private member(request: APIRequest, resource: Resource, id: number): APIAnswer {
    const { method, companyID, query, body, scopes } = request;
    const need = method === 'GET' ? 'r' : 'a';
    const refused = allowed(scopes, resource.scope, need);
    if (refused) return refused;
    const missing = (): APIAnswer => refusal(404, 'NOT_FOUND', `No ${resource.path.split('/').pop()?.replace(/s$/, '')} with id ${id} in this company`);
    switch (method) {
      case 'GET': {
        const record = resource.book.get(companyID, id);
        return record ? ok({ data: projection(query, resource)(record) }) : missing();
      }
      case 'PUT': {
        const record = resource.book.modify(companyID, id, body.data);
        return record ? ok({ data: this.changed(companyID, resource.events, 'update', record) }) : missing();
      }
      case 'DELETE':
        if (!resource.book.delete(companyID, id)) return missing();
        this.changed(companyID, resource.events, 'delete', { id });
        return { status: 200, body: undefined };
      default:
        return methodNotAllowed(method, `${resource.path}/{id}`);
    }
  }

  /** Issued documents: the scope is the document type's (`issued_documents.invoices:r`, …). */
  private documents(request: APIRequest): APIAnswer {
    const { method, companyID, path, query, body, scopes } = request;
    const book = this.issuedDocuments;
    const resource = { basic: ['id', 'type', 'number', 'numeration', 'date', 'entity', 'amount_net', 'amount_vat', 'amount_gross', 'e_invoice'] };
    if (path === '/issued_documents') {
      if (method === 'GET') {
        const type = query.get('type') ?? '';
        const refused = allowed(scopes, documentScope(type), 'r');
        if (refused) return refused;
        const ofType = book.list(companyID).filter((document) => document.type === type);
        return ok(listPage(ofType, query, `${this.context.baseURL()}/c/${companyID}/issued_documents`, resource));
      }
      if (method !== 'POST') return methodNotAllowed(method, path);
      const type = (body.data as { type?: unknown } | undefined)?.type;
      const refused = allowed(scopes, documentScope(type), 'a');
      if (refused) return refused;
      const created = book.create(companyID, body.data, this.completeDocument(companyID));
      return ok({ data: this.changed(companyID, documentEvents(created), 'create', created) });
    }
    const id = idIn(path, '/issued_documents');
    const current = id === undefined ? undefined : book.get(companyID, id);
    if (id === undefined) return refusal(404, 'NOT_FOUND', `No route ${method} /c/{company_id}${path}`);
    // A document the token may not read is as absent as one that does not exist.
    const scope = DOCUMENT_SCOPES[String(current?.type)];
    const refused = scope === undefined ? undefined : allowed(scopes, scope, method === 'GET' ? 'r' : 'a');
    if (refused) return refused;
    if (!current) return refusal(404, 'NOT_FOUND', `No issued document with id ${id} in this company`);
    switch (method) {
      case 'GET':
        return ok({ data: projection(query, resource)(current) });
      case 'PUT': {
        const type = (body.data as { type?: unknown } | undefined)?.type;
        if (type !== undefined && type !== current.type) throw new ValidationError({ type: ['The type of a document cannot change.'] });
        const modified = book.modify(companyID, id, body.data, this.completeDocument(companyID)) ?? current;
        return ok({ data: this.changed(companyID, documentEvents(modified), 'update', modified) });
      }
      case 'DELETE':
        book.delete(companyID, id);
        this.changed(companyID, documentEvents(current), 'delete', current);
        return { status: 200, body: undefined };
      default:
        return methodNotAllowed(method, '/issued_documents/{document_id}');
    }
  }
}

/** `issued_documents.invoices`: the events of a document's type (each type's plural). */
function documentEvents(document: Fields): string {
  return `issued_documents.${String(document.type)}s`;
}

/** The scope of a document type; a 422 for what is not one. */
function documentScope(type: unknown): string {
  const scope = typeof type === 'string' ? DOCUMENT_SCOPES[type] : undefined;
  if (scope === undefined) throw new ValidationError({ type: [`The type field is required and must be one of ${Object.keys(DOCUMENT_SCOPES).join(', ')}.`] });
  return scope;
}

export function ok(body: unknown): APIAnswer {
  return { status: 200, body };
}

/** An error answer in the API's shape: `{"error":{"message","code"}}`. */
export function refusal(status: number, code: string, message: string): APIAnswer {
  return { status, body: { error: { message, code } } };
}

/** The 403 for a company the user cannot act for; undefined for one of theirs. */
export function notTheirCompany(companies: readonly FattureInCloudCompany[], companyID: number): APIAnswer | undefined {
  return companyIDs(companies).has(companyID) ? undefined : refusal(403, 'NO_PERMISSION', 'You do not have permission to access this company');
}

function methodNotAllowed(method: string, path: string): APIAnswer {
  return refusal(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /c/{company_id}${path}`);
}

/** A 403 unless the token has `scope:a`, or `scope:r` where reading is enough. */
function allowed(scopes: readonly string[], scope: string, need: 'r' | 'a'): APIAnswer | undefined {
  const enough = need === 'r' ? [`${scope}:r`, `${scope}:a`] : [`${scope}:a`];
  if (enough.some((each) => scopes.includes(each))) return undefined;
  return refusal(403, 'NO_PERMISSION', `This app is not enabled for this: it needs the ${enough.join(' or ')} scope`);
}

/** The id in `/collection/{id}`; undefined for any other path. */
function idIn(path: string, collection: string): number | undefined {
  const rest = path.startsWith(`${collection}/`) ? path.slice(collection.length + 1) : '';
  return /^\d{1,15}$/.test(rest) ? Number(rest) : undefined;
}

/** The companies the user can act for, controlled ones included. */
export function companyIDs(companies: readonly FattureInCloudCompany[]): Set<number> {
  const ids = new Set<number>();
  for (const company of companies) {
    if (typeof company.id === 'number') ids.add(company.id);
    for (const id of companyIDs(company.controlled_companies ?? [])) ids.add(id);
  }
  return ids;
}

function findCompany(companies: readonly FattureInCloudCompany[], id: number): { company: FattureInCloudCompany; throughAccountant: boolean } | undefined {
  for (const company of companies) {
    if (company.id === id) return { company, throughAccountant: false };
    const controlled = (company.controlled_companies ?? []).find((each) => each.id === id);
    if (controlled) return { company: controlled, throughAccountant: true };
  }
  return undefined;
}

/** The permission an area gets from the granted scopes: write with `:a`, read with `:r`, none without. */
function level(scopes: readonly string[], ...areas: string[]): 'write' | 'read' | 'none' {
  if (areas.some((area) => scopes.includes(`${area}:a`))) return 'write';
  return areas.some((area) => scopes.includes(`${area}:r`)) ? 'read' : 'none';
}

const PERMISSION_AREAS: Record<string, string[]> = {
  fic_situation: ['situation'],
  fic_clients: ['entity.clients'],
  fic_suppliers: ['entity.suppliers'],
  fic_products: ['products'],
  fic_issued_documents: [...new Set(Object.values(DOCUMENT_SCOPES))],
  fic_received_documents: ['received_documents'],
  fic_receipts: ['receipts'],
  fic_calendar: ['calendar'],
  fic_archive: ['archive'],
  fic_taxes: ['taxes'],
  fic_stock: ['stock'],
  fic_cashbook: ['cashbook'],
  fic_settings: ['settings'],
  fic_emails: ['emails'],
};

/** `GET /c/{company_id}/company/info`: the company, and `access_info` as the granted scopes make it. */
function companyInfo(companies: readonly FattureInCloudCompany[], id: number, scopes: readonly string[]): Record<string, unknown> {
  const found = findCompany(companies, id);
  const company = found?.company ?? {};
  const permissions = Object.fromEntries(Object.entries(PERMISSION_AREAS).map(([name, areas]) => [name, level(scopes, ...areas)]));
  const detailed = Object.fromEntries(
    Object.entries(DOCUMENT_SCOPES)
      .filter(([type]) => ['quote', 'proforma', 'invoice', 'receipt', 'delivery_note', 'credit_note', 'order', 'work_report', 'supplier_order', 'self_invoice'].includes(type))
      .map(([type, scope]) => [`${type}s`, level(scopes, scope)]),
  );
  return {
    id,
    name: company.name ?? null,
    email: null,
    type: company.type ?? 'company',
    access_info: { role: 'master', permissions: { ...permissions, fic_issued_documents_detailed: detailed }, through_accountant: found?.throughAccountant ?? false },
    fic_license_expire: company.fic_license_expire ?? null,
    fic_plan_name: company.fic_plan ?? null,
    plan_info: null,
    accountant_id: null,
    is_accountant: company.type === 'accountant',
  };
}
