import { createHash } from 'node:crypto';
import { describeValue } from '../config';
import { type FattureInCloudTokenSet, toTokenSet } from '../oauth/refresh';
import type { TokenResponse } from '../oauth/token-endpoint';
import { tokenShapeProblem } from '../token-shape';

/**
 * The token set of a login, from what a 5-argument verify receives as `params`
 * (the token response): `tokens.save(profile.id, tokenSetFromParams(params))`.
 */
export function tokenSetFromParams(params: TokenResponse, receivedAt = Date.now()): FattureInCloudTokenSet {
  // Checked for JavaScript callers, and for params that did not come from this package.
  if (typeof (params as unknown) !== 'object' || (params as unknown) === null) {
    throw new TypeError(`tokenSetFromParams needs the token response verify receives as params, got ${describeValue(params)}`);
  }
  const tokenSet = toTokenSet(params, receivedAt);
  assertTokenSet(tokenSet, 'tokenSetFromParams');
  return tokenSet;
}

/**
 * A short digest that tells one token set from another (SHA-256 of its access
 * token), safe to put in a page or a log where the set itself must not go.
 */
export function tokenSetFingerprint(tokenSet: Pick<FattureInCloudTokenSet, 'accessToken'>): string {
  return createHash('sha256').update(tokenSet.accessToken).digest('base64url').slice(0, 22);
}

/** Refuses what is not a token set before any I/O; names the field, never a token. */
export function assertTokenSet(value: unknown, where: string): asserts value is FattureInCloudTokenSet {
  const problem = tokenSetProblem(value);
  if (problem) throw new TypeError(`${where} needs a token set ({ accessToken, refreshToken, tokenType, expiresIn, expiresAt }): ${problem}`);
}

function tokenSetProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `got ${describeValue(value)}`;
  const set = value as Partial<Record<keyof FattureInCloudTokenSet, unknown>>;
  for (const field of ['accessToken', 'refreshToken'] as const) {
    const problem = tokenShapeProblem(set[field]);
    if (problem) return `${field} is ${problem}`;
  }
  if (typeof set.tokenType !== 'string') return `tokenType is ${describeValue(set.tokenType)}`;
  if (typeof set.expiresIn !== 'number' || !(set.expiresIn > 0)) return `expiresIn is ${describeValue(set.expiresIn)}`;
  if (typeof set.expiresAt !== 'number' || !Number.isFinite(set.expiresAt)) return `expiresAt is ${describeValue(set.expiresAt)}, not epoch milliseconds`;
  const issued = set.refreshTokenIssuedAt;
  if (issued !== undefined && (typeof issued !== 'number' || !Number.isFinite(issued))) return `refreshTokenIssuedAt is ${describeValue(issued)}, not epoch milliseconds`;
  return undefined;
}

/**
 * A key with a lone surrogate has no UTF-8 form: stores that encode keys would
 * map `'u\uD800'` and `'u\uDFFF'` to one entry, two users sharing one set.
 */
export function assertWellFormedKey(key: string, where: string): void {
  if (!key.isWellFormed()) throw new TypeError(`${where} needs a key of well-formed Unicode; this one has a lone surrogate`);
}

/**
 * When a set's refresh token was issued: recorded at login and at every
 * rotation; for a set stored before that was recorded, when its access token
 * was (the two come in one answer).
 */
export function refreshTokenIssuedAt(tokenSet: Pick<FattureInCloudTokenSet, 'expiresAt' | 'expiresIn' | 'refreshTokenIssuedAt'>): number {
  const { refreshTokenIssuedAt: recorded, expiresAt, expiresIn } = tokenSet;
  return typeof recorded === 'number' && Number.isFinite(recorded) ? recorded : expiresAt - expiresIn * 1000;
}
