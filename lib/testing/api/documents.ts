import { type Fields, ValidationError } from './records';

/**
 * What Fatture in Cloud derives when an issued document is saved: its date
 * (today, in Italy) and year, its number (the next of its type, year and
 * numeration, unless one is given), each item's net and gross price and the
 * document's totals from the items and their VAT rates.
 */

/** The document types and the scope that reads (`:r`) or writes (`:a`) each. */
export const DOCUMENT_SCOPES: Readonly<Record<string, string>> = {
  invoice: 'issued_documents.invoices',
  quote: 'issued_documents.quotes',
  proforma: 'issued_documents.proformas',
  receipt: 'issued_documents.receipts',
  delivery_note: 'issued_documents.delivery_notes',
  credit_note: 'issued_documents.credit_notes',
  order: 'issued_documents.orders',
  work_report: 'issued_documents.work_reports',
  supplier_order: 'issued_documents.supplier_orders',
  self_own_invoice: 'issued_documents.self_invoices',
  self_supplier_invoice: 'issued_documents.self_invoices',
};

/** Completes `document` in place; `siblings` are the company's other documents, for the numbering. */
export function completeDocument(document: Fields, siblings: readonly Fields[], now: number): void {
  if (typeof document.type !== 'string') throw new ValidationError({ type: ['The type field is required.'] });
  document.date = typeof document.date === 'string' ? document.date : romeDate(now);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(document.date as string)) throw new ValidationError({ date: ['must be a date (YYYY-MM-DD).'] });
  document.year = Number((document.date as string).slice(0, 4));
  document.numeration = typeof document.numeration === 'string' ? document.numeration : '';
  if (typeof document.number !== 'number') document.number = nextNumber(document, siblings);
  document.e_invoice = document.e_invoice === true;
  const items = Array.isArray(document.items_list) ? (document.items_list as unknown[]) : [];
  document.items_list = items.map((item, index) => completeItem(item, index, document.use_gross_prices === true));
  const lines = document.items_list as Fields[];
  const net = round(lines.reduce((sum, item) => sum + lineNet(item), 0));
  const vat = round(lines.reduce((sum, item) => sum + lineNet(item) * rateOf(item), 0));
  document.amount_net = net;
  document.amount_vat = vat;
  document.amount_gross = round(net + vat);
}

function nextNumber(document: Fields, siblings: readonly Fields[]): number {
  const same = siblings.filter((other) => other.id !== document.id && other.type === document.type && other.year === document.year && (other.numeration ?? '') === document.numeration);
  return Math.max(0, ...same.map((other) => (typeof other.number === 'number' ? other.number : 0))) + 1;
}

function completeItem(item: unknown, index: number, grossPrices: boolean): Fields {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ValidationError({ [`items_list.${index}`]: ['must be an object.'] });
  const line = { ...(item as Fields) };
  line.qty = typeof line.qty === 'number' ? line.qty : 1;
  const rate = rateOf(line);
  if (grossPrices && typeof line.gross_price === 'number') line.net_price = round(line.gross_price / (1 + rate), 5);
  if (typeof line.net_price !== 'number') throw new ValidationError({ [`items_list.${index}.net_price`]: ['The net_price field is required (or gross_price with use_gross_prices).'] });
  line.gross_price = round((line.net_price) * (1 + rate), 5);
  line.discount = typeof line.discount === 'number' ? line.discount : 0;
  line.id ??= index + 1;
  return line;
}

function lineNet(item: Fields): number {
  return (item.net_price as number) * (item.qty as number) * (1 - (item.discount as number) / 100);
}

/** The item's VAT rate as a fraction: `vat.value` is a percentage (22 for 22%). */
function rateOf(item: Fields): number {
  const value = (item.vat as { value?: unknown } | undefined)?.value;
  return typeof value === 'number' ? value / 100 : 0;
}

function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Today's date where Fatture in Cloud is: a document dated just after midnight in Rome is that day's. */
function romeDate(now: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
