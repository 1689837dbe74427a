import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { withTimeout } from './deadline';
import { FattureInCloudError, redact } from '../errors';
import { parseJSON } from './json';

/**
 * The one HTTP helper: the code exchange, the refresh, the profile calls and
 * `strategy._oauth2.get()` all go through it, so timeouts, redirects, size caps,
 * retries and JSON parsing are handled in one place. Built on node:http(s) with
 * keep-alive agents: on Node 20 it does twice the logins per second that fetch does.
 * Nothing it does throws outside the promise it returns.
 */

/** No Fatture in Cloud answer is anywhere near this; a bigger body is an attack or a bug. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

export interface HTTPRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  timeout: number;
  /** Every secret this request carries: provider text is scrubbed of them before it is quoted. */
  secrets: readonly string[];
}

/** An answer Fatture in Cloud gave; `body` is undefined when it was not JSON. */
export interface JSONResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Makes provider text safe to quote in an error: `redact` with every secret of the request. */
export type Quote = (text: string) => string;

/** Turns a non-2xx answer into the caller's error; the helper adds a generic one if it returns undefined. */
export type ErrorMapper = (response: JSONResponse, label: string, quote: Quote) => FattureInCloudError | undefined;

export async function requestJSON(request: HTTPRequest, mapError: ErrorMapper): Promise<JSONResponse> {
  const label = labelOf(request.method, request.url);
  const quote: Quote = (text) => redact(text, request.secrets);
  const { status, headers, text } = await requestText(request);
  const answer: JSONResponse = { status, headers, body: parseJSON(text, label, status) };
  if (status < 200 || status >= 300) throw mapError(answer, label, quote) ?? httpError(status, label);
  if (answer.body === undefined) throw notJSONError(answer, label, quote);
  return answer;
}

export interface TextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One request, the body as text. An idempotent GET that failed on a reused
 * keep-alive socket before any byte came back (the server had closed it) is
 * sent once more, as Node's documentation recommends; a POST never is.
 */
export async function requestText(request: HTTPRequest): Promise<TextResponse> {
  const target = targetOf(request.url);
  const label = labelOf(request.method, request.url);
  const deadline = Date.now() + request.timeout;
  try {
    return await send(request, target, label, deadline);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    if (request.method !== 'GET') throw error.failure;
    return send(request, target, label, deadline).catch((retryError: unknown) => {
      throw retryError instanceof StaleSocketError ? retryError.failure : retryError;
    });
  }
}

/** `METHOD /path` for messages: never the query, which is ours but needs no quoting. */
export function labelOf(method: string, url: string): string {
  return `${method} ${targetOf(url).pathname}`;
}

/** Rejects with the same timeout error the helper gives, for a caller that joined a request already in flight. */
export function withDeadline<T>(promise: Promise<T>, timeout: number, label: string): Promise<T> {
  return withTimeout(promise, timeout, () => timeoutError(label, timeout));
}

/** Where a request goes, as node:http takes it; parsed once per URL, not once per request. */
interface Target {
  origin: string;
  protocol: 'http:' | 'https:';
  hostname: string;
  port: string;
  pathname: string;
  path: string;
}

/** A strategy talks to a handful of URLs; the cap only guards against misuse. */
const MAX_CACHED_TARGETS = 64;
const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    const protocol = parsed.protocol === 'https:' ? 'https:' : 'http:';
    const { origin, port, pathname, search } = parsed;
    // WHATWG URLs keep IPv6 hosts bracketed; node:http wants them bare.
    const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    target = { origin, protocol, hostname, port, pathname, path: `${pathname}${search}` };
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/** A failure on a reused socket before any answer: the caller may send an idempotent request again. */
class StaleSocketError extends Error {
  constructor(readonly failure: FattureInCloudError) {
    super(failure.message);
  }
}

