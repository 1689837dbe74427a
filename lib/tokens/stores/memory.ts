import type { StoredTokenSet, TokenStore } from '../store';
import { asError } from '../../errors';
import { assertWellFormedKey } from '../token-set';

/**
 * The default store: a Map in this process. Correct for any number of callers
 * in one process, with no setup; tokens end with the process. Several processes
 * need a shared store (RedisTokenStore, or your own TokenStore). Keys must be
 * well-formed Unicode, as in every store the package ships.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly sets = new Map<string, StoredTokenSet>();
  private readonly locks = new Map<string, { owner: string; expiresAt: number }>();
  /** Nothing outside this process writes here: a refused refresh is final at once. */
  readonly processLocal = true;

  constructor(readonly lockTTL?: number) {}

  // Copies in and out: a caller that changes its object changes nothing stored.
  read(key: string): Promise<StoredTokenSet | undefined> {
    return withKey(key, () => {
      const stored = this.sets.get(key);
      return stored && structuredClone(stored);
    });
  }

  write(key: string, stored: StoredTokenSet): Promise<void> {
    return withKey(key, () => void this.sets.set(key, structuredClone(stored)));
  }

  replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    return withKey(key, () => {
      if (this.sets.get(key)?.tokens.refreshToken !== spentRefreshToken) return false;
      this.sets.set(key, structuredClone(next));
      return true;
    });
  }

  delete(key: string): Promise<void> {
    return withKey(key, () => void this.sets.delete(key));
  }

  lock(key: string, owner: string, ttl: number): Promise<boolean> {
    return withKey(key, () => {
      const held = this.locks.get(key);
      if (held && held.expiresAt > Date.now()) return false;
      this.locks.set(key, { owner, expiresAt: Date.now() + ttl });
      return true;
    });
  }

  unlock(key: string, owner: string): Promise<void> {
    return withKey(key, () => {
      if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
    });
  }

  /** A snapshot of the keys: sets saved while it is read are for the next sweep. */
  async *keys(): AsyncIterableIterator<string> {
    for (const key of [...this.sets.keys()]) yield await Promise.resolve(key);
  }
}

/** `operation` on a well-formed key; a rejection, as from the shared stores, for any other. */
function withKey<T>(key: string, operation: () => T): Promise<T> {
  try {
    assertWellFormedKey(key, 'MemoryTokenStore');
    return Promise.resolve(operation());
  } catch (error) {
    return Promise.reject(asError(error));
  }
}
