import { createHash } from 'node:crypto';
import { checkDuration, describeValue } from '../config';
import { withTimeout } from '../deadline';
import { FattureInCloudError } from '../errors';
import { createSealer, type SealKeyInput, type Sealer } from '../seal';
import { type RedisScript, SCRIPTS } from './redis-scripts';
import type { StoredTokenSet, TokenStore } from './store';
import { assertTokenSet } from './token-set';

/**
 * The part of a node-redis client (`redis` ≥ 5, the client connect-redis uses)
 * the store calls. Only the client the app passes is used: this module loads no
 * Redis code, so `redis` stays an optional peer dependency.
 */
export interface RedisClientLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { NX?: boolean; PX?: number }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisTokenStoreOptions {
  /** A connected node-redis client: `await createClient({ url }).connect()`. */
  client: RedisClientLike;
  /** Default `'fic:tokens:'`. */
  prefix?: string | undefined;
  /** How long a refresh lock lives, in ms. Default: twice FattureInCloudTokens' timeout + 5 s. */
  lockTTL?: number | undefined;
  /** 32 bytes (a Buffer, 64 hex characters or base64): seals every stored set with AES-256-GCM. A list rotates keys: the first seals, all open. */
  encryptionKey?: SealKeyInput | readonly SealKeyInput[] | undefined;
  /** The longest any Redis call may take, in ms, reconnections included. Default 2000. */
  timeout?: number | undefined;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;
const DEFAULT_PREFIX = 'fic:tokens:';
const MAX_DECODED = 1024;

/** What is stored under a key: JSON, as connect-redis stores sessions. */
interface StoredValue {
  v: 1;
  /** SHA-256 of the refresh token, for the compare-and-set in Lua: never the token itself. */
  rt: string;
  dead?: true;
  tokens?: StoredTokenSet['tokens'];
  /** The token set, sealed, when the store has an encryption key. */
  sealed?: string;
}

/**
 * Token sets in Redis, for FattureInCloudTokens across processes. The lock is
 * `SET lock owner NX PX ttl`, released by its owner alone (Lua compare-and-delete);
 * the rotated set is written by a Lua compare-and-set on the spent refresh
 * token. A set's key and its lock share a hash tag, for Redis Cluster.
 */
export class RedisTokenStore implements TokenStore {
  readonly lockTTL: number | undefined;
  readonly prefix: string;
  readonly timeout: number;
  declare private readonly client: RedisClientLike;
  declare private readonly sealer: Sealer | undefined;
  /**
   * Values read recently, by key and raw value: an unchanged value is not parsed,
   * opened and checked again on every `get` (opening costs a third of a GET).
   * A changed value is a new entry; the cache is cleared when full.
   */
  private readonly decoded = new Map<string, StoredTokenSet>();

