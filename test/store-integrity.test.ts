import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { FattureInCloudTokens, type FattureInCloudTokenSet, MemoryTokenStore, type TokenStore } from '../lib/index';
import { PostgresTokenStore } from '../lib/postgres';
import { RedisTokenStore } from '../lib/redis';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { PostgresServer } from './support/postgres-server';
import { RedisServer } from './support/redis-server';
import { requireServers, stopServers } from './support/servers';
import { expiring, grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

describe('MemoryTokenStore refuses keys that are not well-formed Unicode, as every store does', () => {
  it('rejects each operation with a TypeError', async () => {
    const store = new MemoryTokenStore();
    for (const call of [store.read('u\uD800'), store.write('u\uDFFF', { tokens: {} as FattureInCloudTokenSet }), store.lock('u\uD800', 'me', 1000), store.delete('u\uD800')]) {
      const error = await call.catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/well-formed Unicode/);
    }
  });
});

/**
 * A value whose compare-and-set digest (`rt`, outside the seal; on PostgreSQL
 * its own column) is not its set's would make every rotation lose the
 * compare-and-set and be thrown away: it is store_corrupt on read, before any
 * token request. And PostgreSQL refuses an oversized row without reading it.
 */
describe('stored values are checked whole, on real servers', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let postgres: PostgresServer;
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;

  before(async function () {
    requireServers(this, 'redis', 'postgres');
    [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
  });
  after(() => stopServers(redis, postgres));
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(() => standIn.close());

  async function expectCorruptWithoutTokenRequest(store: TokenStore): Promise<void> {
    const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store });
    const requests = standIn.stats.tokenRequests;
    const error = await tokens.get('user-1').catch((caught: unknown) => caught);
    expect(error).to.include({ code: 'store_corrupt' });
    expect((error as Error).message).to.include('compare-and-set digest');
    expectNoSecrets(error, [initial.accessToken, initial.refreshToken]);
    expect(standIn.stats.tokenRequests).to.equal(requests);
  }

  for (const sealed of [false, true]) {
    const encryptionKey = sealed ? randomBytes(32) : undefined;

    it(`Redis${sealed ? ', sealed' : ''}: a value whose rt is not its set's is store_corrupt, with no token request`, async () => {
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const store = new RedisTokenStore({ client, encryptionKey });
        await store.write('user-1', { tokens: expiring(initial) });
        const redisKey = store.keyOf('user-1');
        const value = JSON.parse((await client.get(redisKey)) ?? '{}') as { rt: string };
        await client.set(redisKey, JSON.stringify({ ...value, rt: 'not-this-sets-digest' }));
        await expectCorruptWithoutTokenRequest(store);
      } finally {
        await client.close();
      }
    });

    it(`PostgreSQL${sealed ? ', sealed' : ''}: a row whose rt column is not its set's is store_corrupt, with no token request`, async () => {
      const pool = new Pool({ connectionString: postgres.url });
      try {
        const store = new PostgresTokenStore({ pool, encryptionKey, table: `rt_${sealed ? 'sealed' : 'plain'}` });
        await store.createTables();
        await store.write('user-1', { tokens: expiring(initial) });
        await pool.query(`UPDATE ${store.table} SET rt = 'not-this-sets-digest'`);
        await expectCorruptWithoutTokenRequest(store);
      } finally {
        await pool.end();
      }
    });
  }

  it('PostgreSQL: an 8 MiB row is refused in the database, not read whole', async () => {
    const pool = new Pool({ connectionString: postgres.url });
    try {
      const received: unknown[] = [];
      const measuring = {
        query: async (text: string, values?: unknown[]) => {
          const result = await pool.query(text, values);
          received.push(...result.rows.map((row: Record<string, unknown>) => row.value));
          return result;
        },
      };
      await new PostgresTokenStore({ pool, table: 'oversized' }).createTables();
      const store = new PostgresTokenStore({ pool: measuring, table: 'oversized' });
      await pool.query(`INSERT INTO oversized (key, rt, value) VALUES ('user-1', 'x', repeat('x', 8 * 1024 * 1024))`);
      const error = await store.read('user-1').catch((caught: unknown) => caught);
      expect(error).to.include({ code: 'store_corrupt' });
      expect(received).to.deep.equal([null]);
    } finally {
      await pool.end();
    }
  });
});
