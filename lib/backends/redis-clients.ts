import { describeValue } from '../config';

/**
 * The Redis clients the package's Redis stores take, as they are: node-redis (`createClient`,
 * `createCluster`) and ioredis or iovalkey (`new Redis()`, `new Cluster()`).
 * Their `set` and `eval` take different shapes (node-redis an options object,
 * ioredis positional arguments); each is wrapped once, at construction, into
 * the few commands the store sends. No Redis module is loaded here.
 */

/** node-redis ≥ 5: `createClient(…)` or `createCluster(…)`, connected. */
export interface NodeRedisClientLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { NX?: boolean; PX?: number }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** ioredis 5/6 or iovalkey: `new Redis(…)` or `new Cluster(…)`. */
export interface IORedisClientLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiryMode: 'PX', milliseconds: number, condition: 'NX'): Promise<unknown>;
  del(key: string): Promise<number>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  /** What tells an ioredis client from a node-redis one: node-redis has no such method. */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

export type RedisClientLike = NodeRedisClientLike | IORedisClientLike;

/** The commands the store sends, the same whatever the client. */
export interface RedisCommands {
  readonly kind: 'node-redis' | 'ioredis';
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  /** `SET key value PX ttl NX`: true when it was set. */
  setIfAbsent(key: string, value: string, ttl: number): Promise<boolean>;
  del(key: string): Promise<unknown>;
  /** The keys must share a hash tag on a Cluster. */
  eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** `INFO section`; on a Cluster, one node's. */
  info(section: string): Promise<string>;
  /** `CONFIG GET name`; undefined where the server refuses CONFIG (most managed Redis). */
  configGet(name: string): Promise<string | undefined>;
  /** Every key matching `pattern`, by `SCAN` (never `KEYS`), on every master of a Cluster. */
  scan(pattern: string): AsyncIterable<string>;
}

const SCAN_COUNT = 100;

/** The node clients to SCAN: each master of a Cluster, or the client itself. */
type Nodes = () => Promise<object[]>;

async function* scanNodes(nodes: Nodes, scanOne: (node: object, cursor: string) => Promise<{ cursor: string; keys: string[] }>): AsyncIterableIterator<string> {
  for (const node of await nodes()) {
    let cursor = '0';
    do {
      const page = await scanOne(node, cursor);
      cursor = page.cursor;
      yield* page.keys;
    } while (cursor !== '0');
  }
}

type Optional = Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;

/** A command not every client object has (a Cluster's INFO, say): its answer, or a TypeError saying it is not there. */
function optional(client: object, name: string, ...args: unknown[]): Promise<unknown> {
  const method = (client as Optional)[name];
  return typeof method === 'function' ? method.apply(client, args) : Promise.reject(new TypeError(`this Redis client has no ${name}()`));
}

const SHARED_METHODS = ['get', 'set', 'del', 'eval', 'sendCommand'] as const;

/**
 * Which client this is, by its own marks: node-redis clients and clusters have
 * boolean `isOpen` and `isReady` and `withTypeMapping()`; ioredis and iovalkey
 * have `defineCommand()` and an `options` object. Anything else, a hand-made
 * wrapper among them, would take other call shapes and fail at the first refresh.
 */
function kindOf(methods: Record<string, unknown>): RedisCommands['kind'] | undefined {
  if (SHARED_METHODS.some((name) => typeof methods[name] !== 'function')) return undefined;
  if (typeof methods.isOpen === 'boolean' && typeof methods.isReady === 'boolean' && typeof methods.withTypeMapping === 'function') return 'node-redis';
  if (typeof methods.defineCommand === 'function' && typeof methods.options === 'object' && methods.options !== null) return 'ioredis';
  return undefined;
}

/** Wraps `client` in the commands the store sends; a TypeError naming what is accepted for anything else. */
export function redisCommands(client: unknown, where: string): RedisCommands {
  const methods = typeof client === 'object' && client !== null ? (client as Record<string, unknown>) : undefined;
  const kind = methods && kindOf(methods);
  if (!kind) {
    throw new TypeError(
      `${where} needs a Redis client: node-redis (createClient or createCluster, redis >= 5) or ioredis/iovalkey (new Redis or new Cluster); got ${describeValue(client)}, which is neither`,
    );
  }
  return kind === 'ioredis' ? ioredisCommands(client as IORedisClientLike) : nodeRedisCommands(client as NodeRedisClientLike);
}

