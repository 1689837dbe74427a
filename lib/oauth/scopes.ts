/**
 * The 44 scopes Fatture in Cloud accepts, under the official SDK's names
 * (`:r` → `_READ`, `:a` → `_ALL`, `.` → `_`).
 */
export const Scope = {
  ARCHIVE_ALL: 'archive:a',
  ARCHIVE_READ: 'archive:r',
  CALENDAR_ALL: 'calendar:a',
  CALENDAR_READ: 'calendar:r',
  CASHBOOK_ALL: 'cashbook:a',
  CASHBOOK_READ: 'cashbook:r',
  EMAILS_READ: 'emails:r',
  ENTITY_CLIENTS_ALL: 'entity.clients:a',
  ENTITY_CLIENTS_READ: 'entity.clients:r',
  ENTITY_SUPPLIERS_ALL: 'entity.suppliers:a',
  ENTITY_SUPPLIERS_READ: 'entity.suppliers:r',
  ISSUED_DOCUMENTS_CREDIT_NOTES_ALL: 'issued_documents.credit_notes:a',
  ISSUED_DOCUMENTS_CREDIT_NOTES_READ: 'issued_documents.credit_notes:r',
  ISSUED_DOCUMENTS_DELIVERY_NOTES_ALL: 'issued_documents.delivery_notes:a',
  ISSUED_DOCUMENTS_DELIVERY_NOTES_READ: 'issued_documents.delivery_notes:r',
  ISSUED_DOCUMENTS_INVOICES_ALL: 'issued_documents.invoices:a',
  ISSUED_DOCUMENTS_INVOICES_READ: 'issued_documents.invoices:r',
  ISSUED_DOCUMENTS_ORDERS_ALL: 'issued_documents.orders:a',
  ISSUED_DOCUMENTS_ORDERS_READ: 'issued_documents.orders:r',
  ISSUED_DOCUMENTS_PROFORMAS_ALL: 'issued_documents.proformas:a',
  ISSUED_DOCUMENTS_PROFORMAS_READ: 'issued_documents.proformas:r',
  ISSUED_DOCUMENTS_QUOTES_ALL: 'issued_documents.quotes:a',
  ISSUED_DOCUMENTS_QUOTES_READ: 'issued_documents.quotes:r',
  ISSUED_DOCUMENTS_RECEIPTS_ALL: 'issued_documents.receipts:a',
  ISSUED_DOCUMENTS_RECEIPTS_READ: 'issued_documents.receipts:r',
  ISSUED_DOCUMENTS_SELF_INVOICES_ALL: 'issued_documents.self_invoices:a',
  ISSUED_DOCUMENTS_SELF_INVOICES_READ: 'issued_documents.self_invoices:r',
  ISSUED_DOCUMENTS_SUPPLIER_ORDERS_ALL: 'issued_documents.supplier_orders:a',
  ISSUED_DOCUMENTS_SUPPLIER_ORDERS_READ: 'issued_documents.supplier_orders:r',
  ISSUED_DOCUMENTS_WORK_REPORTS_ALL: 'issued_documents.work_reports:a',
  ISSUED_DOCUMENTS_WORK_REPORTS_READ: 'issued_documents.work_reports:r',
  PRODUCTS_ALL: 'products:a',
  PRODUCTS_READ: 'products:r',
  RECEIPTS_ALL: 'receipts:a',
  RECEIPTS_READ: 'receipts:r',
  RECEIVED_DOCUMENTS_ALL: 'received_documents:a',
  RECEIVED_DOCUMENTS_READ: 'received_documents:r',
  SETTINGS_ALL: 'settings:a',
  SETTINGS_READ: 'settings:r',
  SITUATION_READ: 'situation:r',
  STOCK_ALL: 'stock:a',
  STOCK_READ: 'stock:r',
  TAXES_ALL: 'taxes:a',
  TAXES_READ: 'taxes:r',
} as const;

/** One of the 44 scope strings Fatture in Cloud accepts, such as `'entity.clients:r'`. */
export type FattureInCloudScope = (typeof Scope)[keyof typeof Scope];

/** What `scope` accepts: a list of scopes, or one space-separated string. */
export type ScopeInput = readonly FattureInCloudScope[] | string;

const VALID_SCOPES: ReadonlySet<string> = new Set(Object.values(Scope));

/** Suggestions further than this many edits away are noise, not typos. */
const MAX_SUGGESTION_DISTANCE = 3;

export function isFattureInCloudScope(value: unknown): value is FattureInCloudScope {
  return typeof value === 'string' && VALID_SCOPES.has(value);
}

/**
 * Checks every scope and joins them with one space, as Fatture in Cloud expects.
 * Throws a TypeError naming the first unknown scope (and the nearest valid one).
 */
export function normalizeScope(input: unknown, where: string): string {
  const scopes = splitScopes(input, where);
  for (const scope of scopes) {
    if (!VALID_SCOPES.has(scope)) throw new TypeError(unknownScopeMessage(scope, where));
  }
  return scopes.join(' ');
}

function splitScopes(input: unknown, where: string): string[] {
  if (typeof input === 'string') return input.split(/\s+/).filter(Boolean);
  if (Array.isArray(input)) {
    return input.map((scope: unknown) => {
      if (typeof scope !== 'string') {
        throw new TypeError(`${where}: every scope must be a string, got ${typeof scope}`);
      }
      return scope.trim();
    });
  }
  throw new TypeError(
    `${where}: scope must be an array of scopes or a space-separated string, got ${typeof input}`,
  );
}

function unknownScopeMessage(scope: string, where: string): string {
  const nearest = nearestScope(scope);
  const hint = nearest ? ` Did you mean "${nearest}"?` : ' See Scope for the 44 valid scopes.';
  return `${where}: "${scope}" is not a Fatture in Cloud scope.${hint}`;
}

function nearestScope(scope: string): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const candidate of VALID_SCOPES) {
    const distance = editDistance(scope, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance, on two rows. */
// Every index below is in range by construction of the rows.
/* eslint-disable @typescript-eslint/no-non-null-assertion */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
/* eslint-enable @typescript-eslint/no-non-null-assertion */
