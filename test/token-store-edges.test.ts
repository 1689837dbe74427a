import { expect } from 'chai';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { FattureInCloudTokens, type FattureInCloudTokenSet, MemoryTokenStore, type StoredTokenSet, type TokenStore } from '../lib/index';
import { PostgresTokenStore } from '../lib/postgres';
import { RedisTokenStore } from '../lib/redis';
import { checkTokenStore, type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { PostgresServer } from './support/postgres-server';
import { RedisServer } from './support/redis-server';
import { expiring, grantAtStandIn } from './support/stand-in-login';
import { requireServers, stopServers } from './support/servers';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

/** A MemoryTokenStore with one method replaced: a store that gets one property wrong. */
function brokenStore(override: Partial<TokenStore>): () => TokenStore {
  return () => {
    const store = new MemoryTokenStore();
    return Object.assign(store, override, { processLocal: true });
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('it should have rejected'),
    (error: unknown) => error as Error,
  );
}

describe('checkTokenStore catches a store that gets a property wrong', () => {
  it('a replace that ignores the spent token, a lock that always succeeds, an unlock that ignores the owner: each named', async () => {
    const cases: [string, Partial<TokenStore>, RegExp][] = [
      [
        'replace ignores the spent token',
        {
          async replace(this: MemoryTokenStore, key: string, _spent: string, next: StoredTokenSet) {
            if (!(await this.read(key))) return false;
            await this.write(key, next);
            return true;
          },
        },
        /^replace writes only over the spent refresh token.*: replace with a token that is not the stored one returned true$/,
      ],
      ['lock always succeeds', { lock: () => Promise.resolve(true) }, /^lock is exclusive, per key: a second owner took a held lock$/],
      [
        'unlock ignores the owner',
        {
          async unlock(this: MemoryTokenStore, key: string) {
            await MemoryTokenStore.prototype.unlock.call(this, key, (this as unknown as { locks: Map<string, { owner: string }> }).locks.get(key)?.owner ?? '');
          },
        },
        /^unlock frees the lock for its owner only: unlock by another owner freed the lock$/,
      ],
    ];
    for (const [what, override, named] of cases) {
      const error = await rejection(checkTokenStore(brokenStore(override)));
      expect(error, what).to.be.instanceOf(AggregateError);
      const messages = (error as AggregateError).errors.map((each: Error) => each.message);
      expect(messages.some((message) => named.test(message)), `${what}: ${messages.join(' | ')}`).to.equal(true);
      expect(error.message).to.match(/^The token store fails \d+ of 9 properties:/);
    }
  });

  it('a store that throws is reported per property, and a non-function is a TypeError', async () => {
    const error = await rejection(checkTokenStore(brokenStore({ read: () => Promise.reject(new Error('disk on fire')) })));
    expect(((error as AggregateError).errors[0] as Error).message).to.include('it threw Error: disk on fire');
    const notAFunction = await rejection(checkTokenStore(undefined as never));
    expect(notAFunction).to.be.instanceOf(TypeError);
    expect(notAFunction.message).to.match(/needs a function/);
  });
});

describe('FattureInCloudTokens with any store', () => {
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(() => standIn.close());

  function manager(store: TokenStore, options: { storeTimeout?: number; timeout?: number } = {}): FattureInCloudTokens {
    return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store, ...options });
  }

  it('bounds every call of a custom store that hangs: store_unavailable, not a get that never settles', async () => {
    const hanging: TokenStore = { read: () => new Promise(() => undefined), write: () => Promise.resolve(), replace: () => Promise.resolve(false), delete: () => Promise.resolve(), lock: () => Promise.resolve(true), unlock: () => Promise.resolve() };
    const started = Date.now();
    const error = await rejection(manager(hanging, { storeTimeout: 200 }).get('user-1'));
    expect(Date.now() - started).to.be.within(190, 1000);
    expect(error).to.include({ code: 'store_unavailable' });
    expect(error.message).to.equal('The token store did not answer read within 200 ms (storeTimeout)');
  });

  it('holds a store to its own timeout plus a margin, any other to 2 s; refuses a bad storeTimeout', () => {
    expect(manager(new MemoryTokenStore()).storeTimeout).to.equal(2000);
    expect(manager(Object.assign(new MemoryTokenStore(), { timeout: 500 })).storeTimeout).to.equal(1500);
    expect(() => manager(new MemoryTokenStore(), { storeTimeout: 0 })).to.throw(TypeError, /storeTimeout must be a positive number/);
  });

  it('a store that throws fails the callers of that key only', async () => {
    const store = new MemoryTokenStore();
    const read = store.read.bind(store);
    store.read = (key) => (key === 'broken' ? Promise.reject(new Error('that row is locked')) : read(key));
    const tokens = manager(store);
    await tokens.save('fine', initial);
    const [broken, fine] = await Promise.allSettled([tokens.get('broken'), tokens.get('fine')]);
    expect(broken.status === 'rejected' && (broken.reason as Error).message).to.equal('that row is locked');
    expect(fine.status === 'fulfilled' && fine.value?.accessToken).to.equal(initial.accessToken);
  });

  it('takes a stored dead: false (a SQL row\'s boolean) as alive', async () => {
    const store = new MemoryTokenStore();
    await store.write('user-1', { tokens: initial, dead: false });
    expect((await manager(store).get('user-1'))?.accessToken).to.equal(initial.accessToken);
  });

  it('a dead grant with a store no other process shares is said right after the refused request, not after timeout', async () => {
    const tokens = manager(new MemoryTokenStore(), { timeout: 10_000 });
    await tokens.save('user-1', expiring(initial));
    standIn.revokeRefreshToken(initial.refreshToken);
    const started = Date.now();
    const error = await rejection(tokens.get('user-1'));
    const took = Date.now() - started;
    expect(error).to.include({ code: 'invalid_grant' });
    console.log(`      first dead-grant rejection after ${took} ms (timeout 10000 ms)`);
    expect(took).to.be.below(2000);
  });
});

