import { FattureInCloudError } from './errors';

/**
 * The one HTTP helper: the code exchange, the refresh and the profile calls all
 * go through `requestJSON`, so timeouts, redirects, size caps and JSON parsing
 * are handled in one place.
 */

/** No Fatture in Cloud answer is anywhere near this; a bigger body is an attack or a bug. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface JSONRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeout: number;
}

/** An answer Fatture in Cloud gave; `body` is undefined when it was not JSON. */
export interface JSONResponse {
  status: number;
  headers: Headers;
  body: unknown;
  ok: boolean;
}

/** Turns a non-2xx answer into the caller's error; the helper adds a generic one if it returns undefined. */
export type ErrorMapper = (response: JSONResponse, label: string) => FattureInCloudError | undefined;

export async function requestJSON(request: JSONRequest, mapError: ErrorMapper): Promise<JSONResponse> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  const signal = AbortSignal.timeout(request.timeout);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      redirect: 'manual',
      signal,
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new FattureInCloudError(
        `Fatture in Cloud answered ${label} with a redirect (HTTP ${response.status}) instead of JSON; check baseURL`,
        { code: 'unexpected_redirect', status: response.status },
      );
    }
    const text = await readBody(response, label);
    const answer: JSONResponse = {
      status: response.status,
      headers: response.headers,
      body: parseJSON(text),
      ok: response.ok,
    };
    if (!answer.ok) throw mapError(answer, label) ?? httpError(answer, label);
    if (answer.body === undefined) throw notJSONError(response, label);
    return answer;
  } catch (error) {
    throw toTransportError(error, signal, label, request);
  }
}

async function readBody(response: Response, label: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw tooLargeError(response.status, label);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, so the rest is never downloaded.
    if (size > MAX_RESPONSE_BYTES) throw tooLargeError(response.status, label);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A SyntaxError would quote the body, which may hold a token: parse failures stay silent. */
function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function tooLargeError(status: number, label: string): FattureInCloudError {
  return new FattureInCloudError(
    `Fatture in Cloud answered ${label} with more than ${MAX_RESPONSE_BYTES} bytes; the body was not read`,
    { code: 'response_too_large', status },
  );
}

function notJSONError(response: Response, label: string): FattureInCloudError {
  const type = response.headers.get('content-type') ?? 'no content-type';
  return new FattureInCloudError(
    `Fatture in Cloud answered ${label} with HTTP ${response.status} and a body that is not JSON (${type})`,
    { code: 'invalid_response', status: response.status },
  );
}

function httpError(response: JSONResponse, label: string): FattureInCloudError {
  return new FattureInCloudError(`Fatture in Cloud answered ${label} with HTTP ${response.status}`, {
    code: 'http_error',
    status: response.status,
  });
}

/** Our own errors pass through; fetch's become ones that say what happened. */
function toTransportError(
  error: unknown,
  signal: AbortSignal,
  label: string,
  request: JSONRequest,
): FattureInCloudError {
  if (error instanceof FattureInCloudError) return error;
  if (signal.aborted) {
    return new FattureInCloudError(
      `Fatture in Cloud did not answer ${label} within ${request.timeout} ms (timeout)`,
      { code: 'timeout', cause: signal.reason },
    );
  }
  const reason = networkReason(error);
  return new FattureInCloudError(
    `Could not reach Fatture in Cloud for ${label} at ${new URL(request.url).origin}: ${reason}`,
    { code: 'network_error', cause: error },
  );
}

/** fetch says only "fetch failed"; the system error code is one or two causes down. */
function networkReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : 'unknown network error';
}
