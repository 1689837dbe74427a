import { windowsAt } from '../quota/windows';

/**
 * Fatture in Cloud's request limits, on the stand-in's clock: per company
 * (and app: a stand-in serves one app), the hour (fixed windows, reset at the
 * top of each hour) and the month (turning in Europe/Rome), refused with a 403
 * and a `Retry-After` until the window turns; and, when set, a short-term
 * limit per company over a sliding window, refused with a 429. Only company
 * calls (`/c/{company_id}/…`) count: the profile calls at login and the token
 * endpoint do not.
 */

export interface StandInQuotaOptions {
  /** Default 1000. */
  perHour?: number | undefined;
  /** Default 40000. */
  perMonth?: number | undefined;
  /** Off unless set: at most `limit` calls per company in any `windowMs`. */
  shortTerm?: { limit: number; windowMs: number } | undefined;
}

export interface LimitAnswer {
  /** Set when the call is refused. */
  refusal?: { status: 403 | 429; code: string; message: string; retryAfter: number };
  headers: Record<string, string>;
}

interface Counters {
  hour: number;
  hourSpent: number;
  month: string;
  monthSpent: number;
  recent: number[];
}

export class StandInLimits {
  readonly perHour: number;
  readonly perMonth: number;
  readonly shortTerm: { limit: number; windowMs: number } | undefined;
  private readonly counters = new Map<number, Counters>();

  constructor(options: StandInQuotaOptions = {}) {
    this.perHour = whole(options.perHour ?? 1_000, 'quota.perHour');
    this.perMonth = whole(options.perMonth ?? 40_000, 'quota.perMonth');
    if (options.shortTerm !== undefined) {
      this.shortTerm = { limit: whole(options.shortTerm.limit, 'quota.shortTerm.limit'), windowMs: whole(options.shortTerm.windowMs, 'quota.shortTerm.windowMs') };
    }
  }

  /** Counts a company call at `now`, or refuses it; the RateLimit-* headers either way. */
  call(companyID: number, now: number): LimitAnswer {
    const windows = windowsAt(now, 'Europe/Rome');
    const counters = this.current(companyID, windows.hour, windows.month);
    const refusal = this.refusal(counters, now, windows);
    if (!refusal) {
      counters.hourSpent += 1;
      counters.monthSpent += 1;
      if (this.shortTerm) counters.recent.push(now);
    }
    return { ...(refusal ? { refusal } : {}), headers: this.headers(counters) };
  }

  /** What a company has spent in the current windows. */
  spent(companyID: number, now: number): { hour: number; month: number } {
    const windows = windowsAt(now, 'Europe/Rome');
    const counters = this.current(companyID, windows.hour, windows.month);
    return { hour: counters.hourSpent, month: counters.monthSpent };
  }

  /** For calls that are not counted: the full budget. */
  untouched(): Record<string, string> {
    return { 'RateLimit-HourlyRemaining': String(this.perHour), 'RateLimit-HourlyLimit': String(this.perHour), 'RateLimit-MonthlyRemaining': String(this.perMonth), 'RateLimit-MonthlyLimit': String(this.perMonth) };
  }

  private refusal(counters: Counters, now: number, windows: ReturnType<typeof windowsAt>): LimitAnswer['refusal'] {
    if (counters.monthSpent >= this.perMonth) {
      return { status: 403, code: 'QUOTA_EXCEEDED', message: 'The monthly request quota of this app for this company is used up.', retryAfter: secondsUntil(windows.monthEndsAt, now) };
    }
    if (counters.hourSpent >= this.perHour) {
      return { status: 403, code: 'QUOTA_EXCEEDED', message: 'The hourly request quota of this app for this company is used up.', retryAfter: secondsUntil(windows.hourEndsAt, now) };
    }
    if (!this.shortTerm) return undefined;
    const since = now - this.shortTerm.windowMs;
    counters.recent = counters.recent.filter((at) => at > since);
    if (counters.recent.length < this.shortTerm.limit) return undefined;
    return { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Too Many Attempts.', retryAfter: secondsUntil((counters.recent[0] ?? now) + this.shortTerm.windowMs, now) };
  }

  private headers(counters: Counters): Record<string, string> {
    return {
      'RateLimit-HourlyRemaining': String(Math.max(0, this.perHour - counters.hourSpent)),
      'RateLimit-HourlyLimit': String(this.perHour),
      'RateLimit-MonthlyRemaining': String(Math.max(0, this.perMonth - counters.monthSpent)),
      'RateLimit-MonthlyLimit': String(this.perMonth),
    };
  }

  private current(companyID: number, hour: number, month: string): Counters {
    let counters = this.counters.get(companyID);
    if (!counters) {
      counters = { hour, hourSpent: 0, month, monthSpent: 0, recent: [] };
      this.counters.set(companyID, counters);
    }
    if (counters.hour !== hour) Object.assign(counters, { hour, hourSpent: 0 });
    if (counters.month !== month) Object.assign(counters, { month, monthSpent: 0 });
    return counters;
  }
}

function whole(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new TypeError(`startFattureInCloudStandIn: ${what} must be a whole number, at least 1`);
  return value as number;
}

function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
