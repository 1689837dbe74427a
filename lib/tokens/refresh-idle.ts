import { describeValue } from '../config';
import { codeOf } from '../events';
import type { FattureInCloudTokenSet } from '../oauth/refresh';
import { type AbortOptions, assertSignal, untilAborted } from '../http/abort';
import type { TokenStore } from './store';

/**
 * The sweep behind `tokens.refreshIdle()`: every key the store lists, a few at
 * once, refreshed when its refresh token is older than the bound. The keys are
 * read as the store pages them, never all at once, so memory stays bounded by
 * the concurrency, whatever the number of users.
 */

export interface RefreshIdleOptions extends AbortOptions {
  /** Refresh a set whose refresh token is older than this many ms. Default 300 days. */
  olderThan?: number | undefined;
  /** How many keys are refreshed at once. Default 4. */
  concurrency?: number | undefined;
}

export interface RefreshIdleReport {
  /** Refreshed now (by this sweep, or by another caller it joined). */
  refreshed: number;
  /** Fatture in Cloud refused the refresh token, now or before: the user must authorize again. */
  dead: number;
  /** Could not be refreshed (the store or Fatture in Cloud failed): tried again at the next sweep. */
  failed: number;
  /** Younger than `olderThan`, or gone meanwhile: left as they were. */
  skipped: number;
  /** What failed, by key and error code (never a token). */
  failures: { key: string; code: string }[];
}

export const DEFAULT_IDLE_MS = 300 * 86_400_000;
const MAX_IDLE_MS = 366 * 86_400_000;
const DEFAULT_CONCURRENCY = 4;
const MAX_REPORTED_FAILURES = 100;

/** `refresh(key, olderThan)`: the set refreshed if still too old, or as it is; rejects with invalid_grant for a dead grant. */
type RefreshIfOld = (key: string, olderThan: number) => Promise<FattureInCloudTokenSet | undefined>;

/** What the sweep needs of a store: its keys, and reads (bounded by the manager). */
export type SweptStore = Pick<TokenStore, 'read' | 'keys'>;

export async function sweepIdle(store: SweptStore, options: RefreshIdleOptions, refreshIfOld: RefreshIfOld): Promise<RefreshIdleReport> {
  const { olderThan, concurrency, signal } = checkOptions(options);
  if (typeof store.keys !== 'function') {
    throw new TypeError('FattureInCloudTokens.refreshIdle needs a store that lists its keys (keys()): MemoryTokenStore, RedisTokenStore and PostgresTokenStore do; add keys() to yours');
  }
  const report: RefreshIdleReport = { refreshed: 0, dead: 0, failed: 0, skipped: 0, failures: [] };
  const keys = store.keys()[Symbol.asyncIterator]();
  const sweepOne = async (key: string): Promise<void> => {
    try {
      const before = await store.read(key);
      if (!before) return void (report.skipped += 1);
      if (before.dead) return void (report.dead += 1);
      const after = await refreshIfOld(key, olderThan);
      if (after && after.refreshToken !== before.tokens.refreshToken) report.refreshed += 1;
      else report.skipped += 1;
    } catch (error) {
      if (codeOf(error) === 'invalid_grant') report.dead += 1;
      else {
        report.failed += 1;
        if (report.failures.length < MAX_REPORTED_FAILURES) report.failures.push({ key, code: codeOf(error) });
      }
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) return;
      const next = await keys.next();
      if (next.done) return;
      await sweepOne(next.value);
    }
  };
  await untilAborted(Promise.all(Array.from({ length: concurrency }, worker)), signal);
  return report;
}

function checkOptions(options: unknown): { olderThan: number; concurrency: number; signal: AbortSignal | undefined } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`FattureInCloudTokens.refreshIdle: options must be an object, got ${describeValue(options)}`);
  const { olderThan = DEFAULT_IDLE_MS, concurrency = DEFAULT_CONCURRENCY, signal } = options as RefreshIdleOptions;
  // Not a timer: a duration of days, beyond setTimeout's ceiling.
  if (typeof olderThan !== 'number' || !(olderThan >= 0) || olderThan > MAX_IDLE_MS) {
    throw new TypeError(`FattureInCloudTokens.refreshIdle: olderThan must be a number of milliseconds from 0 to 366 days, got ${describeValue(olderThan)}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new TypeError(`FattureInCloudTokens.refreshIdle: concurrency must be a whole number from 1 to 64, got ${describeValue(concurrency)}`);
  }
  assertSignal(signal, 'FattureInCloudTokens.refreshIdle');
  return { olderThan, concurrency, signal };
}
