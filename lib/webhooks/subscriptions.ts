import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhooksApi, WebhooksSubscription } from '@fattureincloud/fattureincloud-ts-sdk';
import { checkDuration, describeValue } from '../config';
import { FattureInCloudAPIError } from '../errors';
import { channels, publish } from '../events';
import type { FattureInCloudQuota, QuotaPriority } from '../quota/quota';
import type { FattureInCloudTokens } from '../tokens/manager';
import { expandEventType, type EventType } from './event-types';

/**
 * Subscriptions kept alive, through the SDK binding (so every call has a
 * fresh token, the quota and the call policy). Fatture in Cloud keeps one
 * subscription per app, type and company; a subscription is lost after
 * 10 days of failed deliveries, a 410, or five failed verifications, and only
 * a new one (verified) brings events back. `ensureSubscription` at each login
 * or deploy and `reconcileSubscriptions` once a day keep it so.
 */

export type SubscriptionMapping = 'binary' | 'structured';
export type VerificationMethod = 'header' | 'query';

export interface EnsureSubscriptionOptions {
  tokens: FattureInCloudTokens;
  /** The key the user's token set was saved under (`profile.id`). */
  key: string;
  /** The company whose changes to follow (the user's). */
  companyID: number;
  /** The receiver's public URL (HTTPS for Fatture in Cloud; the stand-in also takes http on loopback). */
  sink: string;
  /** The types to receive; a group type (`…entities.all.create`) stands for its members. */
  types: readonly (EventType | (string & {}))[];
  /** Default `binary`. */
  mapping?: SubscriptionMapping | undefined;
  /** Default `header`. */
  verificationMethod?: VerificationMethod | undefined;
  /** How long to wait for the verification, in ms. Default 30000; 0 asks for it and does not wait. */
  verifyTimeout?: number | undefined;
  /** Passed to the SDK binding (fattureInCloudSDK): the company's quota, its priority, a timeout, a baseURL. */
  sdk?: SubscriptionSDKOptions | undefined;
}

export interface SubscriptionSDKOptions {
  baseURL?: string | undefined;
  timeout?: number | undefined;
  quota?: FattureInCloudQuota | undefined;
  priority?: QuotaPriority | undefined;
}

/** A subscription as Fatture in Cloud lists it (the spec's WebhooksSubscription), its nullable id, types and verified filled in. */
export interface WebhookSubscription {
  id: string;
  sink?: string | null | undefined;
  verified: boolean;
  types: string[];
  config?: { mapping?: SubscriptionMapping | undefined } | null | undefined;
  verification_method?: VerificationMethod | null | undefined;
}

export interface EnsuredSubscription {
  subscription: WebhookSubscription;
  /** A subscription was created (none had this sink). */
  created: boolean;
  /** Types were added to the subscription that had this sink. */
  updated: boolean;
  /** The subscription was unverified and a new verification was asked for. */
  reverified: boolean;
  verified: boolean;
  /** Fatture in Cloud's warnings: a type already registered for this app (at another sink) or unknown. */
  warnings: string[];
}

export interface ReconcileTarget {
  key: string;
  companyID: number;
}

export interface ReconcileOptions extends Omit<EnsureSubscriptionOptions, 'key' | 'companyID'> {
  targets: readonly ReconcileTarget[];
  /** Stops before the next target. */
  signal?: AbortSignal | undefined;
}

export interface ReconciledTarget extends ReconcileTarget {
  subscriptionID: string;
}

export interface ReconcileResult {
  created: ReconciledTarget[];
  reverified: ReconciledTarget[];
  failed: (ReconcileTarget & { error: unknown })[];
}

const DEFAULT_VERIFY_TIMEOUT_MS = 30_000;
/** The verification usually lands within a few ms of the create: look soon, then less often. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;

type WebhooksAPIModule = typeof import('../sdk/webhooks-api');

/** The SDK loads here, at the first call: the receiver alone never needs it. */
function webhooksAPI(options: EnsureSubscriptionOptions): WebhooksApi {
  const { webhooksAPI: bind } = require('../sdk/webhooks-api') as WebhooksAPIModule;
  return bind({ ...options.sdk, tokens: options.tokens, key: options.key });
}

