import type { IncomingHttpHeaders } from 'node:http';
import { callWithPolicy, type RetryBudget } from './call-policy';
import type { ClientConfig } from '../config';
import { FattureInCloudAPIError, type RateLimitInfo } from '../errors';
import { type JSONResponse, type Quote, requestJSON } from './request';
import { tokenShapeProblem } from '../token-shape';

export type APIClient = Pick<ClientConfig, 'baseURL' | 'timeout' | 'headers' | 'clientSecret'>;

/**
 * At login a person is waiting and the token is brand new: a 502/503/504 or a
 * reset is tried once more, but a 429 is not waited out (its `Retry-After` is
 * in the error) and a 401 has no other token to recover with.
 */
const LOGIN_RETRY: RetryBudget = { rateLimited: 0, maxWait: 2_000 };

/** `GET {baseURL}{path}` with the access token in the Authorization header, never in the URL. */
export async function apiGet(client: APIClient, path: string, accessToken: string): Promise<unknown> {
  assertAccessToken(accessToken);
  const send = async (token: string): Promise<unknown> => {
    const request = {
      method: 'GET',
      url: `${client.baseURL}${path}`,
      headers: { ...client.headers, Authorization: `Bearer ${token}`, Accept: 'application/json' },
      timeout: client.timeout,
      secrets: [client.clientSecret, token],
    } as const;
    return (await requestJSON(request, apiError)).body;
  };
  return callWithPolicy({ method: 'GET', path, retry: LOGIN_RETRY, token: () => Promise.resolve(accessToken), send });
}

/** An app may pass a token it got from anywhere: refuse, before any request, one that cannot be sent. */
function assertAccessToken(value: unknown): asserts value is string {
  const problem = tokenShapeProblem(value);
  if (problem) throw new TypeError(`an access token (a/…) is needed for Fatture in Cloud's API, got one that is ${problem}`);
}

const STATUS_ADVICE: Record<number, string> = {
  401: 'the access token is invalid or expired; refresh it, or the user must sign in again',
  403: 'missing permission, expired licence, or the hourly/monthly quota is used up',
  429: 'too many requests; wait before trying again',
};

/** Fatture in Cloud's `{"error":{"message","code"}}` answer as an error, scrubbed, with what it says about waiting. */
export function apiError(response: JSONResponse, label: string, quote: Quote): FattureInCloudAPIError {
  const { status, headers } = response;
  const error = (response.body as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  const providerCode = typeof error?.code === 'string' ? quote(error.code) : undefined;
  const providerMessage = typeof error?.message === 'string' ? quote(error.message) : undefined;
  const advice = STATUS_ADVICE[status] ?? (status >= 500 ? "Fatture in Cloud's side failed" : undefined);
  const retryAfter = parseRetryAfter(headers['retry-after']);
  const details = [
    providerMessage && `${providerMessage}${providerCode ? ` (${providerCode})` : ''}`,
    advice,
    retryAfter !== undefined && `retry after ${retryAfter} s`,
  ].filter(Boolean);
  return new FattureInCloudAPIError(
    `Fatture in Cloud answered ${label} with HTTP ${status}${details.length ? `: ${details.join('; ')}` : ''}`,
    { code: providerCode ?? `http_${status}`, status, retryAfter, rateLimit: parseRateLimit(headers) },
  );
}

/**
 * The longest wait an answer can ask for, in seconds: setTimeout's own ceiling
 * (about 24.8 days). A longer `Retry-After` (or one with more digits than a
 * Number holds) is this: finite, and past any `maxWait`, so the error comes at once.
 */
export const MAX_RETRY_AFTER_S = Math.floor(2 ** 31 / 1000);

/** Seconds, from either form RFC 9110 allows: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()), MAX_RETRY_AFTER_S);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, Math.ceil((date - now) / 1000)), MAX_RETRY_AFTER_S);
}

const RATE_LIMIT_HEADERS = {
  hourlyRemaining: 'ratelimit-hourlyremaining',
  hourlyLimit: 'ratelimit-hourlylimit',
  monthlyRemaining: 'ratelimit-monthlyremaining',
  monthlyLimit: 'ratelimit-monthlylimit',
} as const satisfies Record<keyof RateLimitInfo, string>;

export function parseRateLimit(headers: IncomingHttpHeaders): RateLimitInfo | undefined {
  const info: RateLimitInfo = {};
  for (const [field, header] of Object.entries(RATE_LIMIT_HEADERS) as [keyof RateLimitInfo, string][]) {
    const value = headers[header];
    if (typeof value === 'string' && /^\d+$/.test(value.trim())) info[field] = Number(value.trim());
  }
  return Object.keys(info).length > 0 ? info : undefined;
}
