import axios, { type AxiosAdapter, type AxiosResponse, isAxiosError } from 'axios';
import { parseRateLimit } from '../http/api';
import { callWithPolicy, type RetryBudget, type RetryNotice } from '../http/call-policy';
import type { RateLimitInfo } from '../errors';
import { FattureInCloudError } from '../errors';
import type { FattureInCloudQuota, QuotaPriority, QuotaWait } from '../quota/quota';
import { timeoutError } from '../http/request';
import { toPackageError } from './errors';

/**
 * An axios adapter that sends each attempt with axios's own http adapter under
 * the package's call policy, and rejects with the package's errors only.
 */

export interface PolicySettings {
  /** The only origin the access token goes to: the binding's base URL's. */
  origin: string;
  timeout: number;
  retry: RetryBudget;
  /** The access token to send: fresh for every attempt. */
  accessToken: () => Promise<string>;
  /** After a 401 for `used`: the set that replaced it. */
  recover: (used: string) => Promise<string>;
  onRateLimit: ((info: RateLimitInfo) => void) | undefined;
  onRetry: ((notice: RetryNotice) => void) | undefined;
  /** Takes a unit of the company's budget before each attempt, and reads each answer; undefined: no quota. */
  quota: QuotaSettings | undefined;
}

export interface QuotaSettings {
  quota: FattureInCloudQuota;
  priority: QuotaPriority;
  wait: QuotaWait | undefined;
}

const BEARER = /^Bearer (\S+)$/;

export function policyAdapter(settings: PolicySettings): AxiosAdapter {
  const send = axios.getAdapter('http');
  return async (config) => {
    const method = (config.method ?? 'get').toUpperCase();
    const url = new URL(axios.getUri(config));
    // Before any token is read or refreshed: a request elsewhere never carries one.
    if (url.origin !== settings.origin) throw foreignOrigin(method, url, settings.origin);
    // A stream (a file upload) cannot be sent twice.
    const replayable = !isStream(config.data);
    // The SDK set the header from Configuration.accessToken (one `tokens.get`); later attempts ask again.
    let first: string | undefined = BEARER.exec(String(config.headers.get('Authorization') ?? ''))?.[1];
    return callWithPolicy<AxiosResponse>({
      method,
      path: url.pathname,
      retry: replayable ? settings.retry : { rateLimited: 0, maxWait: 0 },
      signal: config.signal as AbortSignal | undefined,
      token: async () => {
        const token = first ?? (await settings.accessToken());
        first = undefined;
        return token;
      },
      recover: replayable ? settings.recover : undefined,
      onRetry: settings.onRetry,
      send: async (accessToken) => {
        config.headers.set('Authorization', `Bearer ${accessToken}`);
        const callerSignal = config.signal as AbortSignal | undefined;
        const context = { label: `${method} ${url.pathname}`, origin: url.origin, timeout: settings.timeout, accessToken, signal: callerSignal };
        // axios's own timeout stops at the headers: this one bounds the attempt, body included.
        // Nothing is sent that the budget cannot pay for: the quota error (or its wait) comes first.
        await settings.quota?.quota.acquire(url.pathname, { priority: settings.quota.priority, wait: settings.quota.wait, signal: callerSignal });
        const attempt = new AbortController();
        const timer = setTimeout(() => attempt.abort(), settings.timeout);
        try {
          const response = await send({ ...config, signal: callerSignal ? AbortSignal.any([callerSignal, attempt.signal]) : attempt.signal });
          report(settings.onRateLimit, response.headers);
          await observe(settings.quota, url.pathname, response.status, response.headers, response.data);
          return withoutToken(response);
        } catch (error) {
          if (attempt.signal.aborted && !callerSignal?.aborted) throw timeoutError(context.label, settings.timeout);
          if (isAxiosError(error) && error.response) {
            report(settings.onRateLimit, error.response.headers);
            await observe(settings.quota, url.pathname, error.response.status, error.response.headers, error.response.data);
          }
          throw toPackageError(error, context);
        } finally {
          clearTimeout(timer);
          // The request config outlives the call (the response and errors point at it): it keeps no token.
          config.headers.set('Authorization', REDACTED);
        }
      },
    });
  };
}

const REDACTED = 'Bearer [redacted]';

/**
 * The response as the app gets it: its config's Authorization masked (the
 * finally above) and no raw request, whose head holds the header as it was sent.
 */
function withoutToken(response: AxiosResponse): AxiosResponse {
  response.request = undefined;
  return response;
}

function foreignOrigin(method: string, url: URL, origin: string): FattureInCloudError {
  return new FattureInCloudError(
    `${method} ${url.origin}${url.pathname} was refused before it was sent: the binding sends the user's token only to ${origin} (its baseURL); use another axios instance for other hosts`,
    { code: 'foreign_origin' },
  );
}

/** The answer, as the quota reads it; a store that fails here fails no call: the answer has arrived. */
async function observe(settings: QuotaSettings | undefined, path: string, status: number, headers: AxiosResponse['headers'], data: unknown): Promise<void> {
  if (!settings) return;
  const lowerCase = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), typeof value === 'string' ? value : undefined]));
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : undefined;
  let body: unknown = data;
  try {
    if (text !== undefined && status >= 400) body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  await settings.quota.observe(path, { status, headers: lowerCase, body }).catch(() => undefined);
}

function report(onRateLimit: PolicySettings['onRateLimit'], headers: AxiosResponse['headers']): void {
  if (!onRateLimit) return;
  const info = parseRateLimit(Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), typeof value === 'string' ? value : undefined])));
  if (!info) return;
  try {
    onRateLimit(info);
  } catch (error) {
    // The app's callback must not fail the call; its exception is the app's to see, as diagnostics_channel reports one.
    process.nextTick(() => {
      throw error;
    });
  }
}

function isStream(data: unknown): boolean {
  return typeof (data as { pipe?: unknown } | null)?.pipe === 'function';
}
