import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * What the package does, published on `node:diagnostics_channel` as undici and
 * Fastify do: free when nobody subscribes (each publisher checks
 * `hasSubscribers` before it builds a payload). No payload holds a token, a
 * code, the client secret or provider text. A subscriber that throws does not
 * break the package's work: Node reports its exception as uncaught, on its own tick.
 */

export interface TokenRefreshEvent {
  key: string;
  /** `adopted`: another caller or process refreshed, and this one took its set. */
  outcome: 'refreshed' | 'adopted' | 'dead' | 'failed';
  durationMs: number;
  /** How long it waited for another holder's lock before it had the lock or the answer. */
  waitedForLockMs: number;
  /** The error's code, for `failed`. */
  code?: string | undefined;
}

export interface DeadGrantEvent {
  key: string;
}

export interface StoreErrorEvent {
  key: string;
  operation: string;
  code: string;
}

export interface APIRetryEvent {
  reason: 'unauthorized' | 'rate-limited' | 'unavailable';
  method: string;
  path: string;
  waitMs: number;
}

export interface LoginEvent {
  userId: string | undefined;
  durationMs: number;
}

export interface LoginFailedEvent {
  /** A code: `access_denied`, `state_refused`, `invalid_grant`, `timeout`, … */
  reason: string;
}

export interface QuotaEvent {
  /** The company, or undefined for calls outside a company. */
  companyID: number | undefined;
  window: 'hour' | 'month';
  /** Seconds until calls may be sent again. */
  retryAfter: number;
}

export interface WebhookReceivedEvent {
  id: string;
  type: string;
  companyID: number;
  /** `handled`: the app's handlers resolved; `failed`: one threw (5xx, retried); `timeout`: not resolved within handlerTimeout (5xx). */
  outcome: 'handled' | 'failed' | 'timeout' | 'unsubscribed';
  durationMs: number;
}

export interface WebhookDuplicateEvent {
  id: string;
  type: string;
  companyID: number;
}

export interface WebhookRefusedEvent {
  /** `bad_signature`, `expired`, `wrong_audience`, `wrong_id`, `malformed`, `too_large`, … */
  reason: string;
  status: number;
}

export interface SubscriptionEvent {
  companyID: number;
  subscriptionID: string | undefined;
  types: readonly string[];
}

/** The channel names, for `diagnostics_channel.subscribe(CHANNELS.tokenRefresh, …)`. */
export const CHANNELS = {
  tokenRefresh: 'fattureincloud:token:refresh',
  deadGrant: 'fattureincloud:token:dead-grant',
  storeError: 'fattureincloud:store:error',
  apiRetry: 'fattureincloud:api:retry',
  login: 'fattureincloud:login',
  loginFailed: 'fattureincloud:login:failed',
  quotaExhausted: 'fattureincloud:quota:exhausted',
  quotaPaused: 'fattureincloud:quota:paused',
  webhookReceived: 'fattureincloud:webhook:received',
  webhookDuplicate: 'fattureincloud:webhook:duplicate',
  webhookRefused: 'fattureincloud:webhook:refused',
  subscriptionCreated: 'fattureincloud:subscription:created',
  subscriptionVerified: 'fattureincloud:subscription:verified',
  subscriptionLost: 'fattureincloud:subscription:lost',
} as const;

export const channels = {
  tokenRefresh: diagnosticsChannel.channel(CHANNELS.tokenRefresh),
  deadGrant: diagnosticsChannel.channel(CHANNELS.deadGrant),
  storeError: diagnosticsChannel.channel(CHANNELS.storeError),
  apiRetry: diagnosticsChannel.channel(CHANNELS.apiRetry),
  login: diagnosticsChannel.channel(CHANNELS.login),
  loginFailed: diagnosticsChannel.channel(CHANNELS.loginFailed),
  quotaExhausted: diagnosticsChannel.channel(CHANNELS.quotaExhausted),
  quotaPaused: diagnosticsChannel.channel(CHANNELS.quotaPaused),
  webhookReceived: diagnosticsChannel.channel(CHANNELS.webhookReceived),
  webhookDuplicate: diagnosticsChannel.channel(CHANNELS.webhookDuplicate),
  webhookRefused: diagnosticsChannel.channel(CHANNELS.webhookRefused),
  subscriptionCreated: diagnosticsChannel.channel(CHANNELS.subscriptionCreated),
  subscriptionVerified: diagnosticsChannel.channel(CHANNELS.subscriptionVerified),
  subscriptionLost: diagnosticsChannel.channel(CHANNELS.subscriptionLost),
};

/** Publishes what `payload()` builds, only when someone listens: nothing is built otherwise. */
export function publish(channel: diagnosticsChannel.Channel, payload: () => object): void {
  if (channel.hasSubscribers) channel.publish(payload());
}

/** A code safe to publish: the error's own short code, else a word of ours. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[\w.:-]{1,64}$/.test(code)) return code;
  return error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'error';
}

/** One call to a store, as its failure is told: the key and the store method. */
export interface StoreCall {
  key: string;
  operation: string;
}

/** A store call that failed, as `fattureincloud:store:error` tells it (the key, the store method, the code); returns the error. */
export function publishStoreError<E>({ key, operation }: StoreCall, error: E): E {
  publish(channels.storeError, () => ({ key, operation, code: codeOf(error) }));
  return error;
}
