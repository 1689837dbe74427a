/**
 * Errors the package passes to the application. Each carries `status` (the HTTP
 * status Fatture in Cloud answered, when it answered), `code` (the provider's
 * error code, or one of ours for transport problems) and `cause`.
 *
 * None of them ever holds the client secret, an authorization code or a token:
 * messages are built from our own words and the provider's error strings, which
 * are scrubbed of every secret of the request (see `redact`).
 */

/** Codes for failures that happened before or around an HTTP answer. */
export type TransportErrorCode =
  | 'timeout'
  | 'network_error'
  | 'request_error'
  | 'unexpected_redirect'
  | 'response_too_large'
  | 'invalid_response'
  | 'http_error';

export interface FattureInCloudErrorOptions {
  code: string;
  status?: number | undefined;
  cause?: unknown;
}

export class FattureInCloudError extends Error {
  /** The HTTP status Fatture in Cloud answered; undefined when no answer came. */
  readonly status: number | undefined;
  readonly code: string;

  constructor(message: string, { code, status, cause }: FattureInCloudErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** The token endpoint refused a code exchange or a refresh (`{error, error_description}`). */
export class FattureInCloudTokenError extends FattureInCloudError {
  /** The provider's `error_description`, scrubbed of secrets. */
  readonly description: string | undefined;

  constructor(
    message: string,
    options: FattureInCloudErrorOptions & { description?: string | undefined },
  ) {
    super(message, options);
    this.description = options.description;
  }
}

/** Rate-limit counters from the `RateLimit-*` headers, where present. */
export interface RateLimitInfo {
  hourlyRemaining?: number;
  hourlyLimit?: number;
  monthlyRemaining?: number;
  monthlyLimit?: number;
}

/** An API call (`/user/info`, `/user/companies`) failed (`{"error":{"message","code"}}`). */
export class FattureInCloudAPIError extends FattureInCloudError {
  /** Seconds to wait before trying again, from `Retry-After` (403 quota, 429). */
  readonly retryAfter: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;

  constructor(
    message: string,
    options: FattureInCloudErrorOptions & {
      retryAfter?: number | undefined;
      rateLimit?: RateLimitInfo | undefined;
    },
  ) {
    super(message, options);
    this.retryAfter = options.retryAfter;
    this.rateLimit = options.rateLimit;
  }
}

/**
 * A call the quota did not send: the company's budget for the hour or the
 * month is spent (or Fatture in Cloud paused it after a refusal). Nothing was
 * sent; `retryAfter` says in how many whole seconds the window turns.
 */
export class FattureInCloudQuotaError extends FattureInCloudError {
  declare readonly code: 'quota_exhausted';
  readonly window: 'hour' | 'month';
  /** Whole seconds until a call may be sent again: always finite. */
  readonly retryAfter: number;
  /** The company the budget is for; undefined for calls outside a company. */
  readonly companyID: number | undefined;

  constructor(message: string, options: { window: 'hour' | 'month'; retryAfter: number; companyID: number | undefined }) {
    super(message, { code: 'quota_exhausted' });
    this.window = options.window;
    this.retryAfter = options.retryAfter;
    this.companyID = options.companyID;
  }
}

/** How Fatture in Cloud words a refusal for the request limits, in English or Italian. */
export const LIMIT_WORDS = /quota|rate.?limit|too many|limite|richieste/i;

/**
 * Whether `error` is a refusal for the request limits, to show "come back
 * later" rather than an error: the quota's own FattureInCloudQuotaError, a 429
 * that outlasted its retries, or a 403 whose words or counters speak of the
 * quota (not a missing permission or an expired licence). `retryAfter` says when.
 */
export function isRateLimited(error: unknown): error is FattureInCloudQuotaError | FattureInCloudAPIError {
  if (error instanceof FattureInCloudQuotaError) return true;
  if (!(error instanceof FattureInCloudAPIError)) return false;
  if (error.status === 429) return true;
  return error.status === 403 && (LIMIT_WORDS.test(`${error.code} ${error.message}`) || error.rateLimit?.hourlyRemaining === 0 || error.rateLimit?.monthlyRemaining === 0);
}

const REDACTED = '[redacted]';
/**
 * Fatture in Cloud's codes and tokens (`c/…`, `a/…`, `r/…`), also URL-encoded
 * (`r%2F…`), JSON-escaped (`r\/…`) or glued to a word before them (`old_r/…`).
 */
const TOKEN_PATTERN = /[acr](?:\/|%2f|\\\/)[\w.~+/=%\\-]{12,}/gi;
/** Provider text is quoted in messages, but never at any length. */
const MAX_QUOTED_LENGTH = 300;

/**
 * The one scrubber for provider-supplied text (bodies, descriptions, headers):
 * removes every secret of the request in the forms it may be echoed in, and
 * anything shaped like a Fatture in Cloud token, and bounds the result.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of echoedForms(secret)) safe = safe.split(form).join(REDACTED);
  }
  // Control characters in quoted text could forge log lines.
  // eslint-disable-next-line no-control-regex
  safe = safe.replace(TOKEN_PATTERN, REDACTED).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return safe.length > MAX_QUOTED_LENGTH ? `${safe.slice(0, MAX_QUOTED_LENGTH)}…` : safe;
}

/** A secret as a server may echo it: as is, URL-encoded, JSON-escaped (with or without `\/`). */
function echoedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, json, json.replaceAll('/', '\\/')];
  const encoded = urlEncoded(secret);
  if (encoded) forms.push(encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  return [...new Set(forms)];
}

/** Undefined for a string with a lone surrogate, which no server could have URL-encoded either. */
function urlEncoded(secret: string): string | undefined {
  try {
    return encodeURIComponent(secret);
  } catch {
    return undefined;
  }
}

/** What was thrown or rejected, as an Error: a library may reject with a string. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
