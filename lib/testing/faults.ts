/**
 * The stand-in's failures on purpose: the next API calls answered with what
 * Fatture in Cloud answers when it refuses or fails, so an app's handling of
 * 401, 403, 429, 5xx and a dropped connection can be tested offline.
 */

export type StandInFault =
  /** 429: the short-term limit (about 300 requests per 5 minutes per company). */
  | { type: 'rate-limited'; retryAfter?: number }
  /** 403: the hourly or monthly quota is used up; waiting is no use until `retryAfter`. */
  | { type: 'quota-exceeded'; period?: 'hourly' | 'monthly'; retryAfter?: number }
  /** A gateway failure: 503 unless `status` says 502 or 504. */
  | { type: 'unavailable'; status?: 502 | 503 | 504; retryAfter?: number }
  /** 401 whatever the token: one revoked or expired before its time. */
  | { type: 'unauthorized' }
  /** The connection is dropped before any answer. */
  | { type: 'reset' };

export type FaultType = StandInFault['type'];

/** How many API answers each fault, and each 401 of any cause, made. */
export type FaultStats = Record<FaultType, number>;

export function emptyFaultStats(): FaultStats {
  return { 'rate-limited': 0, 'quota-exceeded': 0, unavailable: 0, unauthorized: 0, reset: 0 };
}

/** An error answer as Fatture in Cloud sends it: `{"error":{"message","code"}}`, with `Retry-After`. */
export interface FaultAnswer {
  status: number;
  code: string;
  message: string;
  retryAfter: number;
}

const FAULT_TYPES: readonly FaultType[] = ['rate-limited', 'quota-exceeded', 'unavailable', 'unauthorized', 'reset'];
const MAX_FAULT_COUNT = 10_000;

export class FaultQueue {
  private readonly queue: { fault: StandInFault; remaining: number }[] = [];

  /** The next `count` API calls fail with `fault`, after the faults already queued. */
  add(count: number, fault: StandInFault): void {
    const problem = faultProblem(count, fault);
    if (problem) throw new TypeError(`failNext: ${problem}`);
    this.queue.push({ fault: { ...fault }, remaining: count });
  }

  /** The fault this API call gets, if any is queued. */
  take(): StandInFault | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.queue.shift();
    return head.fault;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** The answer a fault gives; undefined for `reset`, which gives none. */
export function faultAnswer(fault: StandInFault): FaultAnswer | undefined {
  switch (fault.type) {
    case 'rate-limited':
      return { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Too Many Attempts.', retryAfter: fault.retryAfter ?? 1 };
    case 'quota-exceeded': {
      const period = fault.period ?? 'hourly';
      return { status: 403, code: 'QUOTA_EXCEEDED', message: `The ${period} request quota of this app for this company is used up.`, retryAfter: fault.retryAfter ?? (period === 'hourly' ? 3600 : 86_400) };
    }
    case 'unavailable':
      return { status: fault.status ?? 503, code: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable.', retryAfter: fault.retryAfter ?? 0 };
    case 'unauthorized':
      return UNAUTHORIZED;
    case 'reset':
      return undefined;
  }
}

export const UNAUTHORIZED: FaultAnswer = { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized: the access token is invalid or expired.', retryAfter: 0 };

/** What is wrong with a fault from a JavaScript caller or an HTTP body; undefined when nothing is. */
export function faultProblem(count: unknown, fault: unknown): string | undefined {
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_FAULT_COUNT) return `count must be a whole number from 1 to ${MAX_FAULT_COUNT}`;
  const { type, retryAfter, status, period } = (typeof fault === 'object' && fault !== null ? fault : {}) as Record<string, unknown>;
  if (!FAULT_TYPES.includes(type as FaultType)) return `fault.type must be one of ${FAULT_TYPES.join(', ')}`;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && (retryAfter as number) >= 0)) return 'fault.retryAfter must be whole seconds >= 0';
  if (status !== undefined && ![502, 503, 504].includes(status as number)) return 'fault.status must be 502, 503 or 504';
  if (period !== undefined && period !== 'hourly' && period !== 'monthly') return 'fault.period must be hourly or monthly';
  return undefined;
}
