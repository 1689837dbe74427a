/**
 * What each company holds before a test touches it: three clients, two
 * suppliers and two products, the same for the same company every time.
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

/** The sample clients as records the stand-in keeps. */
export function sampleClients(companyID: number): Record<string, unknown>[] {
  return clientsOf(companyID);
}

export function sampleSuppliers(companyID: number): Record<string, unknown>[] {
  return [
    { id: companyID * 100 + 51, code: `S${companyID}-1`, name: 'Cartoleria Moderna S.r.l.', type: 'company', vat_number: `IT${String(companyID * 1000 + 51).padStart(11, '0')}`, address_city: 'Roma', country: 'Italia', email: 'ordini@cartoleria.example.com' },
    { id: companyID * 100 + 52, code: `S${companyID}-2`, name: 'Energia Pulita S.p.A.', type: 'company', vat_number: `IT${String(companyID * 1000 + 52).padStart(11, '0')}`, address_city: 'Genova', country: 'Italia', email: 'fatture@energia.example.com' },
  ];
}

export function sampleProducts(companyID: number): Record<string, unknown>[] {
  return [
    { id: companyID * 100 + 71, code: 'CONS-H', name: 'Consulenza oraria', net_price: 80, gross_price: 97.6, use_gross_price: false, measure: 'ore', category: 'Servizi', in_stock: false },
    { id: companyID * 100 + 72, code: 'MANUT-Y', name: 'Manutenzione annuale', net_price: 1200, gross_price: 1464, use_gross_price: false, measure: 'anni', category: 'Servizi', in_stock: false },
  ];
}
