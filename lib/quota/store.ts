/**
 * Where a quota's counters live: one process (MemoryQuotaStore) or shared by
 * every process of an app (RedisQuotaStore, PostgresQuotaStore). Each
 * operation is atomic in the store, and every counter and pause expires by
 * itself when its window ends (no sweeper).
 */

/** One unit of a company's budget, as asked. */
export interface QuotaTake {
  /** The company's bucket: `company:<id>`, or `app` for calls outside a company. */
  bucket: string;
  now: number;
  hour: number;
  hourEndsAt: number;
  month: string;
  monthEndsAt: number;
  /** The most the hour may have spent before this unit: the lane's ceiling. */
  hourCeiling: number;
  monthCeiling: number;
}

export type QuotaWindow = 'hour' | 'month';

export type QuotaTaken = { granted: true } | { granted: false; reason: 'paused'; until: number; window: QuotaWindow } | { granted: false; reason: QuotaWindow };

/** What the counters say now. */
export interface QuotaCounts {
  hourSpent: number;
  monthSpent: number;
  /** Until when the bucket is paused (ms since the epoch); 0 when it is not. */
  pausedUntil: number;
}

export interface QuotaStore {
  /** Takes one unit if the bucket is not paused and both windows are below their ceilings: check and count in one step. */
  take(request: QuotaTake): Promise<QuotaTaken>;
  /** Raises the counters to what the server says was spent (never lowers them). */
  correct(request: Omit<QuotaTake, 'hourCeiling' | 'monthCeiling'> & { hourSpent?: number | undefined; monthSpent?: number | undefined }): Promise<void>;
  /** Pauses the bucket until `until`, for `window`'s refusal (a later pause already there stands). */
  pause(bucket: string, until: number, window: QuotaWindow): Promise<void>;
  read(bucket: string, windows: { hour: number; month: string }): Promise<QuotaCounts>;
}
