import { checkDuration, describeValue } from '../../config';
import { Deadlines } from '../../http/deadline';
import { asError, FattureInCloudError, redact } from '../../errors';
import { publishStoreError, type StoreCall } from '../../events';
import type { SealKeyInput } from '../../seal';
import { BOUNDS_ITS_OWN_CALLS, type StoredTokenSet, type TokenStore } from '../store';
import { assertWellFormedKey } from '../token-set';
import { createCodec, refreshTokenDigest, type TokenSetCodec } from './codec';
import { isReplyError, type RedisClientLike, type RedisCommands, redisCommands } from '../../backends/redis-clients';
import { type RedisScript, SCRIPTS } from './redis-scripts';

export interface RedisTokenStoreOptions {
  /** A connected node-redis client or cluster (`await createClient({ url }).connect()`), or an ioredis/iovalkey `Redis` or `Cluster`. */
  client: RedisClientLike;
  /** Default `'fic:tokens:'`. */
  prefix?: string | undefined;
  /** How long a refresh lock lives, in ms. Default: twice FattureInCloudTokens' timeout + 5 s. */
  lockTTL?: number | undefined;
  /** 32 bytes (a Buffer, 64 hex characters or base64): seals every stored set with AES-256-GCM. A list rotates keys: the first seals, all open. */
  encryptionKey?: SealKeyInput | readonly SealKeyInput[] | undefined;
  /** The longest any Redis call may take, in ms, reconnections included (up to an eighth more: one timer checks them all). Default 2000. */
  timeout?: number | undefined;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;

/** What `persistence()` found: AOF on or off, and how often it syncs to disk. */
export interface RedisPersistence {
  aof: boolean;
  /** `always`, `everysec` or `no`; undefined when AOF is off or CONFIG GET is refused. */
  appendfsync: string | undefined;
}
const DEFAULT_PREFIX = 'fic:tokens:';
/** What would end or nest the hash tag, and the escape character itself. */
const TAG_BREAKING = /[%{}]/;
const TAG_BREAKING_ALL = /[%{}]/g;

/**
 * Token sets in Redis, for FattureInCloudTokens across processes. The lock is
 * `SET lock owner NX PX ttl`, released by its owner alone (Lua compare-and-delete);
 * the rotated set is written by a Lua compare-and-set on the spent refresh
 * token. A set's key and its lock share a hash tag, for Redis Cluster.
 */
export class RedisTokenStore implements TokenStore {
  readonly lockTTL: number | undefined;
  /** Every call settles within `timeout`: the manager adds no timer of its own. */
  readonly [BOUNDS_ITS_OWN_CALLS] = true;
  readonly prefix: string;
  readonly timeout: number;
  declare private readonly client: RedisCommands;
  declare private readonly codec: TokenSetCodec;
  declare private readonly deadlines: Deadlines<RedisCall>;

