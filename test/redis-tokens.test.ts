import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { FattureInCloudTokens, type FattureInCloudTokenSet } from '../lib/index';
import { RedisTokenStore } from '../lib/redis';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { RedisServer } from './support/redis-server';
import { expiring, grantAtStandIn } from './support/stand-in-login';
import type { WorkerConfig, WorkerOutcome } from './support/token-worker';
import { runSideBySide } from './support/callers';
import { requireServers, stopServers } from './support/servers';
import { runWorkers } from './support/workers';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
type Client = ReturnType<typeof createClient>;

describe('RedisTokenStore on a real redis-server', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let client: Client;
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;

  before(async function () {
    requireServers(this, 'redis');
    redis = await RedisServer.start();
  });
  after(() => stopServers(redis));

  beforeEach(async () => {
    client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => undefined);
    await client.connect();
    await client.flushAll();
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(async () => {
    if (client.isOpen) await client.close();
    await standIn.close();
  });

  function manager(store: RedisTokenStore, timeout?: number): FattureInCloudTokens {
    return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, timeout, store });
  }

  function worker(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
    return { redisURL: redis.url, baseURL: standIn.baseURL, clientID: standIn.clientID, clientSecret: standIn.clientSecret, key: 'user-1', concurrency: 50, ...overrides };
  }

  async function allValues(): Promise<string> {
    const keys = await client.keys('*');
    const values = await Promise.all(keys.map((key) => client.get(key)));
    return `${keys.join('\n')}\n${values.join('\n')}`;
  }

  describe('the store', () => {
    it('stores JSON without a key, keyed under a Cluster hash tag shared with its lock', async () => {
      const store = new RedisTokenStore({ client });
      await store.write('user{1}', { tokens: initial });
      expect(store.keyOf('user{1}')).to.equal('fic:tokens:{user%7b1%7d}');
      expect(store.lockKeyOf('user{1}')).to.equal('fic:tokens:{user%7b1%7d}:lock');
      const raw = JSON.parse((await client.get('fic:tokens:{user%7b1%7d}')) ?? '') as { tokens: unknown; rt: string };
      expect(raw.tokens).to.deep.equal(initial);
      expect(raw.rt).not.to.include(initial.refreshToken);
      expect(await store.read('user{1}')).to.deep.equal({ tokens: initial });
      expect(await store.read('nobody')).to.equal(undefined);
    });

    it('hands out copies of what it read, and reads a changed value afresh', async () => {
      const store = new RedisTokenStore({ client, encryptionKey: randomBytes(32) });
      await store.write('user-1', { tokens: initial });
      const first = await store.read('user-1');
      if (first) first.tokens.accessToken = 'a/changed-by-a-caller-000000';
      expect(await store.read('user-1')).to.deep.equal({ tokens: initial });
      const next = { ...initial, accessToken: 'a/the-next-access-token-00000' };
      await store.write('user-1', { tokens: next });
      expect(await store.read('user-1')).to.deep.equal({ tokens: next });
    });

    it('with encryptionKey, keeps no a/ or r/ token anywhere in Redis', async () => {
      const store = new RedisTokenStore({ client, encryptionKey: randomBytes(32) });
      const tokens = manager(store);
      await tokens.save('user-1', expiring(initial));
      const fresh = await tokens.get('user-1');
      const everything = await allValues();
      expect(everything).not.to.match(/[ar]\/[\w-]{20,}/);
      expect(everything).not.to.include(fresh?.accessToken);
      expect(await store.read('user-1')).to.deep.equal({ tokens: fresh });
    });

    it('refuses a value sealed with another key, or not a token set, with a clear error free of tokens', async () => {
      await new RedisTokenStore({ client, encryptionKey: randomBytes(32) }).write('user-1', { tokens: initial });
      const other = new RedisTokenStore({ client, encryptionKey: randomBytes(32).toString('hex') });
      const error = await other.read('user-1').catch((caught: unknown) => caught);
      expect(error).to.include({ code: 'store_corrupt' });
      expect((error as Error).message).to.include('sealed with another key');
      await client.set('fic:tokens:{user-2}', 'not json');
      expect(await other.read('user-2').catch((caught: unknown) => (caught as { code: string }).code)).to.equal('store_corrupt');
      expectNoSecrets(error, [initial.accessToken, initial.refreshToken]);
    });

    it('opens with every key of a rotation list, seals with the first', async () => {
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      await new RedisTokenStore({ client, encryptionKey: oldKey }).write('user-1', { tokens: initial });
      const rotated = new RedisTokenStore({ client, encryptionKey: [newKey, oldKey] });
      expect(await rotated.read('user-1')).to.deep.equal({ tokens: initial });
      await rotated.write('user-1', { tokens: initial });
      expect(await new RedisTokenStore({ client, encryptionKey: newKey }).read('user-1')).to.deep.equal({ tokens: initial });
    });

    it('compare-and-sets on the spent refresh token, and unlocks only for the owner', async () => {
      const store = new RedisTokenStore({ client });
      const next = { tokens: { ...initial, refreshToken: 'r/next-refresh-token-value-01' } };
      expect(await store.replace('user-1', initial.refreshToken, next)).to.equal(false); // nothing stored: no resurrection
      await store.write('user-1', { tokens: initial });
      expect(await store.replace('user-1', 'r/some-other-spent-token-000', next)).to.equal(false);
      expect(await store.replace('user-1', initial.refreshToken, next)).to.equal(true);
      expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(next.tokens.refreshToken);
      expect(await store.lock('user-1', 'owner-a', 5_000)).to.equal(true);
      expect(await store.lock('user-1', 'owner-b', 5_000)).to.equal(false);
      await store.unlock('user-1', 'owner-b');
      expect(await client.get(store.lockKeyOf('user-1'))).to.equal('owner-a');
      await store.unlock('user-1', 'owner-a');
      expect(await client.get(store.lockKeyOf('user-1'))).to.equal(null);
      expect(await client.pTTL(store.keyOf('user-1'))).to.equal(-1);
    });

    it('runs its scripts after Redis forgot them (a restart)', async () => {
      const store = new RedisTokenStore({ client });
      await store.write('user-1', { tokens: initial });
      await client.scriptFlush();
      expect(await store.replace('user-1', initial.refreshToken, { tokens: initial })).to.equal(true);
    });

    it('refuses bad options with a TypeError', () => {
      expect(() => new RedisTokenStore({ client: {} as never })).to.throw(TypeError, /needs a Redis client: node-redis \(createClient or createCluster, redis >= 5\) or ioredis\/iovalkey \(new Redis or new Cluster\); got an object, which is neither/);
      // Four method names are not a client: a wrapper with other call shapes would fail only at the first refresh.
      const wrapper = { get: () => Promise.resolve(null), set: () => Promise.resolve('OK'), del: () => Promise.resolve(1), eval: () => Promise.resolve(1), sendCommand: () => Promise.resolve(null) };
      expect(() => new RedisTokenStore({ client: wrapper })).to.throw(TypeError, /which is neither/);
      expect(() => new RedisTokenStore(undefined as never)).to.throw(TypeError, /connected node-redis client/);
      expect(() => new RedisTokenStore({ client, encryptionKey: 'too short' })).to.throw(TypeError, /32 bytes .* got a string that is neither hex nor base64/);
      expect(() => new RedisTokenStore({ client, encryptionKey: randomBytes(16) })).to.throw(TypeError, /got 16 bytes/);
      expect(() => new RedisTokenStore({ client, lockTTL: 0 })).to.throw(TypeError, /lockTTL/);
    });
  });

  describe('across processes', () => {
    const succeeded = (results: (WorkerOutcome[] | undefined)[]) => results.flatMap((outcomes) => outcomes ?? []);

    it('a holder killed (SIGKILL) while it holds the lock: the others finish after its TTL', async () => {
      await new RedisTokenStore({ client }).write('user-1', { tokens: expiring(initial) });
      const [killed] = await runWorkers([worker({ lockTTL: 1000, dieAfterLock: true, concurrency: 1 })]);
      const diedAt = Date.now();
      expect(killed, 'the worker died holding the lock').to.equal(undefined);
      expect(await client.get(new RedisTokenStore({ client }).lockKeyOf('user-1'))).to.be.a('string');
      const outcomes = succeeded(await runWorkers([worker({ lockTTL: 1000, concurrency: 10 }), worker({ lockTTL: 1000, concurrency: 10 })]));
      expect(outcomes.filter((outcome) => !outcome.ok)).to.deep.equal([]);
      expect(outcomes).to.have.length(20);
      // Nobody could refresh before the dead holder's lock expired.
      const firstDone = Math.min(...outcomes.map((outcome) => outcome.startedAt + outcome.ms)) - diedAt;
      console.log(`      holder SIGKILLed with a 1000 ms lock: the others had the new set ${firstDone} ms after it died`);
      expect(firstDone).to.be.greaterThan(700);
      const stored = await new RedisTokenStore({ client }).read('user-1');
      expect(stored?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
    });

    it('a dead grant: one invalid_grant, then no more token requests', async () => {
      const store = new RedisTokenStore({ client });
      const tokens = manager(store, 300);
      await tokens.save('user-1', expiring(initial));
      standIn.revokeRefreshToken(initial.refreshToken);
      const errors = await Promise.all(Array.from({ length: 5 }, () => tokens.get('user-1').catch((caught: unknown) => caught)));
      for (const error of errors) expect(error).to.include({ code: 'invalid_grant' });
      const requests = standIn.stats.tokenRequests;
      // Two more "processes" (managers on connections of their own) learn it from the store, not from Fatture in Cloud.
      const outcomes = (await runSideBySide([worker({ concurrency: 5 }), worker({ concurrency: 5 })])).flat();
      expect(outcomes.map((outcome) => !outcome.ok && outcome.code)).to.deep.equal(Array(10).fill('invalid_grant'));
      expect(standIn.stats.tokenRequests).to.equal(requests);
      expect((await store.read('user-1'))?.dead).to.equal(true);
    });
  });

  describe('when Redis is in trouble', () => {
    it('paused (SIGSTOP): get rejects within the store timeout, then works again with the set intact', async () => {
      const store = new RedisTokenStore({ client, timeout: 300 });
      const tokens = manager(store);
      await tokens.save('user-1', initial);
      redis.pause();
      try {
        const started = Date.now();
        const error = await tokens.get('user-1').catch((caught: unknown) => caught);
        console.log(`      Redis stopped (SIGSTOP): get rejected after ${Date.now() - started} ms (store timeout 300 ms)`);
        expect(Date.now() - started).to.be.lessThan(1_000);
        expect(error).to.include({ code: 'store_unavailable' });
        expect((error as Error).message).to.match(/Redis did not answer GET within 300 ms: is it reachable\?/);
      } finally {
        redis.resume();
      }
      expect(await tokens.get('user-1')).to.deep.equal(initial);
    });

    it('paused in the middle of a refresh: the caller gets the rotated set, which is written once Redis is back, nothing lost', async () => {
      const store = new RedisTokenStore({ client, timeout: 300 });
      const tokens = manager(store);
      await tokens.save('user-1', expiring(initial));
      standIn.latency = 200;
      const pending = tokens.get('user-1').catch((caught: unknown) => caught);
      await new Promise((resolve) => setTimeout(resolve, 100));
      redis.pause();
      const outcome = await pending;
      redis.resume();
      const current = standIn.currentRefreshToken(initial.refreshToken);
      expect(outcome).to.include({ refreshToken: current });
      // The compare-and-set node-redis queued runs when Redis wakes (or the held set is written): the rotated set lands.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(current);
      standIn.latency = 0;
      expect((await tokens.get('user-1'))?.refreshToken).to.equal(current);
    });

    it('gone (shut down) and back: get rejects within its bound, then works with the set intact', async () => {
      const store = new RedisTokenStore({ client, timeout: 300 });
      const tokens = manager(store);
      await tokens.save('user-1', initial);
      await redis.shutdown((args) => client.sendCommand(args));
      try {
        const started = Date.now();
        const error = await tokens.get('user-1').catch((caught: unknown) => caught);
        expect(Date.now() - started).to.be.lessThan(1_000);
        expect(error).to.include({ code: 'store_unavailable' });
      } finally {
        await redis.restart();
      }
      await waitFor(() => client.isReady);
      expect(await tokens.get('user-1')).to.deep.equal(initial);
    });

    it('a closed client is a clear error, not a hang', async () => {
      const store = new RedisTokenStore({ client, timeout: 300 });
      await client.close();
      const error = await store.read('user-1').catch((caught: unknown) => caught);
      expect(error).to.include({ code: 'store_unavailable' });
      expect((error as Error).message).to.equal('Redis could not run GET: the client is closed');
    });
  });
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const giveUpAt = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
