import { randomUUID } from 'node:crypto';
import { FattureInCloudError } from '../errors';
import type { TokenStore } from './store';

/**
 * The refresh lock of one key, across processes: one holder refreshes while the
 * others poll the store, with jitter, until the set they wait for is there or
 * the lock is free to take (its holder released it, or died and it expired).
 */

/** A settled outcome, told apart from "nothing yet" even when the value is undefined. */
export type Outcome<T> = { value: T } | undefined;

export interface LockedWork<T> {
  /** Between attempts: the outcome if what the caller waits for is in the store already. */
  check(): Promise<Outcome<T>>;
  /** With the lock held; it is released afterwards, whatever happens. */
  hold(): Promise<T>;
}

export interface LockTiming {
  ttl: number;
  /** Give up after this long without the lock or an outcome: the store is stuck. */
  patience: number;
}

/** Tens of milliseconds, varied so that waiting processes do not poll in step. */
const POLL_MIN_MS = 20;
const POLL_JITTER_MS = 40;

export async function underLock<T>(store: Pick<TokenStore, 'lock' | 'unlock'>, key: string, timing: LockTiming, work: LockedWork<T>): Promise<T> {
  const owner = randomUUID();
  const giveUpAt = Date.now() + timing.patience;
  for (;;) {
    if (await store.lock(key, owner, timing.ttl)) {
      try {
        return await work.hold();
      } finally {
        // A failed release only leaves the lock to expire; the outcome stands.
        await store.unlock(key, owner).catch(() => undefined);
      }
    }
    await pause();
    const outcome = await work.check();
    if (outcome) return outcome.value;
    if (Date.now() > giveUpAt) {
      throw new FattureInCloudError(
        `Waited ${timing.patience} ms for another process to refresh the token set and for its lock to free up; the store may be stuck`,
        { code: 'lock_timeout' },
      );
    }
  }
}

export function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, POLL_MIN_MS + Math.random() * POLL_JITTER_MS));
}