  constructor(options: RedisTokenStoreOptions) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
      throw new TypeError(`RedisTokenStore needs options with a connected node-redis client, got ${describeValue(options)}`);
    }
    const { client, prefix = DEFAULT_PREFIX, lockTTL, encryptionKey, timeout = DEFAULT_REDIS_TIMEOUT_MS } = options;
    const commands = redisCommands(client, 'RedisTokenStore');
    if (typeof prefix !== 'string') throw new TypeError(`RedisTokenStore: prefix must be a string, got ${describeValue(prefix)}`);
    this.prefix = prefix;
    this.lockTTL = lockTTL === undefined ? undefined : checkDuration(lockTTL, 'RedisTokenStore: lockTTL');
    this.timeout = checkDuration(timeout, 'RedisTokenStore: timeout');
    // Non-enumerable: neither the client nor the key shows in logs of the store.
    Object.defineProperties(this, {
      client: { value: commands },
      codec: { value: createCodec(encryptionKey, 'RedisTokenStore') },
      deadlines: { value: new Deadlines<RedisCall>(this.timeout, { failed, timedOut: (call) => this.unavailable(call) }) },
    });
  }

  /** Not async: `get` runs this on every call, and each promise layer shows. */
  read(key: string): Promise<StoredTokenSet | undefined> {
    let redisKey: string;
    try {
      redisKey = this.keyOf(key);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.call('GET', () => this.client.get(redisKey), key, 'read', (raw) =>
      raw === null || raw === undefined ? undefined : this.codec.decode(typeof raw === 'string' ? raw : '', redisKey, () => `under Redis key ${redisKey}`),
    );
  }

  async write(key: string, stored: StoredTokenSet): Promise<void> {
    const redisKey = this.keyOf(key);
    await this.call('SET', () => this.client.set(redisKey, this.codec.encode(stored, redisKey)), key, 'write');
  }

  async replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    const redisKey = this.keyOf(key);
    const written = await this.run(SCRIPTS.replaceIfSpent, redisKey, [refreshTokenDigest(spentRefreshToken), this.codec.encode(next, redisKey)], key, 'replace');
    return written === 1;
  }

  async delete(key: string): Promise<void> {
    await this.call('DEL', () => this.client.del(this.keyOf(key)), key, 'delete');
  }

  async lock(key: string, owner: string, ttl: number): Promise<boolean> {
    return this.call('SET NX', () => this.client.setIfAbsent(this.lockKeyOf(key), owner, Math.ceil(ttl)), key, 'lock');
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.run(SCRIPTS.unlockIfOwner, this.lockKeyOf(key), [owner], key, 'unlock');
  }

  /**
   * What this Redis keeps across a crash: whether AOF is on (`INFO persistence`)
   * and its `appendfsync` (`CONFIG GET`, undefined where the server refuses it).
   * A rotation lost in a crash costs the user their authorization: see
   * docs/several-processes.md, "Durability". On a Cluster, one node answers.
   */
  async persistence(): Promise<RedisPersistence> {
    const info = await this.call('INFO', () => this.client.info('persistence'), '*', 'persistence');
    const aof = /^aof_enabled:1\s*$/m.test(info);
    const appendfsync = aof ? await this.call('CONFIG GET', () => this.client.configGet('appendfsync'), '*', 'persistence') : undefined;
    return { aof, appendfsync };
  }

  /**
   * Every key with a stored set, by `SCAN` on the prefix (every master of a
   * Cluster), never `KEYS`. Each SCAN page is bounded by `timeout`.
   */
  async *keys(): AsyncIterableIterator<string> {
    const iterator = this.client.scan(`${globEscape(this.prefix)}{*}`)[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.call('SCAN', () => iterator.next(), '*', 'keys');
      if (next.done) return;
      const key = this.userKeyOf(next.value);
      if (key !== undefined) yield key;
    }
  }

  /** The user key a Redis key holds: `prefix{escaped}`, not its lock. */
  private userKeyOf(redisKey: string): string | undefined {
    const tagged = redisKey.slice(this.prefix.length);
    if (!redisKey.startsWith(this.prefix) || !tagged.startsWith('{') || !tagged.endsWith('}')) return undefined;
    return tagged.slice(1, -1).replace(/%(7b|7d|25)/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }

  /** `{…}` is the hash tag: the set and its lock land on one Cluster slot. Braces in the key are escaped so the tag holds. */
  keyOf(key: string): string {
    assertWellFormedKey(key, 'RedisTokenStore');
    // Tested first: most keys have nothing to escape, and `get` runs this on every call.
    const escaped = TAG_BREAKING.test(key) ? key.replace(TAG_BREAKING_ALL, (char) => `%${char.charCodeAt(0).toString(16)}`) : key;
    return `${this.prefix}{${escaped}}`;
  }

  lockKeyOf(key: string): string {
    return `${this.keyOf(key)}:lock`;
  }

  private run(script: RedisScript, redisKey: string, args: string[], key: string, operation: string): Promise<unknown> {
    return this.call('EVAL', () => this.client.eval(script.source, [redisKey], args), key, operation);
  }

  private unavailable(call: RedisCall): FattureInCloudError {
    return publishStoreError(call, new FattureInCloudError(`Redis did not answer ${call.command} within ${this.timeout} ms: is it reachable?`, { code: 'store_unavailable' }));
  }

  /**
   * Every call settles within `timeout` (an eighth more at most): node-redis queues commands while it
   * reconnects, and a queued command would otherwise wait for ever. A command
   * that times out may still run later; each is safe to (the compare-and-set
   * checks, the lock expires, the unlock checks its owner).
   */
  private call<T, R = T>(command: string, send: () => Promise<T>, key: string, operation: string, mapValue?: (value: T) => R): Promise<R> {
    const call: RedisCall = { command, key, operation };
    let pending: Promise<T>;
    try {
      pending = send();
    } catch (error) {
      return Promise.reject(failed(call, error));
    }
    return this.deadlines.bound(pending, call, mapValue);
  }
}

/** One Redis call, as its failure names it. */
interface RedisCall extends StoreCall {
  command: string;
}

function failed(call: RedisCall, error: unknown): FattureInCloudError {
  return publishStoreError(call, storeError(call.command, error));
}

/**
 * A command Redis refused (`WRONGTYPE`, a script error) is `store_error` with
 * Redis's own words, scrubbed; a client that cannot reach Redis is `store_unavailable`.
 */
function storeError(command: string, error: unknown): FattureInCloudError {
  const message = error instanceof Error ? error.message : '';
  if (isReplyError(error)) return new FattureInCloudError(`Redis refused ${command}: ${redact(message, [])}`, { code: 'store_error' });
  const reason = /closed/i.test(message) ? 'the client is closed' : (/^[A-Z][A-Z_]+\b/.exec(message)?.[0] ?? 'it could not reach Redis');
  return new FattureInCloudError(`Redis could not run ${command}: ${reason}`, { code: 'store_unavailable' });
}

/** A prefix as a SCAN pattern matches it literally. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
