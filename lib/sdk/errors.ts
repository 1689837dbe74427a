import { type InternalAxiosRequestConfig, isAxiosError, isCancel } from 'axios';
import { abortError } from '../http/abort';
import { apiError } from '../http/api';
import { FattureInCloudError, redact } from '../errors';
import { networkError, timeoutError } from '../http/request';
import { parseJSON } from '../http/json';

/**
 * What axios rejects with, as the package's errors. An AxiosError holds the
 * request's headers (the bearer token) in `config` and the socket in
 * `request`: none of it is kept, only the status, headers and body of the
 * answer, scrubbed of the token that was sent.
 */

export interface AttemptContext {
  /** `METHOD /path`, for messages. */
  label: string;
  origin: string;
  timeout: number;
  /** The token sent, if known: scrubbed from what the answer quotes (the package's pattern catches any other). */
  accessToken?: string | undefined;
  signal: AbortSignal | undefined;
}

export function toPackageError(error: unknown, context: AttemptContext): Error {
  if (isCancel(error)) return abortError(context.signal);
  // Ours already (the token store's, the policy's), or the app's own from a callback.
  if (!isAxiosError(error)) return error instanceof Error ? error : new FattureInCloudError(`${context.label} failed`, { code: 'request_error' });
  const { response } = error;
  if (response) {
    const headers = Object.fromEntries(Object.entries(response.headers as Record<string, unknown>).filter(isHeader));
    const answer = { status: response.status, headers, body: jsonBody(response.data, context.label, response.status) };
    return apiError(answer, context.label, (text) => redact(text, context.accessToken ? [context.accessToken] : []));
  }
  if (error.code === 'ERR_CANCELED') return abortError(context.signal);
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return timeoutError(context.label, context.timeout);
  return networkError(error, context.label, context.origin);
}

/** An adapter sees the body as it came (axios parses it later): parsed here as the package parses any answer. */
function jsonBody(data: unknown, label: string, status: number): unknown {
  if (typeof data === 'string') return parseJSON(data, label, status);
  if (Buffer.isBuffer(data)) return parseJSON(data.toString('utf8'), label, status);
  return undefined;
}

function isHeader(entry: [string, unknown]): entry is [string, string | string[]] {
  const [, value] = entry;
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

/**
 * For what axios rejects with outside the adapter (a cancellation it noticed
 * itself, a request it could not build): the same errors, from the request's config.
 */
export function contextOf(config: InternalAxiosRequestConfig | undefined, timeout: number): AttemptContext {
  const method = (config?.method ?? 'get').toUpperCase();
  const url = URL.parse(config?.url ?? '', config?.baseURL);
  return { label: `${method} ${url?.pathname ?? '(no URL)'}`, origin: url?.origin ?? '(no URL)', timeout, signal: config?.signal as AbortSignal | undefined };
}
