import type { StoredTokenSet, TokenStore } from '../store';

/**
 * The default store: a Map in this process. Correct for any number of callers
 * in one process, with no setup; tokens end with the process. Several processes
 * need a shared store (RedisTokenStore, or your own TokenStore).
 */
export class MemoryTokenStore implements TokenStore {
  private readonly sets = new Map<string, StoredTokenSet>();
  private readonly locks = new Map<string, { owner: string; expiresAt: number }>();
  /** Nothing outside this process writes here: a refused refresh is final at once. */
  readonly processLocal = true;

  constructor(readonly lockTTL?: number) {}

  read(key: string): Promise<StoredTokenSet | undefined> {
    const stored = this.sets.get(key);
    // Copies in and out: a caller that changes its object changes nothing stored.
    return Promise.resolve(stored && structuredClone(stored));
  }

  write(key: string, stored: StoredTokenSet): Promise<void> {
    this.sets.set(key, structuredClone(stored));
    return Promise.resolve();
  }

  replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    if (this.sets.get(key)?.tokens.refreshToken !== spentRefreshToken) return Promise.resolve(false);
    this.sets.set(key, structuredClone(next));
    return Promise.resolve(true);
  }

  delete(key: string): Promise<void> {
    this.sets.delete(key);
    return Promise.resolve();
  }

  lock(key: string, owner: string, ttl: number): Promise<boolean> {
    const held = this.locks.get(key);
    if (held && held.expiresAt > Date.now()) return Promise.resolve(false);
    this.locks.set(key, { owner, expiresAt: Date.now() + ttl });
    return Promise.resolve(true);
  }

  /** A snapshot of the keys: sets saved while it is read are for the next sweep. */
  async *keys(): AsyncIterableIterator<string> {
    for (const key of [...this.sets.keys()]) yield await Promise.resolve(key);
  }

  unlock(key: string, owner: string): Promise<void> {
    if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
    return Promise.resolve();
  }
}
