import { abortableSleep } from './abort';
import { describeValue } from '../config';
import { FattureInCloudError } from '../errors';
import { type APIRetryEvent, channels, publish } from '../events';

/**
 * The one policy for calls to Fatture in Cloud's API, whatever sends them (the
 * profile at login, the SDK binding): a 401 recovers once with another token, a
 * 429 waits `Retry-After` and tries again, a 502/503/504 or a reset connection
 * is tried once more for an idempotent method. Attempts fail with the package's
 * errors (`status`, `retryAfter`), which is all the policy reads.
 */

export interface RetryOptions {
  /** How many 429s a call waits out before it gives up. Default 2. */
  rateLimited?: number | undefined;
  /** The longest a call waits in all, in ms; a longer `Retry-After` is not waited. Default 30000. */
  maxWait?: number | undefined;
}

export interface RetryBudget {
  rateLimited: number;
  maxWait: number;
}

export const DEFAULT_RETRY: RetryBudget = { rateLimited: 2, maxWait: 30_000 };

export type RetryReason = APIRetryEvent['reason'];

/** What a retry is told as, to `onRetry` and on `fattureincloud:api:retry` alike: why, how long the call waits, which call. */
export type RetryNotice = APIRetryEvent;

/** What `nextStep` decides: why, and how long to wait first. */
type Step = Pick<RetryNotice, 'reason' | 'waitMs'>;

export interface PolicyCall<T> {
  /** Upper case: only GET and HEAD are sent again after a 5xx or a reset. */
  method: string;
  /** For `fattureincloud:api:retry`: the path, never the query. */
  path: string;
  retry: RetryBudget;
  /** The access token for an attempt (the first, and each after a wait). */
  token(): Promise<string>;
  send(accessToken: string): Promise<T>;
  /** After a 401: a token other than `used`. Absent where no other token can be had (a login). */
  recover?: ((used: string) => Promise<string>) | undefined;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Without `Retry-After` (Fatture in Cloud always sends it), a 429 waits this long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;
const UNAVAILABLE_WAIT_MS = 250;
const JITTER_MS = 250;
const IDEMPOTENT = new Set(['GET', 'HEAD']);
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

interface Spent {
  recovered: boolean;
  rateLimited: number;
  unavailable: boolean;
  waitedMs: number;
}

export async function callWithPolicy<T>(call: PolicyCall<T>): Promise<T> {
  const spent: Spent = { recovered: false, rateLimited: 0, unavailable: false, waitedMs: 0 };
  let accessToken = await call.token();
  for (;;) {
    try {
      return await call.send(accessToken);
    } catch (error) {
      const step = nextStep(error, call, spent);
      if (!step) throw error;
      const notice: RetryNotice = { ...step, method: call.method, path: call.path };
      publish(channels.apiRetry, () => notice);
      call.onRetry?.(notice);
      if (step.reason === 'unauthorized') {
        // `recover` exists, or nextStep would not have chosen this.
        accessToken = await (call.recover as (used: string) => Promise<string>)(accessToken);
        continue;
      }
      await abortableSleep(step.waitMs, call.signal);
      spent.waitedMs += step.waitMs;
      accessToken = await call.token();
    }
  }
}

/** What to do after a failed attempt, counting it against the call's budget; undefined: give up. */
function nextStep(error: unknown, call: Pick<PolicyCall<unknown>, 'method' | 'retry' | 'recover'>, spent: Spent): Step | undefined {
  if (!(error instanceof FattureInCloudError)) return undefined;
  if (error.status === 401) {
    if (spent.recovered || !call.recover) return undefined;
    spent.recovered = true;
    return { reason: 'unauthorized', waitMs: 0 };
  }
  if (error.status === 429) {
    const waitMs = jittered(retryAfterOf(error) ?? DEFAULT_RATE_LIMIT_WAIT_MS);
    if (spent.rateLimited >= call.retry.rateLimited || spent.waitedMs + waitMs > call.retry.maxWait) return undefined;
    spent.rateLimited += 1;
    return { reason: 'rate-limited', waitMs };
  }
  if (isUnavailable(error) && IDEMPOTENT.has(call.method) && !spent.unavailable) {
    const waitMs = jittered(retryAfterOf(error) ?? UNAVAILABLE_WAIT_MS);
    if (spent.waitedMs + waitMs > call.retry.maxWait) return undefined;
    spent.unavailable = true;
    return { reason: 'unavailable', waitMs };
  }
  return undefined;
}

/** A gateway's 502/503/504, or a connection the other side reset. */
function isUnavailable(error: FattureInCloudError): boolean {
  if (error.status !== undefined) return UNAVAILABLE_STATUSES.has(error.status);
  const cause = error.cause as { code?: unknown } | undefined;
  return error.code === 'network_error' && (cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE');
}

function retryAfterOf(error: FattureInCloudError): number | undefined {
  const { retryAfter } = error as { retryAfter?: unknown };
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
}

/** A little later than asked, and by a different amount per caller, so callers that were refused together do not return together. */
function jittered(waitMs: number): number {
  return Math.round(waitMs + Math.random() * JITTER_MS);
}

/** Checks `retry` options once, where a binding is made; names the field, never a value. */
export function resolveRetry(options: unknown, where: string): RetryBudget {
  if (options === undefined) return DEFAULT_RETRY;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: retry must be an object ({ rateLimited, maxWait }), got ${describeValue(options)}`);
  const { rateLimited = DEFAULT_RETRY.rateLimited, maxWait = DEFAULT_RETRY.maxWait } = options as RetryOptions;
  if (!Number.isInteger(rateLimited) || rateLimited < 0 || rateLimited > 10) {
    throw new TypeError(`${where}: retry.rateLimited must be a whole number from 0 to 10, got ${describeValue(rateLimited)}`);
  }
  if (typeof maxWait !== 'number' || !(maxWait >= 0) || maxWait > 600_000) {
    throw new TypeError(`${where}: retry.maxWait must be a number of milliseconds from 0 to 600000, got ${describeValue(maxWait)}`);
  }
  return { rateLimited, maxWait };
}