describe('store failures keep the backend\'s own words, and no secret', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let postgres: PostgresServer;
  before(async function () {
    requireServers(this, 'redis', 'postgres');
    [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
  });
  after(() => stopServers(redis, postgres));

  const set: FattureInCloudTokenSet = { accessToken: 'a/edge-access-token-0123456789', refreshToken: 'r/edge-refresh-token-0123456789', tokenType: 'bearer', expiresIn: 86_400, expiresAt: Date.now() + 86_400_000 };

  it('Redis refusing a command (WRONGTYPE) is store_error with Redis\'s words, on node-redis and ioredis', async () => {
    const nodeRedis = await createClient({ url: redis.url }).connect();
    const ioredis = new IORedis(redis.url);
    try {
      await nodeRedis.lPush('fic:tokens:{user-1}:lock', 'a list, not a string');
      for (const client of [nodeRedis, ioredis]) {
        const error = await rejection(new RedisTokenStore({ client }).unlock('user-1', 'owner'));
        expect(error).to.include({ code: 'store_error' });
        expect(error.message).to.match(/^Redis refused EVAL: .*WRONGTYPE Operation against a key holding the wrong kind of value/);
      }
    } finally {
      await nodeRedis.close();
      ioredis.disconnect();
    }
  });

  it('Redis that cannot be reached is store_unavailable, within the timeout', async () => {
    const ioredis = new IORedis({ port: redis.port + 1 === 65536 ? 1 : redis.port + 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    ioredis.on('error', () => undefined);
    try {
      const error = await rejection(new RedisTokenStore({ client: ioredis, timeout: 300 }).read('user-1'));
      expect(error).to.include({ code: 'store_unavailable' });
    } finally {
      ioredis.disconnect();
    }
  });

  it('a value over 64 KiB is store_corrupt, in Redis and in PostgreSQL', async () => {
    const client = await createClient({ url: redis.url }).connect();
    const pool = new Pool({ connectionString: postgres.url });
    try {
      await client.set('fic:tokens:{big}', JSON.stringify({ v: 1, rt: 'x', tokens: { ...set, accessToken: `a/${'x'.repeat(70_000)}` } }));
      expect(await rejection(new RedisTokenStore({ client }).read('big'))).to.include({ code: 'store_corrupt' });
      const store = new PostgresTokenStore({ pool });
      await store.createTables();
      await pool.query('INSERT INTO fic_tokens (key, rt, value) VALUES ($1, $2, $3)', ['big', 'x', 'y'.repeat(70_000)]);
      expect(await rejection(store.read('big'))).to.include({ code: 'store_corrupt' });
    } finally {
      await client.close();
      await pool.end();
    }
  });

  it('PostgreSQL: a missing table is store_error that says what to run, with no SQL parameter; createTables twice is fine', async () => {
    const pool = new Pool({ connectionString: postgres.url });
    try {
      const store = new PostgresTokenStore({ pool, table: 'never_created' });
      const error = await rejection(store.write('user-1', { tokens: set }));
      expect(error).to.include({ code: 'store_error' });
      expect(error.message).to.equal('PostgreSQL refused write (SQLSTATE 42P01): the table does not exist; run createTables() or the DDL in docs/several-processes.md');
      expectNoSecrets(error, [set.accessToken, set.refreshToken, 'user-1']);
      const created = new PostgresTokenStore({ pool, table: 'twice' });
      await created.createTables();
      await created.createTables();
      await created.write('user-1', { tokens: set });
      expect((await created.read('user-1'))?.tokens).to.deep.equal(set);
      const { rows } = await pool.query<{ value: string; rt: string }>('SELECT value, rt FROM twice');
      expect(rows[0]!.rt).not.to.include(set.refreshToken);
    } finally {
      await pool.end();
    }
  });

  it('PostgreSQL that does not answer (paused): every call rejects within timeout as store_unavailable, and works after', async () => {
    const pool = new Pool({ connectionString: postgres.url });
    pool.on('error', () => undefined);
    try {
      const store = new PostgresTokenStore({ pool, timeout: 300 });
      await store.createTables();
      await store.write('user-1', { tokens: set });
      postgres.pause();
      try {
        const started = Date.now();
        const error = await rejection(store.read('user-1'));
        expect(Date.now() - started).to.be.within(250, 1500);
        expect(error).to.include({ code: 'store_unavailable' });
        expect(error.message).to.equal('PostgreSQL did not answer read within 300 ms: is it reachable?');
      } finally {
        postgres.resume();
      }
      const giveUpAt = Date.now() + 10_000;
      let after: StoredTokenSet | undefined;
      while (!after && Date.now() < giveUpAt) after = await store.read('user-1').catch(() => undefined);
      expect(after?.tokens).to.deep.equal(set);
    } finally {
      await pool.end();
    }
  });

  it('PostgresTokenStore refuses bad options with a TypeError', () => {
    expect(() => new PostgresTokenStore(undefined as never)).to.throw(TypeError, /needs options with a pg Pool/);
    expect(() => new PostgresTokenStore({ pool: {} as never })).to.throw(TypeError, /needs options with a pg Pool/);
    const pool = { query: () => Promise.resolve({ rows: [], rowCount: 0 }) };
    expect(() => new PostgresTokenStore({ pool, table: 'drop table x;' })).to.throw(TypeError, /table must be a plain name/);
    expect(() => new PostgresTokenStore({ pool, table: 7 as never })).to.throw(TypeError, /table must be a string/);
    expect(() => new PostgresTokenStore({ pool, timeout: -1 })).to.throw(TypeError, /timeout/);
    expect(new PostgresTokenStore({ pool, table: 'app.tokens' }).ddl).to.include('CREATE TABLE IF NOT EXISTS "app"."tokens"').and.include('"app"."tokens_locks"');
  });
});
