import { expect } from 'chai';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { FattureInCloudTokens, type FattureInCloudTokenSet, MemoryTokenStore, type StoredTokenSet, type TokenStore } from '../lib/index';
import { PostgresTokenStore } from '../lib/postgres';
import { RedisTokenStore } from '../lib/redis';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { PostgresServer } from './support/postgres-server';
import { RedisServer } from './support/redis-server';
import { requireServers, stopServers } from './support/servers';
import { expiring, grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

/**
 * Once Fatture in Cloud has rotated a grant, its new refresh token is the only
 * live one: a store that fails to take it must not cost the user the grant.
 * The write is retried, the set is held in the process while the store is
 * down (callers get it), and written at the next chance.
 */

/** A MemoryTokenStore whose compare-and-set fails while `down`, or for the next `failures` calls. */
class FlakyStore extends MemoryTokenStore {
  down = false;
  failures = 0;
  replaceCalls = 0;

  override replace(key: string, spent: string, next: StoredTokenSet): Promise<boolean> {
    this.replaceCalls += 1;
    if (this.down || this.failures > 0) {
      this.failures = Math.max(0, this.failures - 1);
      return Promise.reject(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
    }
    return super.replace(key, spent, next);
  }
}

/** Resolves as the stand-in receives its next token request. */
async function nextTokenRequest(standIn: FattureInCloudStandIn): Promise<void> {
  const before = standIn.stats.tokenRequests;
  while (standIn.stats.tokenRequests === before) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('a rotation is never lost to a failing store', function () {
  this.timeout(30_000);
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;

  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(() => standIn.close());

  function manager(store: TokenStore, options: { storeTimeout?: number } = {}): FattureInCloudTokens {
    return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store, ...options });
  }

  /** An expiring set saved in a FlakyStore: the next get refreshes it; with `down`, its write fails and the set is held. */
  async function expiringIn(options: { down: boolean }): Promise<{ store: FlakyStore; tokens: FattureInCloudTokens }> {
    const store = new FlakyStore();
    const tokens = manager(store);
    await tokens.save('user-1', expiring(initial));
    store.down = options.down;
    return { store, tokens };
  }

  it('a custom store whose write fails once: written on the retry, nothing lost', async () => {
    const { store, tokens } = await expiringIn({ down: false });
    store.failures = 1;
    const fresh = await tokens.get('user-1');
    const live = standIn.currentRefreshToken(initial.refreshToken);
    expect(fresh?.refreshToken).to.equal(live);
    expect(store.replaceCalls).to.equal(2);
    expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(live);
  });

  it('a store down after the refresh: callers get the new set meanwhile, no second token request, and it is written when the store is back', async () => {
    const { store, tokens } = await expiringIn({ down: true });
    const first = await tokens.get('user-1');
    const live = standIn.currentRefreshToken(initial.refreshToken);
    expect(first?.refreshToken).to.equal(live);
    const requests = standIn.stats.tokenRequests;
    const meanwhile = await Promise.all([tokens.get('user-1'), tokens.get('user-1')]);
    expect(meanwhile.map((set) => set?.accessToken)).to.deep.equal([first?.accessToken, first?.accessToken]);
    expect(standIn.stats.tokenRequests).to.equal(requests);
    expect((await store.read('user-1'))?.tokens.refreshToken, 'the store still holds the spent token').to.equal(initial.refreshToken);
    store.down = false;
    expect((await tokens.get('user-1'))?.accessToken).to.equal(first?.accessToken);
    expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(live);
    expect(standIn.stats.tokenRequests).to.equal(requests);
  });

  it('the held set is written in the background once the store is back, with no call for it', async () => {
    const { store, tokens } = await expiringIn({ down: true });
    await tokens.get('user-1');
    store.down = false;
    const live = standIn.currentRefreshToken(initial.refreshToken);
    const giveUpAt = Date.now() + 5_000;
    while ((await store.read('user-1'))?.tokens.refreshToken !== live && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(live);
  });

  it('a login or a logout while a rotation is held wins over it', async () => {
    const { store, tokens } = await expiringIn({ down: true });
    await tokens.get('user-1');
    store.down = false;
    await tokens.delete('user-1');
    expect(await tokens.get('user-1')).to.equal(undefined);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await store.read('user-1'), 'the background retry did not bring it back').to.equal(undefined);
  });

  it('never hands out an expired set: a held set that expired while the store is down is the store\'s error', async () => {
    const { tokens } = await expiringIn({ down: true });
    await tokens.get('user-1');
    const clock = Date.now;
    Date.now = () => clock() + 2 * 86_400_000;
    try {
      const error = await tokens.get('user-1').catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.not.include(initial.accessToken);
    } finally {
      Date.now = clock;
    }
  });

  describe('on real servers', () => {
    let redis: RedisServer;
    let postgres: PostgresServer;
    before(async function () {
      requireServers(this, 'redis', 'postgres');
      [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
    });
    after(() => stopServers(redis, postgres));

    it('PostgreSQL: the backend running the compare-and-set is terminated (57P01); the next get with the database healthy has the live token', async () => {
      const pool = new Pool({ connectionString: postgres.url, max: 4 });
      pool.on('error', () => undefined);
      let terminateNext = false;
      // The pool as the store sees it: the compare-and-set's connection is terminated just before it runs.
      const terminating = {
        query: async (text: string, values?: unknown[]) => {
          if (!terminateNext || !text.startsWith('UPDATE')) return pool.query(text, values);
          terminateNext = false;
          const client = await pool.connect();
          // Its backend is about to be terminated: the error it emits is the point, not a crash.
          client.on('error', () => undefined);
          const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          try {
            return await client.query(text, values);
          } finally {
            client.release(true);
          }
        },
      };
      try {
        const store = new PostgresTokenStore({ pool: terminating });
        await store.createTables();
        const tokens = manager(store);
        await tokens.save('user-1', expiring(initial));
        terminateNext = true;
        const fresh = await tokens.get('user-1');
        const live = standIn.currentRefreshToken(initial.refreshToken);
        expect(terminateNext, 'the backend was terminated').to.equal(false);
        expect(fresh?.refreshToken).to.equal(live);
        expect((await tokens.get('user-1'))?.refreshToken).to.equal(live);
        expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(live);
      } finally {
        await pool.end();
      }
    });

    it('Redis: the server stops answering right after the token request; written when it answers again, nothing lost', async () => {
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const store = new RedisTokenStore({ client, timeout: 200 });
        const tokens = manager(store);
        await tokens.save('user-1', expiring(initial));
        standIn.latency = 100;
        const paused = nextTokenRequest(standIn).then(() => redis.pause());
        const fresh = await tokens.get('user-1');
        await paused;
        const live = standIn.currentRefreshToken(initial.refreshToken);
        expect(fresh?.refreshToken).to.equal(live);
        redis.resume();
        expect((await tokens.get('user-1'))?.refreshToken).to.equal(live);
        expect((await store.read('user-1'))?.tokens.refreshToken).to.equal(live);
        expect((await store.read('user-1'))?.dead).to.equal(undefined);
      } finally {
        redis.resume();
        await client.close();
      }
    });
  });
});
