import { createHash } from 'node:crypto';
import { checkMargin, type ClientConfig, type ClientOptions, DEFAULT_TIMEOUT_MS, describeValue, resolveClientConfig } from '../config';
import { labelOf, withDeadline } from '../http/request';
import { requestToken, type TokenClient, type TokenResponse } from './token-endpoint';
import { tokenShapeProblem } from '../token-shape';

/**
 * A stored set of tokens. Every refresh returns a new `refreshToken` and retires
 * the old one: store the whole set again after each refresh.
 */
export interface FattureInCloudTokenSet {
  accessToken: string;
  /** Single-use: the next refresh needs this one, not the one before. */
  refreshToken: string;
  tokenType: string;
  /** Seconds the access token lives (86400). */
  expiresIn: number;
  /** When the access token expires, in epoch milliseconds (survives JSON storage). */
  expiresAt: number;
  /**
   * When the refresh token was issued, in epoch milliseconds: it dies a year
   * after, unless refreshed (`tokens.refreshIdle`). Absent from sets made before 0.3.
   */
  refreshTokenIssuedAt?: number | undefined;
}

export interface EnsureFreshOptions {
  /** Refresh when the access token expires within this many milliseconds. Default 5 minutes. */
  refreshMargin?: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Refresh requests in flight, by endpoint, credentials and refresh token. A
 * refresh token is single-use, so concurrent callers must share one request;
 * the entry goes as soon as the request settles, so a later call makes a new one.
 */
const inFlight = new Map<string, Promise<TokenResponse>>();

/**
 * The raw refresh, shared by every caller with the same credentials that asks
 * while it is in flight; each caller still waits no longer than its own timeout.
 * What cannot be a refresh token is refused here, before any request, so every
 * path (strategy, standalone, passport-oauth2-refresh) gets the same check.
 * Callers are async functions: the TypeError becomes their rejection.
 */
export function refreshOnce(client: TokenClient, refreshToken: unknown): Promise<TokenResponse> {
  assertRefreshToken(refreshToken);
  const key = flightKey(client, refreshToken);
  let pending = inFlight.get(key);
  if (!pending) {
    // The request outlives a hasty first caller, for the patient ones that join it.
    const shared = { ...client, timeout: Math.max(client.timeout, DEFAULT_TIMEOUT_MS) };
    pending = requestToken(shared, { grant_type: 'refresh_token', refresh_token: refreshToken });
    inFlight.set(key, pending);
    const forget = (): void => void inFlight.delete(key);
    pending.then(forget, forget);
  }
  return withDeadline(pending, client.timeout, labelOf('POST', client.tokenURL));
}

/** A caller with another secret must not share (or spoil) the flight; hashed, so no secret sits in a key. */
function flightKey(client: TokenClient, refreshToken: string): string {
  return createHash('sha256')
    .update([client.tokenURL, client.clientID, client.clientSecret, refreshToken].join('\n'))
    .digest('base64url');
}

/** Refreshes and returns the new token set; concurrent calls share one request. */
export async function refreshTokenSet(client: TokenClient, refreshToken: unknown): Promise<FattureInCloudTokenSet> {
  const requestedAt = Date.now();
  return toTokenSet(await refreshOnce(client, refreshToken), requestedAt);
}

/** Returns `tokenSet` while it stays valid beyond the margin, otherwise a refreshed one. */
export async function ensureFreshTokenSet(
  client: TokenClient,
  tokenSet: FattureInCloudTokenSet,
  options: EnsureFreshOptions = {},
): Promise<FattureInCloudTokenSet> {
  const margin = checkMargin(options.refreshMargin ?? DEFAULT_REFRESH_MARGIN_MS, 'refreshMargin');
  // Checked for JavaScript callers, whom the type does not bind.
  if (typeof (tokenSet as unknown) !== 'object' || (tokenSet as unknown) === null) {
    throw new TypeError(`ensureFreshTokenSet needs a token set, got ${describeValue(tokenSet)}`);
  }
  if (!isExpiring(tokenSet, margin)) return tokenSet;
  return refreshTokenSet(client, tokenSet.refreshToken);
}

/** True when the access token is gone or will be within `margin` milliseconds. */
export function isExpiring(tokenSet: Pick<FattureInCloudTokenSet, 'expiresAt'>, margin: number, now = Date.now()): boolean {
  // A set read back from storage may hold anything here: NaN and non-numbers count as expired.
  const { expiresAt } = tokenSet as { expiresAt: unknown };
  return typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt - now <= margin;
}

export function toTokenSet(response: TokenResponse, requestedAt: number): FattureInCloudTokenSet {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    tokenType: response.token_type,
    expiresIn: response.expires_in,
    // Counted from when we asked, so clock skew errs on the early side.
    expiresAt: requestedAt + response.expires_in * 1000,
    refreshTokenIssuedAt: requestedAt,
  };
}

/** Refuses, before any request, what cannot be a refresh token; names its kind, never its value. */
function assertRefreshToken(value: unknown): asserts value is string {
  const kind = refreshTokenProblem(value);
  if (kind) throw new TypeError(`refreshAccessToken needs a refresh token (r/…), got ${kind}`);
}

function refreshTokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return describeValue(value);
  if (value.startsWith('a/')) return 'an access token (a/…)';
  if (value.startsWith('c/')) return 'an authorization code (c/…)';
  const problem = tokenShapeProblem(value);
  return problem === undefined ? undefined : `a string that is ${problem}`;
}

/** For code without a strategy instance (a worker). */
export function refreshAccessToken(options: ClientOptions, refreshToken: string): Promise<FattureInCloudTokenSet> {
  return withClient(options, 'refreshAccessToken', (client) => refreshTokenSet(client, refreshToken));
}

/** For code without a strategy instance: a valid token set, refreshed only when it must be. */
export function ensureFreshToken(
  options: ClientOptions,
  tokenSet: FattureInCloudTokenSet,
  ensureOptions?: EnsureFreshOptions,
): Promise<FattureInCloudTokenSet> {
  return withClient(options, 'ensureFreshToken', (client) => ensureFreshTokenSet(client, tokenSet, ensureOptions));
}

/** Bad options reject the promise rather than throw, so callers handle one failure path. */
async function withClient<T>(options: ClientOptions, where: string, run: (client: ClientConfig) => Promise<T>): Promise<T> {
  return run(resolveClientConfig(options, where));
}
