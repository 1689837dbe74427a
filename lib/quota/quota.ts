import { describeValue } from '../config';
import { FattureInCloudQuotaError, LIMIT_WORDS } from '../errors';
import { channels, publish, type QuotaEvent } from '../events';
import { abortableSleep } from '../http/abort';
import { parseRetryAfter } from '../http/api';
import { MemoryQuotaStore } from './stores/memory';
import type { QuotaStore } from './store';
import { checkTimeZone, windowsAt } from './windows';

export interface FattureInCloudQuotaOptions {
  /** Where the counters live: MemoryQuotaStore (default, one process), RedisQuotaStore or PostgresQuotaStore (many). */
  store?: QuotaStore | undefined;
  /** Requests an hour per company and app. Default 1000, as Fatture in Cloud allows. */
  perHour?: number | undefined;
  /** Requests a month per company and app. Default 40000. */
  perMonth?: number | undefined;
  /** The share of the hour kept for interactive calls: background calls stop short of it. Default 0.1 (rounded down to whole requests). */
  reserve?: number | undefined;
  /** Where the month turns. Default 'Europe/Rome', as at Fatture in Cloud. */
  timeZone?: string | undefined;
}

/** Interactive calls (a person waits) may spend the whole hour; background calls (jobs) stop at the reserve. */
export type QuotaPriority = 'interactive' | 'background';

export interface QuotaWait {
  /** The longest a call waits for its window to turn, in ms; past it, the error at once. */
  maxWait: number;
}

export interface QuotaWindowState {
  limit: number;
  remaining: number;
  resetsAt: Date;
}

export interface QuotaRemaining {
  hour: QuotaWindowState;
  month: QuotaWindowState;
}

/** A call's answer, as far as the quota reads it. */
export interface QuotaAnswer {
  status: number;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  body: unknown;
}

const COMPANY_PATH = /^\/c\/(\d{1,15})(?:\/|$)/;
/** A 429's pause is at most this long: Fatture in Cloud's short-term window is minutes. */
const MAX_SHORT_PAUSE_S = 3_600;
/** Callers that wait for a window do not all come back in the same millisecond. */
const WAKE_JITTER_MS = 250;

/**
 * A company's request budget at Fatture in Cloud, shared by every process
 * that shares the store: each call takes one unit of the hour and the month
 * before it is sent, atomically; the answers' `RateLimit-*Remaining` correct
 * the counters; a 429 or a quota 403 pauses the company for everyone until
 * its `Retry-After`. Pass it to `fattureInCloudSDK({ quota, priority })`.
 */
export class FattureInCloudQuota {
  readonly store: QuotaStore;
  readonly perHour: number;
  readonly perMonth: number;
  readonly reserve: number;
  readonly timeZone: string;

  constructor(options: FattureInCloudQuotaOptions = {}) {
    const where = 'FattureInCloudQuota';
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError(`${where} needs options ({ store, perHour, perMonth, reserve }), got ${describeValue(options)}`);
    this.store = options.store ?? new MemoryQuotaStore();
    if (typeof (this.store as Partial<QuotaStore>).take !== 'function') throw new TypeError(`${where}: store must be a quota store (MemoryQuotaStore, RedisQuotaStore, PostgresQuotaStore), got ${describeValue(options.store)}`);
    this.perHour = count(options.perHour ?? 1_000, `${where}: perHour`);
    this.perMonth = count(options.perMonth ?? 40_000, `${where}: perMonth`);
    const reserve = options.reserve ?? 0.1;
    if (typeof reserve !== 'number' || !(reserve >= 0 && reserve < 1)) throw new TypeError(`${where}: reserve must be a share of the hour from 0 to less than 1 (0.1 is 10%), got ${describeValue(reserve)}`);
    this.reserve = reserve;
    this.timeZone = checkTimeZone(options.timeZone ?? 'Europe/Rome', where);
  }

  /** The hour's ceiling for a lane: background calls leave the reserve to interactive ones. */
  ceilingOf(priority: QuotaPriority): number {
    return priority === 'background' ? this.perHour - Math.floor(this.perHour * this.reserve) : this.perHour;
  }

  /**
   * Takes one unit of the budget of the company `path` names (`/c/{id}/…`;
   * any other path, the app's own), before the call is sent. Rejects at once
   * with FattureInCloudQuotaError when none is left, or, with `wait`, waits
   * for the window to turn if that is within `maxWait`.
   */
  async acquire(path: string, options: { priority?: QuotaPriority | undefined; wait?: QuotaWait | undefined; signal?: AbortSignal | undefined } = {}): Promise<void> {
    const companyID = companyOf(path);
    const bucket = bucketOf(companyID);
    const hourCeiling = this.ceilingOf(options.priority ?? 'interactive');
    const giveUpAt = Date.now() + (options.wait?.maxWait ?? 0);
    for (;;) {
      const now = Date.now();
      const windows = windowsAt(now, this.timeZone);
      const taken = await this.store.take({ bucket, now, ...windows, hourCeiling, monthCeiling: this.perMonth });
      if (taken.granted) return;
      const until = taken.reason === 'paused' ? taken.until : taken.reason === 'hour' ? windows.hourEndsAt : windows.monthEndsAt;
      const window = taken.reason === 'paused' ? taken.window : taken.reason;
      if (until > giveUpAt) {
        const event: QuotaEvent = { companyID, window, retryAfter: secondsUntil(until, now) };
        publish(channels.quotaExhausted, () => event);
        throw exhausted(event, taken.reason === 'paused');
      }
      await abortableSleep(until - now + Math.random() * WAKE_JITTER_MS, options.signal);
    }
  }