/** One attempt, settled exactly once: by the full body, or by the first failure. */
function send(request: HTTPRequest, target: Target, label: string, deadline: number): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    try {
      req = openRequest(request, target);
    } catch (error) {
      // Node refuses a header value it cannot send (a newline, a character above U+00FF).
      reject(requestError(error, label));
      return;
    }
    let response: IncomingMessage | undefined;
    let settled = false;
    const timeout = request.timeout;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const fail = (error: FattureInCloudError | StaleSocketError): void => {
      if (!finish()) return;
      req.destroy();
      response?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(timeoutError(label, timeout)), Math.max(0, deadline - Date.now()));
    req.on('response', (res: IncomingMessage) => {
      response = res;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(redirectError(status, label));
      if (Number(res.headers['content-length']) > MAX_RESPONSE_BYTES) return fail(tooLargeError(status, label));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(tooLargeError(status, label));
        else chunks.push(chunk);
      });
      res.on('error', (error) => fail(networkError(error, label, target.origin)));
      res.on('close', () => {
        if (!res.complete) fail(networkError(undefined, label, target.origin));
      });
      res.on('end', () => {
        if (finish()) resolve({ status, headers: res.headers, text: decode(chunks) });
      });
    });
    req.on('error', (error) => {
      const failure = networkError(error, label, target.origin);
      fail(req.reusedSocket && !response ? new StaleSocketError(failure) : failure);
    });
    req.end(request.body);
  });
}

function openRequest(request: HTTPRequest, target: Target): ClientRequest {
  const transport = target.protocol === 'https:' ? https : http;
  const headers =
    request.body === undefined ? request.headers : { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) };
  const { protocol, hostname, port, path } = target;
  return transport.request({ protocol, hostname, port, path, method: request.method, headers, agent: AGENTS[protocol] });
}

/** Most answers arrive in one chunk: decode it without a concatenated copy. */
function decode(chunks: Buffer[]): string {
  const [only] = chunks;
  return chunks.length === 1 && only ? only.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export function timeoutError(label: string, timeout: number): FattureInCloudError {
  const cause = new Error(`no complete answer after ${timeout} ms`);
  cause.name = 'TimeoutError';
  return new FattureInCloudError(`Fatture in Cloud did not answer ${label} within ${timeout} ms (timeout)`, { code: 'timeout', cause });
}

function redirectError(status: number, label: string): FattureInCloudError {
  return new FattureInCloudError(
    `Fatture in Cloud answered ${label} with a redirect (HTTP ${status}) instead of JSON; check baseURL`,
    { code: 'unexpected_redirect', status },
  );
}

function tooLargeError(status: number, label: string): FattureInCloudError {
  return new FattureInCloudError(
    `Fatture in Cloud answered ${label} with more than ${MAX_RESPONSE_BYTES} bytes; the body was not read`,
    { code: 'response_too_large', status },
  );
}

function notJSONError(response: JSONResponse, label: string, quote: Quote): FattureInCloudError {
  const type = response.headers['content-type'];
  return new FattureInCloudError(
    `Fatture in Cloud answered ${label} with HTTP ${response.status} and a body that is not JSON (${type === undefined ? 'no content-type' : quote(type)})`,
    { code: 'invalid_response', status: response.status },
  );
}

function httpError(status: number, label: string): FattureInCloudError {
  return new FattureInCloudError(`Fatture in Cloud answered ${label} with HTTP ${status}`, { code: 'http_error', status });
}

function requestError(error: unknown, label: string): FattureInCloudError {
  return new FattureInCloudError(`Could not send ${label}: ${systemCode(error) ?? 'Node refused the request'} (a header value is not valid)`, {
    code: 'request_error',
    cause: ownCause(error, 'the request could not be built'),
  });
}

/**
 * Node's own error is never kept: a parser error's `rawPacket` holds the bytes
 * received, tokens included. Its system code and a message of ours take its place.
 */
export function networkError(error: unknown, label: string, origin: string): FattureInCloudError {
  const code = systemCode(error);
  const reason = code ?? 'the connection closed before the response was complete';
  return new FattureInCloudError(`Could not reach Fatture in Cloud for ${label} at ${origin}: ${reason}`, {
    code: 'network_error',
    cause: ownCause(error, reason),
  });
}

/** `ECONNRESET`, `HPE_INVALID_CONSTANT`, `ERR_INVALID_CHAR`…: a constant, never received data. */
function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
}

function ownCause(error: unknown, message: string): Error {
  const code = systemCode(error);
  return Object.assign(new Error(code ? `${message} (${code})` : message), code ? { code } : {});
}