/** Creates what is missing (never a duplicate), asks again for a verification that failed, waits for it. */
export async function ensureSubscription(options: EnsureSubscriptionOptions): Promise<EnsuredSubscription> {
  const settings = checkOptions(options, 'ensureSubscription');
  const api = webhooksAPI(options);
  const { companyID } = settings;
  const ensured = await createOrExtend(api, settings);
  const { subscription } = ensured;
  if (ensured.created || ensured.updated) publish(channels.subscriptionCreated, () => ({ companyID, subscriptionID: subscription.id, types: subscription.types }));
  if (subscription.verified) return { ...ensured, reverified: false, verified: true };
  const reverified = !ensured.created && (await askVerification(api, settings, subscription.id));
  const latest = await awaitVerification(api, settings, subscription.id);
  return { ...ensured, subscription: latest ?? subscription, reverified, verified: latest?.verified === true };
}

type Settings = { [K in keyof Omit<EnsureSubscriptionOptions, 'sdk' | 'tokens' | 'key'>]-?: NonNullable<EnsureSubscriptionOptions[K]> } & { wanted: string[] };

/** The API's subscription with its nullable fields filled in. */
function listed(subscription: WebhooksSubscription | undefined): WebhookSubscription {
  const { id, sink, types, verified, config, verification_method } = subscription ?? {};
  return { id: id ?? '', sink, types: types ?? [], verified: verified === true, config, verification_method };
}

/** The company's subscriptions at this sink. */
async function atSink(api: WebhooksApi, settings: Settings): Promise<WebhookSubscription[]> {
  const { data } = await api.listWebhooksSubscriptions(settings.companyID);
  return (data.data ?? []).filter((each) => sameSink(each.sink, settings.sink)).map(listed);
}

async function createOrExtend(api: WebhooksApi, settings: Settings): Promise<Omit<EnsuredSubscription, 'reverified' | 'verified'>> {
  const { companyID, sink, wanted, mapping, verificationMethod } = settings;
  const mine = await atSink(api, settings);
  const covered = new Set(mine.flatMap((each) => each.types));
  const missing = wanted.filter((type) => !covered.has(type));
  const [current] = mine;
  if (current && missing.length === 0) return { subscription: current, created: false, updated: false, warnings: [] };
  if (current) {
    const types = [...current.types, ...missing] as NonNullable<WebhooksSubscription['types']>;
    const { data } = await api.modifyWebhooksSubscription(companyID, current.id, { data: { types } });
    return { subscription: listed(data.data), created: false, updated: true, warnings: warningsOf(data.warnings) };
  }
  try {
    const { data } = await api.createWebhooksSubscription(companyID, {
      data: { sink, types: missing as NonNullable<WebhooksSubscription['types']>, config: { mapping: mapping as never }, verification_method: verificationMethod as never },
    });
    return { subscription: listed(data.data), created: true, updated: false, warnings: warningsOf(data.warnings) };
  } catch (error) {
    // Another process created it between our list and our create: take theirs.
    const [theirs] = error instanceof FattureInCloudAPIError && error.status === 409 ? await atSink(api, settings) : [];
    if (!theirs) throw error;
    return { subscription: theirs, created: false, updated: false, warnings: [] };
  }
}

/** POST …/verify: refused when the last attempt was under 10 minutes ago, or after five; that is not an error here. */
async function askVerification(api: WebhooksApi, settings: Settings, id: string): Promise<boolean> {
  try {
    await api.verifyWebhooksSubscription(settings.companyID, id, { data: { verification_method: settings.verificationMethod as never } });
    return true;
  } catch (error) {
    if (error instanceof FattureInCloudAPIError && error.status !== undefined && error.status < 500 && error.status !== 401 && error.status !== 429) return false;
    throw error;
  }
}

