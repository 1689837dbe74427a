/**
 * Fatture in Cloud's webhook event types: the official spec's `EventType`
 * (v2.1.8, 78 values, group types included), in its order. Generated from
 * openapi-enriched.yaml; test/webhook-event-types.test.ts checks it still matches.
 */
export const EVENT_TYPES = [
  'it.fattureincloud.webhooks.issued_documents.invoices.create',
  'it.fattureincloud.webhooks.issued_documents.invoices.update',
  'it.fattureincloud.webhooks.issued_documents.invoices.delete',
  'it.fattureincloud.webhooks.issued_documents.quotes.create',
  'it.fattureincloud.webhooks.issued_documents.quotes.update',
  'it.fattureincloud.webhooks.issued_documents.quotes.delete',
  'it.fattureincloud.webhooks.issued_documents.proformas.create',
  'it.fattureincloud.webhooks.issued_documents.proformas.update',
  'it.fattureincloud.webhooks.issued_documents.proformas.delete',
  'it.fattureincloud.webhooks.issued_documents.receipts.create',
  'it.fattureincloud.webhooks.issued_documents.receipts.update',
  'it.fattureincloud.webhooks.issued_documents.receipts.delete',
  'it.fattureincloud.webhooks.issued_documents.delivery_notes.create',
  'it.fattureincloud.webhooks.issued_documents.delivery_notes.update',
  'it.fattureincloud.webhooks.issued_documents.delivery_notes.delete',
  'it.fattureincloud.webhooks.issued_documents.credit_notes.create',
  'it.fattureincloud.webhooks.issued_documents.credit_notes.update',
  'it.fattureincloud.webhooks.issued_documents.credit_notes.delete',
  'it.fattureincloud.webhooks.issued_documents.orders.create',
  'it.fattureincloud.webhooks.issued_documents.orders.update',
  'it.fattureincloud.webhooks.issued_documents.orders.delete',
  'it.fattureincloud.webhooks.issued_documents.work_reports.create',
  'it.fattureincloud.webhooks.issued_documents.work_reports.update',
  'it.fattureincloud.webhooks.issued_documents.work_reports.delete',
  'it.fattureincloud.webhooks.issued_documents.supplier_orders.create',
  'it.fattureincloud.webhooks.issued_documents.supplier_orders.update',
  'it.fattureincloud.webhooks.issued_documents.supplier_orders.delete',
  'it.fattureincloud.webhooks.issued_documents.self_supplier_invoices.create',
  'it.fattureincloud.webhooks.issued_documents.self_supplier_invoices.update',
  'it.fattureincloud.webhooks.issued_documents.self_supplier_invoices.delete',
  'it.fattureincloud.webhooks.issued_documents.self_own_invoices.create',
  'it.fattureincloud.webhooks.issued_documents.self_own_invoices.update',
  'it.fattureincloud.webhooks.issued_documents.self_own_invoices.delete',
  'it.fattureincloud.webhooks.issued_documents.all.create',
  'it.fattureincloud.webhooks.issued_documents.all.update',
  'it.fattureincloud.webhooks.issued_documents.all.delete',
  'it.fattureincloud.webhooks.received_documents.create',
  'it.fattureincloud.webhooks.received_documents.update',
  'it.fattureincloud.webhooks.received_documents.delete',
  'it.fattureincloud.webhooks.receipts.create',
  'it.fattureincloud.webhooks.receipts.update',
  'it.fattureincloud.webhooks.receipts.delete',
  'it.fattureincloud.webhooks.taxes.create',
  'it.fattureincloud.webhooks.taxes.update',
  'it.fattureincloud.webhooks.taxes.delete',
  'it.fattureincloud.webhooks.archive_documents.create',
  'it.fattureincloud.webhooks.archive_documents.update',
  'it.fattureincloud.webhooks.archive_documents.delete',
  'it.fattureincloud.webhooks.cashbook.create',
  'it.fattureincloud.webhooks.cashbook.update',
  'it.fattureincloud.webhooks.cashbook.delete',
  'it.fattureincloud.webhooks.products.create',
  'it.fattureincloud.webhooks.products.update',
  'it.fattureincloud.webhooks.products.delete',
  'it.fattureincloud.webhooks.products.stock_update',
  'it.fattureincloud.webhooks.entities.clients.create',
  'it.fattureincloud.webhooks.entities.clients.update',
  'it.fattureincloud.webhooks.entities.clients.delete',
  'it.fattureincloud.webhooks.entities.suppliers.create',
  'it.fattureincloud.webhooks.entities.suppliers.update',
  'it.fattureincloud.webhooks.entities.suppliers.delete',
  'it.fattureincloud.webhooks.entities.all.create',
  'it.fattureincloud.webhooks.entities.all.update',
  'it.fattureincloud.webhooks.entities.all.delete',
  'it.fattureincloud.webhooks.issued_documents.e_invoices.status_update',
  'it.fattureincloud.webhooks.received_documents.e_invoices.receive',
  'it.fattureincloud.webhooks.issued_documents.invoices.email_sent',
  'it.fattureincloud.webhooks.issued_documents.quotes.email_sent',
  'it.fattureincloud.webhooks.issued_documents.proformas.email_sent',
  'it.fattureincloud.webhooks.issued_documents.receipts.email_sent',
  'it.fattureincloud.webhooks.issued_documents.delivery_notes.email_sent',
  'it.fattureincloud.webhooks.issued_documents.credit_notes.email_sent',
  'it.fattureincloud.webhooks.issued_documents.orders.email_sent',
  'it.fattureincloud.webhooks.issued_documents.work_reports.email_sent',
  'it.fattureincloud.webhooks.issued_documents.supplier_orders.email_sent',
  'it.fattureincloud.webhooks.issued_documents.self_supplier_invoices.email_sent',
  'it.fattureincloud.webhooks.issued_documents.self_own_invoices.email_sent',
  'it.fattureincloud.webhooks.issued_documents.all.email_sent',
] as const;