function nodeRedisCommands(client: NodeRedisClientLike): RedisCommands {
  return {
    kind: 'node-redis',
    get: (key) => client.get(key),
    set: (key, value) => client.set(key, value),
    setIfAbsent: async (key, value, ttl) => (await client.set(key, value, { NX: true, PX: ttl })) === 'OK',
    del: (key) => client.del(key),
    eval: (script, keys, args) => client.eval(script, { keys: [...keys], arguments: [...args] }),
    info: async (section) => String(await optional(client, 'info', section)),
    configGet: async (name) => {
      const answer = (await optional(client, 'configGet', name).catch(() => undefined)) as Record<string, unknown> | undefined;
      return typeof answer?.[name] === 'string' ? answer[name] : undefined;
    },
    scan: (pattern) => {
      // A node-redis Cluster lists its masters; `nodeClient` gives each one's client.
      const cluster = client as unknown as { masters?: unknown[]; nodeClient?: (node: unknown) => Promise<object> };
      const nodes: Nodes = async () => (Array.isArray(cluster.masters) && cluster.nodeClient ? Promise.all(cluster.masters.map((master) => (cluster.nodeClient as (node: unknown) => Promise<object>)(master))) : [client]);
      return scanNodes(nodes, async (node, cursor) => {
        const page = (await optional(node, 'scan', cursor, { MATCH: pattern, COUNT: SCAN_COUNT })) as { cursor: string | number; keys: string[] };
        return { cursor: String(page.cursor), keys: page.keys };
      });
    },
  };
}

function ioredisCommands(client: IORedisClientLike): RedisCommands {
  return {
    kind: 'ioredis',
    get: (key) => client.get(key),
    set: (key, value) => (client.set as (key: string, value: string) => Promise<unknown>)(key, value),
    setIfAbsent: async (key, value, ttl) => (await client.set(key, value, 'PX', ttl, 'NX')) === 'OK',
    del: (key) => client.del(key),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    info: async (section) => String(await optional(client, 'info', section)),
    configGet: async (name) => {
      const answer = (await optional(client, 'config', 'GET', name).catch(() => undefined)) as unknown[] | undefined;
      return Array.isArray(answer) && typeof answer[1] === 'string' ? answer[1] : undefined;
    },
    scan: (pattern) => {
      // An ioredis Cluster lists its masters with nodes('master').
      const cluster = client as unknown as { nodes?: (role: string) => object[] };
      const nodes: Nodes = () => Promise.resolve(typeof cluster.nodes === 'function' ? cluster.nodes('master') : [client]);
      return scanNodes(nodes, async (node, cursor) => {
        const [next, keys] = (await optional(node, 'scan', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT)) as [string, string[]];
        return { cursor: next, keys };
      });
    },
  };
}

/**
 * A command Redis itself refused (`WRONGTYPE`, a script error), as opposed to
 * Redis that could not be reached: node-redis's `ErrorReply` and its subclasses,
 * ioredis's `ReplyError`.
 */
export function isReplyError(error: unknown): boolean {
  for (let proto: unknown = error; proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === 'ErrorReply' || name === 'ReplyError') return true;
    if (name === 'Error') return false;
  }
  return false;
}

/**
 * A store whose keys all start with one prefix: the options checked, the
 * client wrapped once (non-enumerable, so a logged store does not print it).
 */
export abstract class RedisPrefixedStore {
  readonly prefix: string;
  declare protected readonly client: RedisCommands;

  constructor(options: { client: RedisClientLike; prefix?: string | undefined }, defaultPrefix: string, where: string) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError(`${where} needs options with a Redis client, got ${describeValue(options)}`);
    const { prefix = defaultPrefix } = options;
    if (typeof prefix !== 'string') throw new TypeError(`${where}: prefix must be a string, got ${describeValue(prefix)}`);
    this.prefix = prefix;
    Object.defineProperty(this, 'client', { value: redisCommands(options.client, where) });
  }
}
