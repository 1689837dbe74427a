import diagnosticsChannel from 'node:diagnostics_channel';
import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { CHANNELS, FattureInCloudStrategy, FattureInCloudTokens, type FattureInCloudTokenSet, MemoryTokenStore, type TokenStore } from '../lib/index';
import IORedis from 'ioredis';
import { RedisTokenStore } from '../lib/redis';
import { fattureInCloudSDK } from '../lib/sdk/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { runStrategy } from './helpers';
import { freePort } from './support/ports';
import { expiring, grantAtStandIn } from './support/stand-in-login';
import { scaled } from './support/scale';

const SWEPT = scaled(100, 1000);

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const DAY = 86_400_000;

type Events = Record<keyof typeof CHANNELS, unknown[]>;

/** Subscribes to every channel for one test; `stop` unsubscribes. */
function listen(): { events: Events; stop: () => void } {
  const events = Object.fromEntries(Object.keys(CHANNELS).map((name) => [name, []])) as unknown as Events;
  const handlers = (Object.entries(CHANNELS) as [keyof typeof CHANNELS, string][]).map(([name, channel]) => {
    const handler = (message: unknown): void => void events[name].push(message);
    diagnosticsChannel.subscribe(channel, handler);
    return () => diagnosticsChannel.unsubscribe(channel, handler);
  });
  return { events, stop: () => handlers.forEach((unsubscribe) => unsubscribe()) };
}

