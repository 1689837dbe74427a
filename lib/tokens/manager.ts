import { checkMargin, type ClientConfig, type ClientOptions, describeValue, resolveClientConfig } from '../config';
import { FattureInCloudTokenError } from '../errors';
import { channels, codeOf, publish, type TokenRefreshEvent } from '../events';
import { type AbortOptions, assertSignal, untilAborted } from '../http/abort';
import { DEFAULT_REFRESH_MARGIN_MS, type FattureInCloudTokenSet, isExpiring, refreshTokenSet } from '../oauth/refresh';
import { type LockTiming, type Outcome, pause, underLock } from './lock';
import { boundStore, type StoreCalls, storeTimeoutOf } from './bounded-store';
import { MemoryTokenStore } from './stores/memory';
import type { StoredTokenSet, TokenStore } from './store';
import { type RefreshIdleOptions, type RefreshIdleReport, sweepIdle } from './refresh-idle';
import { assertTokenSet, assertWellFormedKey, refreshTokenIssuedAt as issuedAt, tokenSetFingerprint } from './token-set';

/** The set a caller saw: its access token, or its fingerprint (`tokenSetFingerprint`) where the token must not go. */
export type SeenTokenSet = { accessToken: string } | { fingerprint: string };

/** Whether a stored set must be refreshed before it is handed out. */
type Staleness = (stored: StoredTokenSet) => boolean;

/** One refresh of one key in this process, as the events tell it. */
interface Flight {
  startedAt: number;
  /** When this process took the lock; undefined while it waits. */
  lockedAt: number | undefined;
  outcome: TokenRefreshEvent['outcome'];
}

export interface FattureInCloudTokensOptions extends ClientOptions {
  /** Where token sets live. Default: a MemoryTokenStore, correct within one process. */
  store?: TokenStore | undefined;
  /** `get` refreshes a set whose access token expires within this many ms. Default 5 minutes. */
  refreshMargin?: number | undefined;
  /** The longest any store call may take, in ms (up to an eighth more). Default: the store's own `timeout` + 1 s, or 2 s. */
  storeTimeout?: number | undefined;
}

/** Keys are ids an app chooses (`profile.id`); this bounds what reaches the store. */
const MAX_KEY_LENGTH = 512;

/**
 * A rotated set Fatture in Cloud issued that the store did not take: its
 * refresh token is the only live one, so it is held here and written at the
 * next chance (the next call for its key, or a retry in the background).
 */
interface HeldRotation {
  spent: string;
  next: FattureInCloudTokenSet;
  retryIn: number;
  timer: NodeJS.Timeout | undefined;
}

/** Attempts at writing a rotation while the lock is held, and the pause before the second. */
const WRITE_ATTEMPTS = 3;
const FIRST_WRITE_PAUSE_MS = 100;
/** The background retries of a held rotation: from this, doubling, up to the cap. */
const HELD_RETRY_MS = 500;
const HELD_RETRY_CAP_MS = 30_000;

/**
 * Where a user's Fatture in Cloud token set lives and stays valid. `get` hands
 * out a set valid beyond the margin, refreshing it first when it must: one
 * refresh for every caller, in this process (a shared promise) and across
 * processes (the store's lock), with the rotated set written by compare-and-set
 * before the lock is released, so no rotation is ever lost or overwritten.
 */
export class FattureInCloudTokens {
  declare private readonly client: ClientConfig;
  readonly store: TokenStore;
  readonly refreshMargin: number;
  readonly storeTimeout: number;
  /** The store, every call bounded by storeTimeout. */
  private readonly stored: StoreCalls;
  /** What `get` refreshes first. */
  private readonly expiring: Staleness = (stored) => isExpiring(stored.tokens, this.refreshMargin);
  /** Refreshes in flight in this process, by key: callers share one. */
  private readonly refreshing = new Map<string, Promise<FattureInCloudTokenSet | undefined>>();
  /** Rotations the store has yet to take, by key. */
  private readonly held = new Map<string, HeldRotation>();

  constructor(options: FattureInCloudTokensOptions) {
    const client = resolveClientConfig(options, 'FattureInCloudTokens');
    // Non-enumerable: the client secret stays out of logs of this object.
    Object.defineProperty(this, 'client', { value: client });
    this.store = options.store ?? new MemoryTokenStore();
    this.refreshMargin = resolveMargin(options.refreshMargin);
    this.storeTimeout = storeTimeoutOf(this.store, options.storeTimeout);
    this.stored = boundStore(this.store, this.storeTimeout);
  }

