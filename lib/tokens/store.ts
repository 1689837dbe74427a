import type { FattureInCloudTokenSet } from '../oauth/refresh';

/**
 * What a token store keeps under a key, and the four operations
 * FattureInCloudTokens needs from it to keep one user's tokens valid across any
 * number of processes. MemoryTokenStore and RedisTokenStore implement it; a
 * store on SQL is a table `(key, refresh_token, value, dead)` and a lock table.
 */

export interface StoredTokenSet {
  tokens: FattureInCloudTokenSet;
  /** Fatture in Cloud refused `tokens.refreshToken`: the user must authorize the app again. A SQL row's `false` is fine. */
  dead?: boolean | undefined;
}

export interface TokenStore {
  /** The set under `key`, or undefined. */
  read(key: string): Promise<StoredTokenSet | undefined>;
  /** Stores `stored` under `key` whatever is there: a login. */
  write(key: string, stored: StoredTokenSet): Promise<void>;
  /**
   * Compare-and-set: stores `next` only if the set under `key` still holds the
   * refresh token that was spent to get it (`UPDATE … WHERE key = $1 AND
   * refresh_token = $2`). False, and nothing written, when another set is there
   * or none: a stale writer must never overwrite a newer set, nor bring back a deleted one.
   */
  replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Takes the refresh lock of `key` for `owner` if nobody holds it (`SET lock owner NX PX ttl`). */
  lock(key: string, owner: string, ttl: number): Promise<boolean>;
  /** Releases the lock only if `owner` still holds it: an expired holder must not free a successor's lock. */
  unlock(key: string, owner: string): Promise<void>;
  /** How long a lock lives, in ms, if the store sets it; else FattureInCloudTokens derives it from its timeout. */
  readonly lockTTL?: number | undefined;
  /** The longest the store lets one call take, in ms: FattureInCloudTokens bounds its calls by this plus a margin (else by 2 s). */
  readonly timeout?: number | undefined;
  /**
   * True when no other process reads or writes this store (MemoryTokenStore):
   * a refresh Fatture in Cloud refused is final at once, with no wait for a
   * successor another process might be writing.
   */
  readonly processLocal?: boolean | undefined;
  /**
   * Every key with a stored set, as the store pages them (Redis `SCAN`, SQL a
   * paged `SELECT`; never all at once). Optional: `tokens.refreshIdle` needs it.
   */
  keys?(): AsyncIterable<string>;
}

/**
 * Marks the package's own stores, whose every call settles within their
 * `timeout` already (tested): FattureInCloudTokens puts no second timer around them.
 */
export const BOUNDS_ITS_OWN_CALLS = Symbol('passport-fattureincloud: bounds its own calls');