/** One of the spec's 78 types. */
export type EventType = (typeof EVENT_TYPES)[number];

type ConstantName<T extends string> = Uppercase<T extends `it.fattureincloud.webhooks.${infer Rest}` ? Replace<Rest> : never>;
type Replace<T extends string> = T extends `${infer Head}.${infer Tail}` ? `${Head}_${Replace<Tail>}` : T;

/**
 * The types by name, as `Scope` has the scopes: `EventType.ENTITIES_CLIENTS_CREATE` is
 * `'it.fattureincloud.webhooks.entities.clients.create'`; `SUBSCRIPTIONS_WELCOME` is the welcome event.
 */
export const EventType = Object.freeze(
  Object.fromEntries([...EVENT_TYPES, 'it.fattureincloud.webhooks.subscriptions.welcome'].map((type) => [type.slice('it.fattureincloud.webhooks.'.length).replaceAll('.', '_').toUpperCase(), type])),
) as { readonly [T in EventType | WelcomeEventType as ConstantName<T>]: T };

/** What a received event's `type` may be: a known type, or one added after this release (its name as sent). */
export type ReceivedEventType = EventType | WelcomeEventType | (string & {});

/** Sent once after a subscription's verification, without being subscribed to. */
export const WELCOME_EVENT = 'it.fattureincloud.webhooks.subscriptions.welcome';
export type WelcomeEventType = typeof WELCOME_EVENT;

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && KNOWN.has(value);
}

const PREFIX = 'it.fattureincloud.webhooks.';
const DOCUMENT_KINDS = ['invoices', 'quotes', 'proformas', 'receipts', 'delivery_notes', 'credit_notes', 'orders', 'work_reports', 'supplier_orders', 'self_supplier_invoices', 'self_own_invoices'];
/** Group types, subscribed to as one and listed as the concrete types they stand for. */
const GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['issued_documents.all', DOCUMENT_KINDS.map((kind) => `issued_documents.${kind}`)],
  ['entities.all', ['entities.clients', 'entities.suppliers']],
]);

/** The concrete types a type stands for: a group type's members, or the type itself. */
export function expandEventType(type: string): string[] {
  const dot = type.lastIndexOf('.');
  const members = GROUPS.get(type.slice(PREFIX.length, dot));
  if (!type.startsWith(PREFIX) || !members) return [type];
  const action = type.slice(dot + 1);
  return members.map((member) => `${PREFIX}${member}.${action}`).filter((each) => KNOWN.has(each));
}
