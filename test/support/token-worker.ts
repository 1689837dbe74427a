/**
 * One "process" of an app for the cross-process tests and the bench: connects
 * to Redis, says `ready`, waits for `go` on stdin, then runs `concurrency`
 * concurrent `tokens.get(key)` and prints one JSON line with every outcome.
 * With `dieAfterLock`, it SIGKILLs itself the moment it takes the refresh lock.
 */
import { FattureInCloudTokens, type TokenStore } from '../../lib/index';
import { openRedisStore, type RedisTarget } from './stores';
import { openPostgresStore, type PostgresTarget } from './postgres-stores';

export interface WorkerConfig {
  /** Where the store is; `redisURL` alone means node-redis on one server. */
  target?: RedisTarget | PostgresTarget;
  redisURL?: string;
  baseURL: string;
  clientID: string;
  clientSecret: string;
  key: string;
  concurrency: number;
  lockTTL?: number;
  timeout?: number;
  encryptionKey?: string;
  dieAfterLock?: boolean;
}

export type WorkerOutcome =
  | { ok: true; accessToken: string; refreshToken: string; expiresAt: number; startedAt: number; ms: number }
  | { ok: false; code: string; message: string; startedAt: number; ms: number };

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const target = config.target ?? { kind: 'node-redis', url: config.redisURL ?? '' };
  const options = { lockTTL: config.lockTTL, encryptionKey: config.encryptionKey };
  const opened = target.kind === 'postgres' ? await openPostgresStore(target, options) : await openRedisStore(target, options);
  const store: TokenStore = opened.store;
  if (config.dieAfterLock) {
    const lock = store.lock.bind(store);
    store.lock = async (key, owner, ttl) => {
      const taken = await lock(key, owner, ttl);
      if (taken) process.kill(process.pid, 'SIGKILL');
      return taken;
    };
  }
  const tokens = new FattureInCloudTokens({ clientID: config.clientID, clientSecret: config.clientSecret, baseURL: config.baseURL, timeout: config.timeout, store });
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy(); // an open stdin would keep the process alive
  const outcomes = await Promise.all(Array.from({ length: config.concurrency }, () => timedGet(tokens, config.key)));
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
  await opened.close();
}

async function timedGet(tokens: FattureInCloudTokens, key: string): Promise<WorkerOutcome> {
  const startedAt = Date.now();
  try {
    const set = await tokens.get(key);
    if (!set) throw Object.assign(new Error('nothing stored'), { code: 'missing' });
    return { ok: true, accessToken: set.accessToken, refreshToken: set.refreshToken, expiresAt: set.expiresAt, startedAt, ms: Date.now() - startedAt };
  } catch (error) {
    const { code = 'unknown', message = String(error) } = error as { code?: string; message?: string };
    return { ok: false, code, message, startedAt, ms: Date.now() - startedAt };
  }
}

main().catch((error: unknown) => {
  // Ends now, whatever is still open (a Redis client that keeps reconnecting): the parent sees the signal and this line.
  process.stderr.write(`worker failed: ${String(error)}\n`, () => process.kill(process.pid, 'SIGTERM'));
});
