import { expect } from 'chai';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { PostgresServer } from '../test/support/postgres-server';
import { type NodeProcess, spawnNode } from '../test/support/processes';
import { RedisServer } from '../test/support/redis-server';
import { requireServers } from '../test/support/servers';
import { postEvent, signFor, testEvent, testKey } from '../test/support/webhooks';

/**
 * The same events delivered to 4 receiver processes at once, each on its
 * own connections to a shared log, and sent again (to all 4) while any
 * answered 5xx, as Fatture in Cloud retries: every event's handler succeeds
 * exactly once, every process ends up answering 200, and none answered 200
 * before the event was handled.
 */
const EVENTS = 200;
const PROCESSES = 4;
const SINK = 'https://app.example/hooks';

interface Backend {
  name: string;
  start(): Promise<{ url: string; count(name: string, id: string): Promise<number>; stop(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'RedisWebhookLog',
    start: async () => {
      const redis = await RedisServer.start();
      const client = await createClient({ url: redis.url }).connect();
      return {
        url: redis.url,
        count: async (name, id) => Number((await client.get(`${name}:${id}`)) ?? 0),
        stop: async () => {
          await client.close();
          await redis.stop();
        },
      };
    },
  },
  {
    name: 'PostgresWebhookLog',
    start: async () => {
      const postgres = await PostgresServer.start();
      const pool = new Pool({ connectionString: postgres.url });
      // An idle connection the server closes as it stops is not the test's failure.
      pool.on('error', () => undefined);
      await pool.query('CREATE TABLE webhook_stress_counts (name text, id text, count integer NOT NULL, PRIMARY KEY (name, id))');
      return {
        url: postgres.url,
        count: async (name, id) => {
          const { rows } = await pool.query<{ count: number }>('SELECT count FROM webhook_stress_counts WHERE name = $1 AND id = $2', [name, id]);
          return rows[0]?.count ?? 0;
        },
        stop: async () => {
          await pool.end();
          await postgres.stop();
        },
      };
    },
  },
];

describe('webhooks: one event, 4 processes at once, handled exactly once', function () {
  this.timeout(180_000);
  for (const backend of BACKENDS) {
    it(`${backend.name}: ${EVENTS} events, each to ${PROCESSES} processes at once, retried while any answered 5xx`, async function () {
      requireServers(this, backend.name.startsWith('Redis') ? 'redis' : 'postgres');
      const server = await backend.start();
      const key = testKey();
      const workers: NodeProcess[] = [];
      try {
        const env = { KIND: backend.name.startsWith('Redis') ? 'redis' : 'postgres', URL: server.url, PUBLIC_KEY: Buffer.from(key.publicPEM).toString('base64'), SINK };
        for (let index = 0; index < PROCESSES; index++) workers.push(spawnNode(['--import', 'tsx', 'test/support/webhook-worker.ts'], { env }));
        const ports = await Promise.all(workers.map(async (worker) => (await worker.waitFor(/listening (\d+)/))[1] ?? ''));
        let early = 0;
        let rounds = 0;
        const events = Array.from({ length: EVENTS }, (_, index) => testEvent({ ids: [index] }));
        await Promise.all(
          events.map(async (event, index) => {
            const token = await signFor(key.privateKey, SINK, event);
            for (let round = 1; round <= 5; round++) {
              rounds = Math.max(rounds, round);
              const statuses = await Promise.all(ports.map((port) => postEvent(`http://127.0.0.1:${port}/hooks`, event, token).then(({ status }) => status)));
              const handled = await server.count('successes', event.id);
              if (statuses.includes(200) && handled !== 1) early += 1;
              if (statuses.every((status) => status === 200)) return;
              expect(statuses.every((status) => status === 200 || status >= 500), `only 2xx and 5xx: ${statuses.join(',')}`).to.equal(true);
            }
            throw new Error(`event ${index} was never acknowledged by every process`);
          }),
        );
        const successes = await Promise.all(events.map((event) => server.count('successes', event.id)));
        const attempts = await Promise.all(events.map((event) => server.count('attempts', event.id)));
        expect(successes.filter((count) => count !== 1), 'events not handled exactly once').to.deep.equal([]);
        expect(attempts.filter((count, index) => index % 5 === 0 && count !== 2), 'a failed first attempt is run once more, once').to.deep.equal([]);
        expect(early, 'answers of 200 before the event was handled').to.equal(0);
        console.log(`      ${EVENTS} events × ${PROCESSES} processes: each handled once (${attempts.reduce((a, b) => a + b, 0)} handler runs); at most ${rounds} rounds of delivery`);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await server.stop();
      }
    });
  }
});