describe('operations', () => {
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(() => standIn.close());

  function manager(store: TokenStore = new MemoryTokenStore(), timeout?: number): FattureInCloudTokens {
    return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store, timeout });
  }

  describe('events on node:diagnostics_channel', () => {
    let listening: ReturnType<typeof listen>;
    beforeEach(() => {
      listening = listen();
    });
    afterEach(() => {
      listening.stop();
      // No payload, whatever happened, holds a token or the client secret.
      const all = JSON.stringify(listening.events);
      for (const secret of [standIn.clientSecret, initial.accessToken, initial.refreshToken]) expect(all).not.to.include(secret);
      expect(all).not.to.match(/[acr]\/[\w-]{20,}/);
    });

    it('a refresh: refreshed, with its duration and no wait for a lock', async () => {
      const tokens = manager();
      await tokens.save('user-1', expiring(initial));
      await tokens.get('user-1');
      expect(listening.events.tokenRefresh).to.have.length(1);
      const [event] = listening.events.tokenRefresh as Record<string, unknown>[];
      expect(event).to.include({ key: 'user-1', outcome: 'refreshed' });
      expect(event!.waitedForLockMs).to.be.below(20);
      expect(event!.durationMs).to.be.a('number').and.at.least(0);
    });

    it('a refresh another manager did while this one waited for its lock: adopted, with the wait', async () => {
      const store = new MemoryTokenStore();
      const [first, second] = [manager(store), manager(store)];
      await first.save('user-1', expiring(initial));
      standIn.latency = 150;
      const [a, b] = await Promise.all([first.get('user-1'), second.get('user-1')]);
      expect(a?.accessToken).to.equal(b?.accessToken);
      const outcomes = (listening.events.tokenRefresh as { outcome: string; waitedForLockMs: number }[]).map(({ outcome }) => outcome).sort();
      expect(outcomes).to.deep.equal(['adopted', 'refreshed']);
      const adopted = (listening.events.tokenRefresh as { outcome: string; waitedForLockMs: number }[]).find(({ outcome }) => outcome === 'adopted');
      expect(adopted!.waitedForLockMs).to.be.at.least(100);
    });

    it('a dead grant seen by several get calls: dead-grant once, the refresh outcome dead', async () => {
      const tokens = manager();
      await tokens.save('user-1', expiring(initial));
      standIn.revokeRefreshToken(initial.refreshToken);
      const errors = await Promise.all([1, 2, 3].map(() => tokens.get('user-1').catch((error: unknown) => error)));
      errors.forEach((error) => expect(error).to.include({ code: 'invalid_grant' }));
      await tokens.get('user-1').catch(() => undefined);
      expect(listening.events.deadGrant).to.deep.equal([{ key: 'user-1' }]);
      expect(listening.events.tokenRefresh).to.have.length(1);
      expect(listening.events.tokenRefresh[0]).to.include({ outcome: 'dead' });
    });

    it('a store outage: store:error with the operation and the code, and a failed refresh', async () => {
      const store = new MemoryTokenStore();
      const tokens = manager(store);
      await tokens.save('user-1', expiring(initial));
      store.lock = () => Promise.reject(Object.assign(new Error('connection reset'), { code: 'store_unavailable' }));
      await tokens.get('user-1').catch(() => undefined);
      expect(listening.events.storeError).to.deep.equal([{ key: 'user-1', operation: 'lock', code: 'store_unavailable' }]);
      expect(listening.events.tokenRefresh[0]).to.include({ key: 'user-1', outcome: 'failed', code: 'store_unavailable' });
    });

    it('a Redis that cannot be reached: the store itself publishes store:error', async () => {
      const client = new IORedis({ port: await freePort(), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await manager(new RedisTokenStore({ client, timeout: 200 })).get('user-1').catch(() => undefined);
        expect(listening.events.storeError).to.deep.equal([{ key: 'user-1', operation: 'read', code: 'store_unavailable' }]);
      } finally {
        client.disconnect();
      }
    });

    it('an API call retried after a 401 and a 429: api:retry with the reason, method, path and wait', async () => {
      const tokens = manager();
      await tokens.save('user-1', initial);
      standIn.failNext(1, { type: 'unauthorized' });
      standIn.failNext(1, { type: 'rate-limited', retryAfter: 0 });
      await fattureInCloudSDK({ tokens, key: 'user-1' }).api(ClientsApi).listClients(12345);
      const retries = listening.events.apiRetry as { reason: string; method: string; path: string; waitMs: number }[];
      expect(retries.map(({ reason, method, path }) => ({ reason, method, path }))).to.deep.equal([
        { reason: 'unauthorized', method: 'GET', path: '/c/12345/entities/clients' },
        { reason: 'rate-limited', method: 'GET', path: '/c/12345/entities/clients' },
      ]);
      expect(retries[1]!.waitMs).to.be.within(0, 250);
    });

    it('a login and a failed one: login with the user id and duration, login:failed with a reason code', async () => {
      const strategy = new FattureInCloudStrategy(
        { clientID: standIn.clientID, clientSecret: standIn.clientSecret, callbackURL: REDIRECT, baseURL: standIn.baseURL, state: false },
        (_a, _r, profile, done) => done(null, { id: profile.id }),
      );
      const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: REDIRECT, scope: 'entity.clients:r', decision: 'approve' });
      const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      const code = new URL(decision.headers.get('location')!).searchParams.get('code')!;
      expect((await runStrategy(strategy, { query: { code } })).kind).to.equal('success');
      expect((await runStrategy(strategy, { query: { code } })).kind).to.equal('error'); // the code is spent
      expect((await runStrategy(strategy, { query: { error: 'access_denied' } })).kind).to.equal('fail');
      expect(listening.events.login).to.have.length(1);
      expect(listening.events.login[0]).to.include({ userId: '12345' });
      expect(listening.events.loginFailed).to.deep.equal([{ reason: 'invalid_grant' }, { reason: 'access_denied' }]);
    });

    it('a subscriber that throws does not break a refresh: Node reports its exception on its own tick', async () => {
      const uncaught: unknown[] = [];
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', (error) => uncaught.push(error));
      const throwing = (): never => {
        throw new Error('the logger is down');
      };
      diagnosticsChannel.subscribe(CHANNELS.tokenRefresh, throwing);
      try {
        const tokens = manager();
        await tokens.save('user-1', expiring(initial));
        const fresh = await tokens.get('user-1');
        await new Promise((resolve) => setImmediate(resolve));
        expect(fresh?.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
        expect(uncaught.map((error) => (error as Error).message)).to.deep.equal(['the logger is down']);
      } finally {
        diagnosticsChannel.unsubscribe(CHANNELS.tokenRefresh, throwing);
        process.removeAllListeners('uncaughtException');
        for (const listener of listeners) process.on('uncaughtException', listener);
      }
    });
  });

  describe('refreshIdle: grants kept alive past a year of quiet', () => {
    /** A set whose refresh token the stand-in issued `days` ago, as far as both clocks agree. */
    async function agedSet(days: number): Promise<FattureInCloudTokenSet> {
      const set = await grantAtStandIn(standIn, REDIRECT);
      return { ...set, refreshTokenIssuedAt: Date.now() - days * DAY };
    }

    it('refreshes sets past the bound, leaves younger ones, reports a revoked one dead', async () => {
      const tokens = manager();
      const [old, young, revoked, legacy] = [await agedSet(301), await agedSet(10), await agedSet(320), await grantAtStandIn(standIn, REDIRECT)];
      await tokens.save('old', old);
      await tokens.save('young', young);
      await tokens.save('revoked', revoked);
      // Stored before refreshTokenIssuedAt existed: its age counts from when its access token was issued.
      const withoutIssuedAt = { ...legacy, expiresAt: Date.now() - 310 * DAY + legacy.expiresIn * 1000 };
      delete withoutIssuedAt.refreshTokenIssuedAt;
      await tokens.save('legacy', withoutIssuedAt);
      standIn.advanceClock(300 * DAY);
      standIn.revokeRefreshToken(revoked.refreshToken);
      const report = await tokens.refreshIdle();
      expect(report).to.deep.include({ refreshed: 2, dead: 1, failed: 0, skipped: 1 });
      for (const [key, set] of [['old', old], ['legacy', legacy]] as const) {
        const stored = await tokens.store.read(key);
        expect(stored?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(set.refreshToken)).and.not.equal(set.refreshToken);
        expect(stored?.tokens.refreshTokenIssuedAt).to.be.closeTo(Date.now(), 5_000);
      }
      expect((await tokens.store.read('young'))?.tokens.refreshToken).to.equal(young.refreshToken);
      expect((await tokens.store.read('revoked'))?.dead).to.equal(true);
      expect(await tokens.refreshIdle()).to.deep.include({ refreshed: 0, dead: 1, skipped: 3 });
    });

    it(`sweeps ${SWEPT} stored sets with at most \`concurrency\` in flight`, async () => {
      const store = new MemoryTokenStore();
      const tokens = manager(store);
      const set = await agedSet(301);
      // One grant's set under many keys would rotate once: each key gets a set of its own.
      const sets = await Promise.all(Array.from({ length: SWEPT }, () => grantAtStandIn(standIn, REDIRECT)));
      await Promise.all(sets.map((each, index) => tokens.save(`user-${index}`, { ...each, refreshTokenIssuedAt: set.refreshTokenIssuedAt })));
      let inFlight = 0;
      let most = 0;
      const read = store.read.bind(store);
      store.read = async (key) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          // A store a little slower than memory, so that the workers overlap.
          await new Promise((resolve) => setTimeout(resolve, 1));
          return await read(key);
        } finally {
          inFlight -= 1;
        }
      };
      const heapBefore = process.memoryUsage().heapUsed;
      const started = Date.now();
      const report = await tokens.refreshIdle({ concurrency: 8 });
      console.log(`      ${SWEPT} sets swept in ${Date.now() - started} ms, at most ${most} reads in flight, heap ${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1)} MiB more`);
      expect(report).to.deep.include({ refreshed: SWEPT, dead: 0, failed: 0 });
      expect(most).to.be.within(4, 8);
    });

    it('a store that cannot list its keys makes refreshIdle a TypeError saying so; bad options too', async () => {
      const store = new MemoryTokenStore();
      const withoutKeys: TokenStore = { read: (key) => store.read(key), write: (key, value) => store.write(key, value), replace: (key, spent, next) => store.replace(key, spent, next), delete: (key) => store.delete(key), lock: (key, owner, ttl) => store.lock(key, owner, ttl), unlock: (key, owner) => store.unlock(key, owner) };
      const error = await manager(withoutKeys).refreshIdle().catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/needs a store that lists its keys \(keys\(\)\)/);
      for (const [options, message] of [[{ olderThan: -1 }, /olderThan/], [{ concurrency: 0 }, /concurrency/], [{ signal: 'stop' }, /signal must be an AbortSignal/]] as const) {
        const refused = await manager().refreshIdle(options as never).catch((caught: unknown) => caught);
        expect(refused).to.be.instanceOf(TypeError);
        expect((refused as Error).message).to.match(message);
      }
    });
  });

  describe('cancellation with an AbortSignal', () => {
    it('an aborted get stops waiting at once; the others still get the new set, from one refresh', async () => {
      const tokens = manager();
      await tokens.save('user-1', expiring(initial));
      standIn.latency = 400;
      const controller = new AbortController();
      const before = standIn.stats.tokenRequests;
      const aborted = tokens.get('user-1', { signal: controller.signal }).catch((error: unknown) => error);
      const others = Promise.all([tokens.get('user-1'), tokens.get('user-1')]);
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const error = await aborted;
      expect(Date.now() - started).to.be.below(200);
      expect(error).to.include({ name: 'AbortError' });
      const sets = await others;
      expect(sets.map((set) => set?.refreshToken)).to.deep.equal(Array(2).fill(standIn.currentRefreshToken(initial.refreshToken)));
      expect(standIn.stats.tokenRequests - before).to.equal(1);
      expect((await tokens.store.read('user-1'))?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
    });

    it('an aborted refresh and refreshIdle reject with the signal\'s reason; an already aborted one makes no request', async () => {
      const tokens = manager();
      await tokens.save('user-1', initial);
      const before = standIn.stats.tokenRequests;
      const reason = new Error('shutting down');
      const error = await tokens.refresh('user-1', undefined, { signal: AbortSignal.abort(reason) }).catch((caught: unknown) => caught);
      expect(error).to.equal(reason);
      const idle = await tokens.refreshIdle({ olderThan: 0, signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
      expect(idle).to.include({ name: 'AbortError' });
      expect(standIn.stats.tokenRequests).to.equal(before);
      const badSignal = await tokens.get('user-1', { signal: {} as AbortSignal }).catch((caught: unknown) => caught);
      expect(badSignal).to.be.instanceOf(TypeError);
    });
  });
});
