import { checkDuration } from '../config';
import { Deadlines } from '../http/deadline';
import { asError, FattureInCloudError } from '../errors';
import { publishStoreError, type StoreCall } from '../events';
import { BOUNDS_ITS_OWN_CALLS, type StoredTokenSet, type TokenStore } from './store';

/**
 * A store as FattureInCloudTokens calls it: every call settles within a bound,
 * so a custom store that hangs is a `store_unavailable` rejection for the
 * callers of that key, not a `get` that never settles. A store that declares
 * its own `timeout` is held to it plus a margin; any other to two seconds.
 */

const DEFAULT_STORE_TIMEOUT_MS = 2_000;
const MARGIN_MS = 1_000;

export function storeTimeoutOf(store: TokenStore, storeTimeout: unknown): number {
  if (storeTimeout !== undefined) return checkDuration(storeTimeout, 'FattureInCloudTokens: storeTimeout');
  const own = (store as { timeout?: unknown }).timeout;
  return typeof own === 'number' && own > 0 && Number.isFinite(own) ? own + MARGIN_MS : DEFAULT_STORE_TIMEOUT_MS;
}

type Operation = 'read' | 'write' | 'replace' | 'delete' | 'lock' | 'unlock';

/** The calls FattureInCloudTokens makes of a store. */
export type StoreCalls = Pick<TokenStore, Operation>;

/** `store` with every call bounded, and every failure published on `fattureincloud:store:error`. */
export function boundStore(store: TokenStore, timeout: number): StoreCalls {
  // The package's own stores bound their calls and publish their failures themselves.
  return (store as { [BOUNDS_ITS_OWN_CALLS]?: unknown })[BOUNDS_ITS_OWN_CALLS] === true ? store : new BoundedStore(store, timeout);
}

class BoundedStore implements StoreCalls {
  private readonly deadlines: Deadlines<StoreCall>;

  constructor(
    readonly store: TokenStore,
    readonly timeout: number,
  ) {
    this.deadlines = new Deadlines<StoreCall>(timeout, {
      timedOut: (call) => publishStoreError(call, new FattureInCloudError(`The token store did not answer ${call.operation} within ${timeout} ms (storeTimeout)`, { code: 'store_unavailable' })),
      // Published as the store rejected it; handed on as an Error.
      failed: (call, error) => asError(publishStoreError(call, error)),
    });
  }

  read(key: string): Promise<StoredTokenSet | undefined> {
    return this.bound('read', key, () => this.store.read(key));
  }

  write(key: string, stored: StoredTokenSet): Promise<void> {
    return this.bound('write', key, () => this.store.write(key, stored));
  }

  replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    return this.bound('replace', key, () => this.store.replace(key, spentRefreshToken, next));
  }

  delete(key: string): Promise<void> {
    return this.bound('delete', key, () => this.store.delete(key));
  }

  lock(key: string, owner: string, ttl: number): Promise<boolean> {
    return this.bound('lock', key, () => this.store.lock(key, owner, ttl));
  }

  unlock(key: string, owner: string): Promise<void> {
    return this.bound('unlock', key, () => this.store.unlock(key, owner));
  }

  private bound<T>(operation: Operation, key: string, call: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      // A store may throw instead of rejecting: the same failure, for the same callers.
      pending = Promise.resolve(call());
    } catch (error) {
      pending = Promise.reject(asError(error));
    }
    return this.deadlines.bound(pending, { operation, key });
  }
}