  /** Where the refreshes go; what the SDK binding calls by default. */
  get baseURL(): string {
    return this.client.baseURL;
  }

  /** Stores the set of a login under `key` (typically `profile.id`), replacing whatever was there. */
  async save(key: string, tokenSet: FattureInCloudTokenSet): Promise<void> {
    assertKey(key, 'save');
    assertTokenSet(tokenSet, 'FattureInCloudTokens.save');
    const { accessToken, refreshToken, tokenType, expiresIn, expiresAt, refreshTokenIssuedAt } = tokenSet;
    const tokens = { accessToken, refreshToken, tokenType, expiresIn, expiresAt, ...(refreshTokenIssuedAt === undefined ? {} : { refreshTokenIssuedAt }) };
    await this.stored.write(key, { tokens });
    // A new login supersedes a rotation still held: the store has the newer grant now.
    this.forgetHeld(key);
  }

  /**
   * A set whose access token is valid beyond the margin, refreshed and stored
   * first if need be; undefined when nothing is stored under `key`. Rejects with
   * `invalid_grant` once Fatture in Cloud has refused the refresh token.
   */
  async get(key: string, options?: AbortOptions): Promise<FattureInCloudTokenSet | undefined> {
    assertKey(key, 'get');
    const signal = options?.signal;
    assertSignal(signal, 'FattureInCloudTokens.get');
    const held = this.held.has(key) ? await untilAborted(this.writeHeld(key, this.expiring), signal) : undefined;
    if (held) return held.value;
    const outcome = this.usable(await untilAborted(this.stored.read(key), signal), this.expiring);
    return outcome ? outcome.value : untilAborted(this.refreshOnce(key, this.expiring), signal);
  }

  /**
   * Refreshes now, however long the set is still valid, and stores the new set;
   * undefined when nothing is stored. Pass the set you saw (its access token
   * after a 401, say, or its fingerprint from a page): if the stored set is no
   * longer that one, someone refreshed already and the stored set is the answer.
   * Callers that ask at the same moment, in any process, share one refresh.
   */
  async refresh(key: string, seen?: SeenTokenSet, options: AbortOptions = {}): Promise<FattureInCloudTokenSet | undefined> {
    assertKey(key, 'refresh');
    const seenFingerprint = fingerprintOf(seen);
    const { signal } = options;
    assertSignal(signal, 'FattureInCloudTokens.refresh');
    if (this.held.has(key)) await untilAborted(this.writeHeld(key, () => true), signal).catch(() => undefined);
    const stored = await untilAborted(this.stored.read(key), signal);
    if (!stored) return undefined;
    if (stored.dead) throw deadGrantError();
    const fingerprint = seenFingerprint ?? tokenSetFingerprint(stored.tokens);
    // Stale while it is still the set that was seen.
    return untilAborted(
      this.refreshOnce(key, ({ tokens }) => tokenSetFingerprint(tokens) === fingerprint),
      signal,
    );
  }

  /**
   * Refreshes every stored set whose refresh token is older than `olderThan`
   * (default 300 days: a refresh token dies a year after its last use), one
   * key at a time or a few at once, through the same lock and compare-and-set
   * as `get`. Run it daily, so a user who comes back after a quiet year still
   * has a grant. Needs a store that lists its keys (`keys()`).
   */
  refreshIdle(options: RefreshIdleOptions = {}): Promise<RefreshIdleReport> {
    const keys = this.store.keys?.bind(this.store);
    return sweepIdle({ read: (key) => this.stored.read(key), ...(keys ? { keys } : {}) }, options, (key, olderThan) =>
      this.refreshOnce(key, ({ tokens }) => Date.now() - issuedAt(tokens) > olderThan),
    );
  }

  /** Forgets the set under `key` (at logout). A refresh in flight will not bring it back. */
  async delete(key: string): Promise<void> {
    assertKey(key, 'delete');
    this.forgetHeld(key);
    await this.stored.delete(key);
  }

  /** The answer `stored` gives without refreshing: nothing, a dead grant, or a set that is not stale. */
  private usable(stored: StoredTokenSet | undefined, stale: Staleness): Outcome<FattureInCloudTokenSet | undefined> {
    if (!stored) return { value: undefined };
    if (stored.dead) throw deadGrantError();
    return stale(stored) ? undefined : { value: stored.tokens };
  }

