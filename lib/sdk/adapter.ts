import axios, { type AxiosAdapter, type AxiosResponse, isAxiosError } from 'axios';
import { parseRateLimit } from '../http/api';
import { callWithPolicy, type RetryBudget, type RetryNotice } from '../http/call-policy';
import type { RateLimitInfo } from '../errors';
import { toPackageError } from './errors';

/**
 * An axios adapter that sends each attempt with axios's own http adapter under
 * the package's call policy, and rejects with the package's errors only.
 */

export interface PolicySettings {
  timeout: number;
  retry: RetryBudget;
  /** The access token to send: fresh for every attempt. */
  accessToken: () => Promise<string>;
  /** After a 401 for `used`: the set that replaced it. */
  recover: (used: string) => Promise<string>;
  onRateLimit: ((info: RateLimitInfo) => void) | undefined;
  onRetry: ((notice: RetryNotice) => void) | undefined;
}

const BEARER = /^Bearer (\S+)$/;

export function policyAdapter(settings: PolicySettings): AxiosAdapter {
  const send = axios.getAdapter('http');
  return async (config) => {
    const method = (config.method ?? 'get').toUpperCase();
    const url = new URL(axios.getUri(config));
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
        const context = { label: `${method} ${url.pathname}`, origin: url.origin, timeout: settings.timeout, accessToken, signal: config.signal as AbortSignal | undefined };
        try {
          const response = await send(config);
          report(settings.onRateLimit, response.headers);
          return response;
        } catch (error) {
          if (isAxiosError(error) && error.response) report(settings.onRateLimit, error.response.headers);
          throw toPackageError(error, context);
        }
      },
    });
  };
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
