import { createHash } from 'node:crypto';
import { FattureInCloudError } from '../../errors';
import type { FattureInCloudTokenSet } from '../../oauth/refresh';
import { createSealer, type SealKeyInput, type Sealer } from '../../seal';
import type { StoredTokenSet } from '../store';
import { assertTokenSet } from '../token-set';

/**
 * How a shared store (Redis, PostgreSQL) writes a token set: JSON
 * `{v, rt, dead?, tokens | sealed}`, where `rt` is a SHA-256 of the refresh
 * token for the compare-and-set (never the token itself), and `sealed` the set
 * under AES-256-GCM, bound to where it is stored so it cannot be copied under
 * another user's key. Values read recently are kept decoded, by place and raw
 * value: an unchanged value is not parsed, opened and checked again on every read.
 */

/** A token set is well under 1 KiB; anything this large was planted, and is neither read nor cached. */
export const MAX_STORED_BYTES = 64 * 1024;
const MAX_DECODED = 1024;

interface StoredValue {
  v: 1;
  rt: string;
  dead?: true;
  tokens?: StoredTokenSet['tokens'];
  sealed?: string;
}

export interface TokenSetCodec {
  readonly sealed: boolean;
  encode(stored: StoredTokenSet, place: string): string;
  /**
   * `describe` names the place for the error (a Redis key, a table row); called
   * only on a failure. `rt`, where the store keeps the compare-and-set's digest
   * outside the value (a SQL column), must match the set too.
   */
  decode(raw: string, place: string, describe: () => string, rt?: string): StoredTokenSet;
}

export function createCodec(encryptionKey: SealKeyInput | readonly SealKeyInput[] | undefined, where: string): TokenSetCodec {
  const keys = encryptionKey === undefined ? undefined : Array.isArray(encryptionKey) ? encryptionKey : [encryptionKey];
  const sealer = keys && createSealer(keys as SealKeyInput[], `${where}: encryptionKey`);
  // By place, the raw value beside it: comparing two strings is cheaper than hashing their concatenation.
  const decoded = new Map<string, { raw: string; stored: StoredTokenSet }>();
  return {
    sealed: sealer !== undefined,
    encode: (stored, place) => encode(stored, place, sealer),
    decode: (raw, place, describe, rt) => {
      let stored = decoded.get(place);
      if (stored?.raw !== raw) {
        stored = { raw, stored: decode(raw, place, describe, sealer) };
        if (decoded.size >= MAX_DECODED) decoded.clear();
        decoded.set(place, stored);
      }
      if (rt !== undefined && rt !== refreshTokenDigest(stored.stored.tokens.refreshToken)) throw mismatch(describe);
      return copyOf(stored.stored);
    },
  };
}

/**
 * A copy, so a caller that changes its set changes nothing cached; field by
 * field, as a spread of the set on every read costs more than the read itself.
 */
function copyOf({ tokens, dead }: StoredTokenSet): StoredTokenSet {
  const { accessToken, refreshToken, tokenType, expiresIn, expiresAt, refreshTokenIssuedAt } = tokens;
  const copy: FattureInCloudTokenSet =
    refreshTokenIssuedAt === undefined
      ? { accessToken, refreshToken, tokenType, expiresIn, expiresAt }
      : { accessToken, refreshToken, tokenType, expiresIn, expiresAt, refreshTokenIssuedAt };
  return dead ? { tokens: copy, dead: true } : { tokens: copy };
}

/** The compare-and-set's digest of a refresh token. */
export function refreshTokenDigest(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

function encode(stored: StoredTokenSet, place: string, sealer: Sealer | undefined): string {
  const value: StoredValue = { v: 1, rt: refreshTokenDigest(stored.tokens.refreshToken) };
  if (stored.dead) value.dead = true;
  if (sealer) value.sealed = sealer.seal(JSON.stringify(stored.tokens), place);
  else value.tokens = stored.tokens;
  return JSON.stringify(value);
}

function decode(raw: string, place: string, describe: () => string, sealer: Sealer | undefined): StoredTokenSet {
  const value = raw.length <= MAX_STORED_BYTES ? parseStored(raw) : undefined;
  // A sealed store reads sealed values only: a plain one was planted by whoever can write to the store.
  const tokens = sealer ? (typeof value?.sealed === 'string' ? parseJSON(sealer.open(value.sealed, place)) : undefined) : value?.tokens;
  try {
    assertTokenSet(tokens, 'a token store');
  } catch {
    throw new FattureInCloudError(
      `The value ${describe()} is not a token set this store can read (written by something else${sealer ? ', not sealed, or sealed with another key' : ', or sealed: pass encryptionKey'}; at most ${MAX_STORED_BYTES} bytes)`,
      { code: 'store_corrupt' },
    );
  }
  // `rt` lies outside the seal: one that is not this set's would make every compare-and-set fail, and every rotation be lost.
  if (value?.rt !== refreshTokenDigest(tokens.refreshToken)) throw mismatch(describe);
  return value.dead ? { tokens, dead: true } : { tokens };
}

function mismatch(describe: () => string): FattureInCloudError {
  return new FattureInCloudError(
    `The value ${describe()} holds a compare-and-set digest (rt) that is not its own token set's: it was changed by something other than this store, and no refresh is tried on it`,
    { code: 'store_corrupt' },
  );
}

function parseStored(raw: string): StoredValue | undefined {
  const value = parseJSON(raw);
  return typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 1 ? (value as StoredValue) : undefined;
}

function parseJSON(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