  /**
   * One refresh of `key` in this process at a time: later callers join it. It
   * runs to its end whoever stops waiting for it, so nothing is left half-written.
   */
  private refreshOnce(key: string, stale: Staleness): Promise<FattureInCloudTokenSet | undefined> {
    let pending = this.refreshing.get(key);
    if (!pending) {
      const flight: Flight = { startedAt: performance.now(), lockedAt: undefined, outcome: 'adopted' };
      pending = underLock(this.stored, key, this.lockTiming(), {
        check: async () => this.usable(await this.stored.read(key), stale),
        hold: () => {
          flight.lockedAt = performance.now();
          return this.refreshHolding(key, stale, flight);
        },
      });
      this.refreshing.set(key, pending);
      const forget = (): void => void this.refreshing.delete(key);
      pending.then(forget, forget);
      pending.then(
        () => publishRefresh(key, flight),
        (error: unknown) => publishRefresh(key, { ...flight, outcome: flight.outcome === 'dead' || isInvalidGrant(error) ? 'dead' : 'failed' }, error),
      );
    }
    return pending;
  }

  /** With the lock: another process may have refreshed while we waited, so read again first. */
  private async refreshHolding(key: string, stale: Staleness, flight: Flight): Promise<FattureInCloudTokenSet | undefined> {
    const stored = await this.stored.read(key);
    const outcome = this.usable(stored, stale);
    if (outcome || !stored) return outcome?.value;
    const spent = stored.tokens.refreshToken;
    let next: FattureInCloudTokenSet;
    try {
      next = await refreshTokenSet(this.client, spent);
    } catch (error) {
      if (!isInvalidGrant(error)) throw error;
      return this.afterRefusal(key, stored, flight);
    }
    const written = await this.writeRotation(key, spent, next);
    if (written !== false) {
      flight.outcome = 'refreshed';
      return next;
    }
    // Lost the compare-and-set: a login saved a newer set meanwhile, or a logout deleted it.
    return this.adoptStored(key);
  }

