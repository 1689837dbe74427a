import { isLoopbackHost } from '../loopback';
import { DOCUMENT_SCOPES } from '../api/documents';
import { EVENT_TYPES, expandEventType } from '../../webhooks/event-types';
import type { SubscriptionMapping as Mapping, VerificationMethod } from '../../webhooks/subscriptions';

/**
 * The stand-in's webhook subscriptions, as Fatture in Cloud keeps them: one
 * per app, type and company (a type already subscribed comes back as a
 * warning), group types expanded, unverified until the sink answers the
 * challenge, at most five verification attempts ten minutes apart.
 */


export interface StoredSubscription {
  id: string;
  companyID: number;
  sink: string;
  types: string[];
  mapping: Mapping;
  verificationMethod: VerificationMethod;
  verified: boolean;
  verifyAttempts: number;
  /** On the stand-in's clock; 0 before the first. */
  lastVerifyAt: number;
  /** Set by the first failed delivery, cleared by a success; the first failure after it deletes the subscription. */
  expiresAt: number | undefined;
}

export class InvalidSubscription extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const MAX_VERIFY_ATTEMPTS = 5;
export const VERIFY_INTERVAL_MS = 10 * 60 * 1000;
const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);
const PREFIX = 'it.fattureincloud.webhooks.';

export class SubscriptionBook {
  private readonly byID = new Map<string, StoredSubscription>();
  private nextID = 1;

  list(companyID: number): StoredSubscription[] {
    return [...this.byID.values()].filter((each) => each.companyID === companyID);
  }

  get(companyID: number, id: string): StoredSubscription | undefined {
    const subscription = this.byID.get(id);
    return subscription?.companyID === companyID ? subscription : undefined;
  }

  delete(id: string): boolean {
    return this.byID.delete(id);
  }

  /** The verified subscriptions that take an event of `type` for the company. */
  receivers(companyID: number, type: string): StoredSubscription[] {
    return this.list(companyID).filter((each) => each.verified && each.types.includes(type));
  }

  create(companyID: number, data: unknown, scopes: readonly string[]): { subscription: StoredSubscription; warnings: string[] } {
    const fields = objectOf(data);
    const sink = checkSink(fields.sink);
    const { types, warnings } = this.acceptedTypes(companyID, fields.types, undefined);
    if (types.length === 0) throw new InvalidSubscription(409, 'CONFLICT', warnings.join('; ') || 'No event type to subscribe to');
    checkScopes(types, scopes);
    const subscription: StoredSubscription = {
      id: `SUB${this.nextID++}`,
      companyID,
      sink,
      types,
      mapping: oneOf(((fields.config ?? {}) as { mapping?: unknown }).mapping, ['binary', 'structured'], 'config.mapping') ?? 'binary',
      verificationMethod: oneOf(fields.verification_method, ['header', 'query'], 'verification_method') ?? 'header',
      verified: false,
      verifyAttempts: 0,
      lastVerifyAt: 0,
      expiresAt: undefined,
    };
    this.byID.set(subscription.id, subscription);
    return { subscription, warnings };
  }

  /** PUT: the fields sent replace the stored ones; a new sink must be verified again. */
  modify(subscription: StoredSubscription, data: unknown, scopes: readonly string[]): { sinkChanged: boolean; warnings: string[] } {
    const fields = objectOf(data);
    let warnings: string[] = [];
    if (fields.types !== undefined) {
      const accepted = this.acceptedTypes(subscription.companyID, fields.types, subscription.id);
      checkScopes(accepted.types, scopes);
      subscription.types = accepted.types;
      warnings = accepted.warnings;
    }
    const mapping = oneOf(((fields.config ?? {}) as { mapping?: unknown }).mapping, ['binary', 'structured'], 'config.mapping');
    if (mapping) subscription.mapping = mapping;
    const sinkChanged = fields.sink !== undefined && checkSink(fields.sink) !== subscription.sink;
    if (sinkChanged) Object.assign(subscription, { sink: fields.sink as string, verified: false, verifyAttempts: 0, lastVerifyAt: 0 });
    return { sinkChanged, warnings };
  }

  /** The concrete types, less those another subscription of the company already has (warned, as Fatture in Cloud does) and unknown ones. */
  private acceptedTypes(companyID: number, requested: unknown, except: string | undefined): { types: string[]; warnings: string[] } {
    if (!Array.isArray(requested) || !requested.every((type) => typeof type === 'string')) throw new InvalidSubscription(422, 'VALIDATION_ERROR', 'types must be a list of event types');
    const taken = new Set(this.list(companyID).filter((each) => each.id !== except).flatMap((each) => each.types));
    const types: string[] = [];
    const warnings: string[] = [];
    for (const type of new Set(requested.flatMap(expandEventType))) {
      if (!KNOWN.has(type)) warnings.push(`The '${type}' event does not exist`);
      else if (taken.has(type)) warnings.push(`The '${type}' event is already registered for this application`);
      else types.push(type);
    }
    return { types, warnings };
  }
}

/** The subscription as the API answers it (the spec's WebhooksSubscription). */
export function subscriptionView(subscription: StoredSubscription): Record<string, unknown> {
  const { id, sink, verified, types, mapping, verificationMethod } = subscription;
  return { id, sink, verified, types: [...types], config: { mapping }, verification_method: verificationMethod };
}

function objectOf(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidSubscription(422, 'VALIDATION_ERROR', 'The data field is required and must be an object.');
  return data as Record<string, unknown>;
}

/** HTTPS, as Fatture in Cloud requires; the stand-in also takes http:// on loopback, for local receivers. */
function checkSink(sink: unknown): string {
  const url = typeof sink === 'string' ? URL.parse(sink) : null;
  const fine = url !== null && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)));
  if (!fine) throw new InvalidSubscription(422, 'VALIDATION_ERROR', 'The sink must be an https:// URL (the stand-in also takes http:// on a loopback host)');
  return sink as string;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!allowed.includes(value as T)) throw new InvalidSubscription(422, 'VALIDATION_ERROR', `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Reading is enough: each type needs its resource's scope, `:r` or `:a`. */
function checkScopes(types: readonly string[], scopes: readonly string[]): void {
  for (const type of types) {
    const needed = scopesOf(type);
    const missing = needed.find((scope) => !scopes.includes(`${scope}:r`) && !scopes.includes(`${scope}:a`));
    if (missing) throw new InvalidSubscription(403, 'NO_PERMISSION', `The '${type}' event needs the ${missing}:r scope`);
  }
}

const RESOURCE_SCOPES: Record<string, string> = {
  'entities.clients': 'entity.clients',
  'entities.suppliers': 'entity.suppliers',
  products: 'products',
  received_documents: 'received_documents',
  receipts: 'receipts',
  taxes: 'taxes',
  archive_documents: 'archive',
  cashbook: 'cashbook',
  'issued_documents.e_invoices': 'issued_documents.invoices',
  'received_documents.e_invoices': 'received_documents',
};

function scopesOf(type: string): string[] {
  const name = type.slice(PREFIX.length);
  const resource = name.slice(0, name.lastIndexOf('.'));
  if (name === 'products.stock_update') return ['products', 'stock'];
  const documentKind = /^issued_documents\.(\w+)s$/.exec(resource)?.[1];
  const scope = RESOURCE_SCOPES[resource] ?? (documentKind === undefined ? undefined : DOCUMENT_SCOPES[documentKind]);
  return scope === undefined ? [] : [scope];
}