  constructor(options: RedisTokenStoreOptions) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
      throw new TypeError(`RedisTokenStore needs options with a connected node-redis client, got ${describeValue(options)}`);
    }
    const { client, prefix = DEFAULT_PREFIX, lockTTL, encryptionKey, timeout = DEFAULT_REDIS_TIMEOUT_MS } = options;
    assertClient(client);
    if (typeof prefix !== 'string') throw new TypeError(`RedisTokenStore: prefix must be a string, got ${describeValue(prefix)}`);
    this.prefix = prefix;
    this.lockTTL = lockTTL === undefined ? undefined : checkDuration(lockTTL, 'RedisTokenStore: lockTTL');
    this.timeout = checkDuration(timeout, 'RedisTokenStore: timeout');
    const keys = encryptionKey === undefined ? undefined : Array.isArray(encryptionKey) ? encryptionKey : [encryptionKey];
    // Non-enumerable: neither the client nor the key shows in logs of the store.
    Object.defineProperties(this, {
      client: { value: client },
      sealer: { value: keys && createSealer(keys as SealKeyInput[], 'RedisTokenStore: encryptionKey') },
    });
  }

  async read(key: string): Promise<StoredTokenSet | undefined> {
    const redisKey = this.keyOf(key);
    const raw = await this.call('GET', () => this.client.get(redisKey));
    if (typeof raw !== 'string') return raw === null || raw === undefined ? undefined : this.decode(raw, redisKey);
    const cacheKey = `${redisKey}\n${raw}`;
    let stored = this.decoded.get(cacheKey);
    if (!stored) {
      stored = this.decode(raw, redisKey);
      if (this.decoded.size >= MAX_DECODED) this.decoded.clear();
      this.decoded.set(cacheKey, stored);
    }
    // A copy: a caller that changes its set changes nothing cached.
    return { ...stored, tokens: { ...stored.tokens } };
  }

  async write(key: string, stored: StoredTokenSet): Promise<void> {
    const redisKey = this.keyOf(key);
    await this.call('SET', () => this.client.set(redisKey, this.encode(stored, redisKey)));
  }

  async replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    const redisKey = this.keyOf(key);
    const written = await this.run(SCRIPTS.replaceIfSpent, redisKey, [digest(spentRefreshToken), this.encode(next, redisKey)]);
    return written === 1;
  }

  async delete(key: string): Promise<void> {
    await this.call('DEL', () => this.client.del(this.keyOf(key)));
  }

  async lock(key: string, owner: string, ttl: number): Promise<boolean> {
    const taken = await this.call('SET NX', () => this.client.set(this.lockKeyOf(key), owner, { NX: true, PX: Math.ceil(ttl) }));
    return taken === 'OK';
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.run(SCRIPTS.unlockIfOwner, this.lockKeyOf(key), [owner]);
  }

  /** `{…}` is the hash tag: the set and its lock land on one Cluster slot. Braces in the key are escaped so the tag holds. */
  keyOf(key: string): string {
    return `${this.prefix}{${key.replace(/[%{}]/g, (char) => `%${char.charCodeAt(0).toString(16)}`)}}`;
  }

  lockKeyOf(key: string): string {
    return `${this.keyOf(key)}:lock`;
  }

  private encode(stored: StoredTokenSet, redisKey: string): string {
    const value: StoredValue = { v: 1, rt: digest(stored.tokens.refreshToken) };
    if (stored.dead) value.dead = true;
    if (this.sealer) value.sealed = this.sealer.seal(JSON.stringify(stored.tokens), redisKey);
    else value.tokens = stored.tokens;
    return JSON.stringify(value);
  }

  private decode(raw: unknown, redisKey: string): StoredTokenSet {
    const value = parseStored(raw);
    const tokens = value?.sealed !== undefined && this.sealer ? parseJSON(this.sealer.open(value.sealed, redisKey)) : value?.tokens;
    try {
      assertTokenSet(tokens, 'RedisTokenStore');
    } catch {
      throw new FattureInCloudError(
        `The value under Redis key ${redisKey} is not a token set this store can read (written by something else, ${this.sealer ? 'or sealed with another key' : 'or sealed: pass encryptionKey'})`,
        { code: 'store_corrupt' },
      );
    }
    return value?.dead ? { tokens, dead: true } : { tokens };
  }

  private run(script: RedisScript, redisKey: string, args: string[]): Promise<unknown> {
    return this.call('EVAL', () => this.client.eval(script.source, { keys: [redisKey], arguments: args }));
  }

  /**
   * Every call settles within `timeout`: node-redis queues commands while it
   * reconnects, and a queued command would otherwise wait for ever. A command
   * that times out may still run later; each is safe to (the compare-and-set
   * checks, the lock expires, the unlock checks its owner).
   */
  private call<T>(command: string, send: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = send();
    } catch (error) {
      return Promise.reject(storeError(command, error));
    }
    const unavailable = (): Error =>
      new FattureInCloudError(`Redis did not answer ${command} within ${this.timeout} ms: is it reachable?`, { code: 'store_unavailable' });
    return withTimeout(
      pending.catch((error: unknown) => {
        throw storeError(command, error);
      }),
      this.timeout,
      unavailable,
    );
  }
}

/** Redis errors carry no data but their own words; node-redis's client errors say closed or not. */
function storeError(command: string, error: unknown): FattureInCloudError {
  const message = error instanceof Error ? error.message : '';
  const reason = /closed/i.test(message) ? 'the client is closed' : (/^[A-Z]+/.exec(message)?.[0] ?? 'it failed');
  return new FattureInCloudError(`Redis could not run ${command}: ${reason}`, { code: 'store_unavailable' });
}

function parseStored(raw: unknown): StoredValue | undefined {
  const value = parseJSON(typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined);
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

function digest(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

function assertClient(client: unknown): asserts client is RedisClientLike {
  const methods = ['get', 'set', 'del', 'eval'] as const;
  const missing = typeof client === 'object' && client !== null ? methods.filter((name) => typeof (client as Record<string, unknown>)[name] !== 'function') : methods;
  if (missing.length > 0) {
    throw new TypeError(`RedisTokenStore needs a node-redis client (redis >= 5), connected; got ${describeValue(client)} without ${missing.join(', ')}`);
  }
}
