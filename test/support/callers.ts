import { FattureInCloudTokens, type TokenStore } from '../../lib/index';
import { openPostgresStore } from './postgres-stores';
import { openRedisStore } from './stores';
import type { WorkerConfig, WorkerOutcome } from './token-worker';

/**
 * What one "process" of an app does in the cross-process tests: a store of
 * its own (its own connections), a FattureInCloudTokens of its own, and
 * `concurrency` callers of `get` at once. In worker processes for the stress
 * suite (test/support/workers.ts); side by side in this process for npm test,
 * where each manager still shares nothing with the others but the server.
 */
export async function openCaller(config: WorkerConfig) {
  const target = config.target ?? { kind: 'node-redis', url: config.redisURL ?? '' };
  const options = { lockTTL: config.lockTTL, encryptionKey: config.encryptionKey };
  const opened = target.kind === 'postgres' ? await openPostgresStore(target, options) : await openRedisStore(target, options);
  const store: TokenStore = opened.store;
  const tokens = new FattureInCloudTokens({ clientID: config.clientID, clientSecret: config.clientSecret, baseURL: config.baseURL, timeout: config.timeout, store });
  return { store, tokens, close: () => opened.close(), run: () => Promise.all(Array.from({ length: config.concurrency }, () => timedGet(tokens, config.key))) };
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

/** Every caller connected first, then all let go at once, as runWorkers does with processes. */
export async function runSideBySide(configs: WorkerConfig[]): Promise<WorkerOutcome[][]> {
  const callers = await Promise.all(configs.map(openCaller));
  try {
    return await Promise.all(callers.map((caller) => caller.run()));
  } finally {
    await Promise.all(callers.map((caller) => caller.close()));
  }
}