  /**
   * What an answer says of the budget: `RateLimit-*Remaining` raise the
   * counters to what the server counted (a process of the same app without
   * the quota spends it too); a 429 or a quota 403 pauses the company until
   * its `Retry-After`.
   */
  async observe(path: string, answer: QuotaAnswer): Promise<void> {
    const companyID = companyOf(path);
    const bucket = bucketOf(companyID);
    const now = Date.now();
    const windows = windowsAt(now, this.timeZone);
    const spent = (remaining: string | undefined, limit: string | undefined, fallback: number): number | undefined => {
      const left = wholeNumber(remaining);
      return left === undefined ? undefined : Math.max(0, (wholeNumber(limit) ?? fallback) - left);
    };
    const hourSpent = spent(answer.headers['ratelimit-hourlyremaining'], answer.headers['ratelimit-hourlylimit'], this.perHour);
    const monthSpent = spent(answer.headers['ratelimit-monthlyremaining'], answer.headers['ratelimit-monthlylimit'], this.perMonth);
    if (hourSpent !== undefined || monthSpent !== undefined) await this.store.correct({ bucket, now, ...windows, hourSpent, monthSpent });
    const pause = pauseOf(answer, now, windows.monthEndsAt);
    if (pause === undefined) return;
    await this.store.pause(bucket, pause.until, pause.window);
    publish(channels.quotaPaused, () => ({ companyID, window: pause.window, retryAfter: secondsUntil(pause.until, now) }));
  }

  /** What is left of `companyID`'s hour and month, for dashboards. */
  async remaining(companyID: number): Promise<QuotaRemaining> {
    if (!Number.isSafeInteger(companyID) || companyID < 0) throw new TypeError(`FattureInCloudQuota.remaining needs a company id (a whole number), got ${describeValue(companyID)}`);
    const windows = windowsAt(Date.now(), this.timeZone);
    const counts = await this.store.read(bucketOf(companyID), windows);
    return {
      hour: { limit: this.perHour, remaining: Math.max(0, this.perHour - counts.hourSpent), resetsAt: new Date(windows.hourEndsAt) },
      month: { limit: this.perMonth, remaining: Math.max(0, this.perMonth - counts.monthSpent), resetsAt: new Date(windows.monthEndsAt) },
    };
  }
}

function count(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new TypeError(`${where} must be a whole number of requests, at least 1, got ${describeValue(value)}`);
  return value as number;
}

function companyOf(path: string): number | undefined {
  const id = COMPANY_PATH.exec(path)?.[1];
  return id === undefined ? undefined : Number(id);
}

function bucketOf(companyID: number | undefined): string {
  return companyID === undefined ? 'app' : `company:${companyID}`;
}

function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

function exhausted(event: QuotaEvent, paused: boolean): FattureInCloudQuotaError {
  const who = event.companyID === undefined ? 'the app' : `company ${event.companyID}`;
  const why = paused ? `Fatture in Cloud asked to wait (a 429 or a used-up quota) for ${who}` : `the ${event.window}'s request budget of ${who} is spent`;
  return new FattureInCloudQuotaError(`Not sent: ${why}; try again in ${event.retryAfter} s`, { window: event.window, retryAfter: event.retryAfter, companyID: event.companyID });
}

/**
 * Tells a quota 403 from a permission 403: Fatture in Cloud's `error.code` or
 * message speaks of the quota or the limit, or a `RateLimit-*Remaining`
 * header is 0. A permission 403 (`NO_PERMISSION`, `LICENSE_EXPIRED`) pauses nothing.
 */
export function isQuotaRefusal(answer: QuotaAnswer): boolean {
  if (answer.status !== 403) return false;
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const words = `${typeof error?.code === 'string' ? error.code : ''} ${typeof error?.message === 'string' ? error.message : ''}`;
  if (LIMIT_WORDS.test(words)) return true;
  return answer.headers['ratelimit-hourlyremaining']?.trim() === '0' || answer.headers['ratelimit-monthlyremaining']?.trim() === '0';
}

/** A 429 pauses for its Retry-After (at most an hour); a quota 403 up to the month's end at most. */
function pauseOf(answer: QuotaAnswer, now: number, monthEndsAt: number): { until: number; window: 'hour' | 'month' } | undefined {
  if (answer.status !== 429 && !isQuotaRefusal(answer)) return undefined;
  const retryAfter = parseRetryAfter(answer.headers['retry-after'], now) ?? 1;
  if (answer.status === 429) return { until: now + Math.min(retryAfter, MAX_SHORT_PAUSE_S) * 1000, window: 'hour' };
  const until = Math.min(now + retryAfter * 1000, monthEndsAt);
  const monthly = answer.headers['ratelimit-monthlyremaining']?.trim() === '0' || retryAfter > MAX_SHORT_PAUSE_S;
  return { until, window: monthly ? 'month' : 'hour' };
}

