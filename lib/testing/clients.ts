/**
 * The stand-in's `GET /c/{company_id}/entities/clients`: a few clients per
 * company, in the paginated list shape of the official spec (ListClientsResponse).
 */

export interface StandInClient {
  id: number;
  code: string;
  name: string;
  type: 'company' | 'person';
  vat_number: string;
  tax_code: string;
  address_city: string;
  country: string;
  email: string;
  [field: string]: unknown;
}

const SAMPLE_CLIENTS = [
  { name: 'Avv. Maria Rossi', type: 'person', city: 'Milano', email: 'maria.rossi@example.com' },
  { name: 'Bianchi Costruzioni S.p.A.', type: 'company', city: 'Torino', email: 'amministrazione@bianchi.example.com' },
  { name: 'Trattoria Da Gino', type: 'company', city: 'Bologna', email: 'gino@trattoria.example.com' },
  { name: 'Ferri & Figli S.n.c.', type: 'company', city: 'Napoli', email: 'info@ferri.example.com' },
  { name: 'Dott.ssa Giulia Conti', type: 'person', city: 'Firenze', email: 'giulia.conti@example.com' },
  { name: 'Officina Esposito', type: 'company', city: 'Bari', email: 'officina@esposito.example.com' },
] as const;
const CLIENTS_PER_COMPANY = 3;

/** The same three clients for the same company every time; other companies have others. */
export function clientsOf(companyID: number): StandInClient[] {
  const first = companyID % SAMPLE_CLIENTS.length;
  const samples = [...SAMPLE_CLIENTS.slice(first), ...SAMPLE_CLIENTS.slice(0, first)].slice(0, CLIENTS_PER_COMPANY);
  return samples.map((sample, index) => ({
    id: companyID * 100 + index + 1,
    code: `C${companyID}-${index + 1}`,
    name: sample.name,
    type: sample.type,
    vat_number: `IT${String(companyID * 1000 + index).padStart(11, '0')}`,
    tax_code: `${String(companyID).padStart(8, '0')}${index}`,
    address_city: sample.city,
    country: 'Italia',
    email: sample.email,
  }));
}

/** A company's sample clients, and those an app created, at most MAX_CREATED a company. */
export class ClientBook {
  private readonly created = new Map<number, StandInClient[]>();

  of(companyID: number): StandInClient[] {
    return [...clientsOf(companyID), ...(this.created.get(companyID) ?? [])];
  }

  /** The new client, or what is wrong with `data` (Fatture in Cloud needs a name). */
  create(companyID: number, data: unknown): StandInClient | string {
    const fields = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
    if (typeof fields.name !== 'string' || fields.name.trim() === '') return 'The name field is required.';
    const created = this.created.get(companyID) ?? [];
    if (created.length >= MAX_CREATED) return `The stand-in keeps at most ${MAX_CREATED} new clients a company.`;
    const number = CLIENTS_PER_COMPANY + created.length + 1;
    const client: StandInClient = {
      id: companyID * 100 + number,
      code: typeof fields.code === 'string' ? fields.code : `C${companyID}-${number}`,
      name: fields.name,
      type: fields.type === 'person' ? 'person' : 'company',
      vat_number: typeof fields.vat_number === 'string' ? fields.vat_number : '',
      tax_code: typeof fields.tax_code === 'string' ? fields.tax_code : '',
      address_city: typeof fields.address_city === 'string' ? fields.address_city : '',
      country: typeof fields.country === 'string' ? fields.country : 'Italia',
      email: typeof fields.email === 'string' ? fields.email : '',
    };
    this.created.set(companyID, [...created, client]);
    return client;
  }
}

/** Ids stay within the company's hundred (`companyID * 100 + n`). */
const MAX_CREATED = 90;

/** One page of `clients`, as Fatture in Cloud paginates a list (`page`, `per_page` from the query); `path` is the list's absolute URL. */
export function clientsPage(clients: readonly StandInClient[], query: URLSearchParams, path: string): Record<string, unknown> {
  const perPage = boundedInteger(query.get('per_page'), 5, 1, 100);
  const lastPage = Math.max(1, Math.ceil(clients.length / perPage));
  const page = boundedInteger(query.get('page'), 1, 1, lastPage);
  const from = (page - 1) * perPage;
  const data = clients.slice(from, from + perPage);
  const pageURL = (number: number): string => `${path}?page=${number}&per_page=${perPage}`;
  return {
    current_page: page,
    data,
    first_page_url: pageURL(1),
    from: data.length ? from + 1 : null,
    last_page: lastPage,
    last_page_url: pageURL(lastPage),
    next_page_url: page < lastPage ? pageURL(page + 1) : null,
    path,
    per_page: perPage,
    prev_page_url: page > 1 ? pageURL(page - 1) : null,
    to: data.length ? from + data.length : null,
    total: clients.length,
  };
}

function boundedInteger(value: string | null, fallback: number, min: number, max: number): number {
  const number = value === null ? fallback : Number(value);
  return Number.isInteger(number) ? Math.min(max, Math.max(min, number)) : fallback;
}