/** Polls the subscription until it is verified, gone (lost: undefined) or the time is up. */
async function awaitVerification(api: WebhooksApi, settings: Settings, id: string): Promise<WebhookSubscription | undefined> {
  const deadline = Date.now() + settings.verifyTimeout;
  const { companyID } = settings;
  for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
    const subscription = await stillThere(api, companyID, id);
    if (!subscription) {
      publish(channels.subscriptionLost, () => ({ companyID, subscriptionID: id, types: settings.wanted }));
      return undefined;
    }
    if (subscription.verified) {
      publish(channels.subscriptionVerified, () => ({ companyID, subscriptionID: id, types: subscription.types }));
      return subscription;
    }
    if (Date.now() + poll > deadline) return subscription;
    await sleep(poll);
  }
}

/** The subscription as it is now; undefined once Fatture in Cloud deleted it (404). */
async function stillThere(api: WebhooksApi, companyID: number, id: string): Promise<WebhookSubscription | undefined> {
  try {
    return listed((await api.getWebhooksSubscription(companyID, id)).data.data);
  } catch (error) {
    if (error instanceof FattureInCloudAPIError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The daily job: every target's subscription brought back. A target with no
 * subscription at the sink lost it (expired, 410, five failed verifications):
 * it is created again; an unverified one is asked to verify again. Targets
 * run one after another (each costs one or two requests of its company's quota).
 */
export async function reconcileSubscriptions(options: ReconcileOptions): Promise<ReconcileResult> {
  const targets = (options as Partial<ReconcileOptions> | undefined)?.targets;
  if (!Array.isArray(targets)) throw new TypeError(`reconcileSubscriptions: targets must be a list of { key, companyID }, got ${describeValue(targets)}`);
  const result: ReconcileResult = { created: [], reverified: [], failed: [] };
  for (const { key, companyID } of targets as readonly ReconcileTarget[]) {
    options.signal?.throwIfAborted();
    try {
      const ensured = await ensureSubscription({ verifyTimeout: 0, ...options, key, companyID });
      const done = { key, companyID, subscriptionID: ensured.subscription.id };
      if (ensured.created) {
        publish(channels.subscriptionLost, () => ({ companyID, subscriptionID: undefined, types: ensured.subscription.types }));
        result.created.push(done);
      } else if (ensured.reverified) result.reverified.push(done);
    } catch (error) {
      result.failed.push({ key, companyID, error });
    }
  }
  return result;
}

function sameSink(listed: string | null | undefined, sink: string): boolean {
  return typeof listed === 'string' && (listed === sink || URL.parse(listed)?.href === URL.parse(sink)?.href);
}

function warningsOf(warnings: unknown): string[] {
  if (Array.isArray(warnings)) return warnings.filter((each): each is string => typeof each === 'string');
  return typeof warnings === 'string' ? [warnings] : [];
}

function checkOptions(options: EnsureSubscriptionOptions, where: string): Settings {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError(`${where} needs options ({ tokens, key, companyID, sink, types }), got ${describeValue(options)}`);
  const { companyID, sink, types, mapping = 'binary', verificationMethod = 'header' } = options;
  if (!Number.isSafeInteger(companyID) || companyID <= 0) throw new TypeError(`${where}: companyID must be a company's id, got ${describeValue(companyID)}`);
  if (typeof (sink as unknown) !== 'string' || !/^https?:$/.test(URL.parse(sink)?.protocol ?? '')) throw new TypeError(`${where}: sink must be the receiver's public URL, got ${describeValue(sink)}`);
  if (!Array.isArray(types) || types.length === 0 || !types.every((type) => typeof type === 'string' && type !== '')) throw new TypeError(`${where}: types must be a non-empty list of event types, got ${describeValue(types)}`);
  if (!['binary', 'structured'].includes(mapping)) throw new TypeError(`${where}: mapping must be 'binary' or 'structured', got ${describeValue(mapping)}`);
  if (!['header', 'query'].includes(verificationMethod)) throw new TypeError(`${where}: verificationMethod must be 'header' or 'query', got ${describeValue(verificationMethod)}`);
  const verifyTimeout = options.verifyTimeout === undefined ? DEFAULT_VERIFY_TIMEOUT_MS : options.verifyTimeout === 0 ? 0 : checkDuration(options.verifyTimeout, `${where}: verifyTimeout`);
  return { companyID, sink, types, mapping, verificationMethod, verifyTimeout, wanted: [...new Set(types.flatMap(expandEventType))] };
}