  /**
   * The compare-and-set of a rotation, tried again while the lock is young (it
   * is idempotent: a write that landed but whose answer was lost makes the
   * next attempt false, and the stored set is then this very one). If the
   * store still fails, the set is held in this process, never dropped:
   * 'held' then, and the callers get it meanwhile.
   */
  private async writeRotation(key: string, spent: string, next: FattureInCloudTokenSet): Promise<boolean | 'held'> {
    const giveUpAt = Date.now() + this.lockTiming().ttl / 2;
    for (let attempt = 1, pauseMs = FIRST_WRITE_PAUSE_MS; ; attempt++, pauseMs *= 2) {
      try {
        return await this.stored.replace(key, spent, { tokens: next });
      } catch {
        // Published by the store already (fattureincloud:store:error).
        if (attempt >= WRITE_ATTEMPTS || Date.now() + pauseMs > giveUpAt) break;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    this.hold(key, spent, next);
    return 'held';
  }

  private hold(key: string, spent: string, next: FattureInCloudTokenSet): void {
    this.forgetHeld(key);
    const held: HeldRotation = { spent, next, retryIn: HELD_RETRY_MS, timer: undefined };
    this.held.set(key, held);
    this.retryHeldLater(key, held);
  }

  private retryHeldLater(key: string, held: HeldRotation): void {
    held.timer = setTimeout(() => {
      this.writeHeld(key, () => true).catch(() => {
        if (this.held.get(key) !== held) return;
        held.retryIn = Math.min(held.retryIn * 2, HELD_RETRY_CAP_MS);
        this.retryHeldLater(key, held);
      });
    }, held.retryIn);
    // The retry alone does not keep a process alive.
    held.timer.unref();
  }

  /**
   * Writes the rotation held for `key`, if any. Written, or superseded (a
   * login, a logout, or the write had landed): forgotten, and the store is
   * the answer (undefined). The store still failing: the held set itself while
   * it is not stale, else the store's error (never an expired set).
   */
  private async writeHeld(key: string, stale: Staleness): Promise<Outcome<FattureInCloudTokenSet>> {
    const held = this.held.get(key);
    if (!held) return undefined;
    try {
      await this.stored.replace(key, held.spent, { tokens: held.next });
    } catch (error) {
      if (this.held.get(key) === held && !stale({ tokens: held.next })) return { value: { ...held.next } };
      throw error;
    }
    if (this.held.get(key) === held) this.forgetHeld(key);
    return undefined;
  }

  private forgetHeld(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(key);
  }

  /**
   * `invalid_grant` for the stored token may only mean another process spent it
   * a moment earlier (its lock expired mid-request) and has yet to write the
   * successor: wait for one as long as such a request can still be answered.
   * Only then is the grant dead, marked by compare-and-set so a late successor still wins.
   */
  private async afterRefusal(key: string, refused: StoredTokenSet, flight: Flight): Promise<FattureInCloudTokenSet | undefined> {
    const spent = refused.tokens.refreshToken;
    const unchanged: Staleness = (stored) => stored.tokens.refreshToken === spent;
    // No other process writes a store that lives in this one: nobody can be about to store a successor.
    const giveUpAt = this.store.processLocal === true ? 0 : Date.now() + this.client.timeout;
    for (;;) {
      const outcome = this.usable(await this.stored.read(key), unchanged);
      if (outcome) return outcome.value;
      if (Date.now() >= giveUpAt) break;
      await pause();
    }
    if (await this.stored.replace(key, spent, { tokens: refused.tokens, dead: true })) {
      // Once per grant: only the process whose compare-and-set marked it dead says so.
      flight.outcome = 'dead';
      publish(channels.deadGrant, () => ({ key }));
      throw deadGrantError();
    }
    return this.adoptStored(key);
  }

  /** Whatever is stored now, as it is. */
  private async adoptStored(key: string): Promise<FattureInCloudTokenSet | undefined> {
    return this.usable(await this.stored.read(key), () => false)?.value;
  }

  /**
   * A holder may refresh (up to `timeout`), wait for another's successor after
   * a refusal (up to `timeout` again) and write: the lock outlives all three.
   */
  private lockTiming(): LockTiming {
    const ttl = this.store.lockTTL ?? 2 * this.client.timeout + 5_000;
    return { ttl, patience: 2 * ttl + this.client.timeout };
  }
}

function publishRefresh(key: string, flight: Flight, error?: unknown): void {
  publish(channels.tokenRefresh, () => {
    const now = performance.now();
    const event: TokenRefreshEvent = {
      key,
      outcome: flight.outcome,
      durationMs: Math.round(now - flight.startedAt),
      waitedForLockMs: Math.round((flight.lockedAt ?? now) - flight.startedAt),
    };
    if (flight.outcome === 'failed') event.code = codeOf(error);
    return event;
  });
}

/** The fingerprint of what the caller saw; a TypeError, before any I/O, for what is neither form. */
function fingerprintOf(seen: unknown): string | undefined {
  if (seen === undefined) return undefined;
  const { accessToken, fingerprint } = (typeof seen === 'object' && seen !== null ? seen : {}) as { accessToken?: unknown; fingerprint?: unknown };
  if (typeof fingerprint === 'string') return fingerprint;
  if (typeof accessToken === 'string') return tokenSetFingerprint({ accessToken });
  throw new TypeError(`FattureInCloudTokens.refresh: seen must be { accessToken } or { fingerprint }, got ${describeValue(seen)}`);
}

function deadGrantError(): FattureInCloudTokenError {
  return new FattureInCloudTokenError(
    'Fatture in Cloud refused the stored refresh token (invalid_grant): the user must authorize the app again',
    { code: 'invalid_grant', status: 400, description: undefined },
  );
}

function isInvalidGrant(error: unknown): boolean {
  return error instanceof FattureInCloudTokenError && error.code === 'invalid_grant';
}

function assertKey(key: unknown, method: string): asserts key is string {
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH) {
    const got = typeof key === 'string' && key.length > MAX_KEY_LENGTH ? `${key.length} characters` : describeValue(key);
    throw new TypeError(`FattureInCloudTokens.${method} needs a key of 1 to ${MAX_KEY_LENGTH} characters (such as profile.id), got ${got}`);
  }
  assertWellFormedKey(key, `FattureInCloudTokens.${method}`);
}

function resolveMargin(margin: unknown): number {
  return margin === undefined ? DEFAULT_REFRESH_MARGIN_MS : checkMargin(margin, 'FattureInCloudTokens: refreshMargin');
}
