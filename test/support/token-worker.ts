/**
 * One "process" of an app for the cross-process tests and the bench: connects
 * to Redis, says `ready`, waits for `go` on stdin, then runs `concurrency`
 * concurrent `tokens.get(key)` and prints one JSON line with every outcome.
 * With `dieAfterLock`, it SIGKILLs itself the moment it takes the refresh lock.
 */
import { openCaller } from './callers';
import type { PostgresTarget } from './postgres-stores';
import type { RedisTarget } from './stores';

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
  const caller = await openCaller(config);
  if (config.dieAfterLock) {
    const { store } = caller;
    const lock = store.lock.bind(store);
    store.lock = async (key, owner, ttl) => {
      const taken = await lock(key, owner, ttl);
      if (taken) process.kill(process.pid, 'SIGKILL');
      return taken;
    };
  }
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy(); // an open stdin would keep the process alive
  process.stdout.write(`${JSON.stringify(await caller.run())}\n`);
  await caller.close();
}

main().catch((error: unknown) => {
  // Ends now, whatever is still open (a Redis client that keeps reconnecting): the parent sees the signal and this line.
  process.stderr.write(`worker failed: ${String(error)}\n`, () => process.kill(process.pid, 'SIGTERM'));
});
