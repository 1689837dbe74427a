import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { PostgresWebhookLog } from '../../lib/postgres';
import { RedisWebhookLog } from '../../lib/redis';
import { FattureInCloudWebhooks, type WebhookLog } from '../../lib/webhooks/index';

/**
 * One receiver process of the webhook stress: its own connections to the
 * shared log, and a handler that counts its attempts and successes per event
 * in the same server (so the test reads what every process did). An event
 * whose number is a multiple of 5 fails its first attempt.
 * Env: KIND (redis | postgres), URL, PUBLIC_KEY (PEM, base64), SINK.
 */
const { KIND, URL: url = '', PUBLIC_KEY = '', SINK = '' } = process.env;

interface Counter {
  log: WebhookLog;
  /** Adds one to `name` for the event; the new count. */
  add: (name: 'attempts' | 'successes', id: string) => Promise<number>;
}

async function counter(): Promise<Counter> {
  if (KIND === 'redis') {
    const client = await createClient({ url }).connect();
    return { log: new RedisWebhookLog({ client }), add: (name, id) => client.incr(`${name}:${id}`) };
  }
  const pool = new Pool({ connectionString: url, max: 8 });
  const log = new PostgresWebhookLog({ pool });
  await log.createTables();
  return {
    log,
    add: async (name, id) => {
      const { rows } = await pool.query(
        `INSERT INTO webhook_stress_counts (name, id, count) VALUES ($1, $2, 1) ON CONFLICT (name, id) DO UPDATE SET count = webhook_stress_counts.count + 1 RETURNING count`,
        [name, id],
      );
      return (rows[0] as { count: number }).count;
    },
  };
}

async function main(): Promise<void> {
  const { log, add } = await counter();
  const webhooks = new FattureInCloudWebhooks({ sink: SINK, keys: PUBLIC_KEY, dedupe: log, handlerTimeout: 2_000 });
  webhooks.onAny(async (event) => {
    const attempt = await add('attempts', event.id);
    await sleep(Math.random() * 30);
    if (attempt === 1 && (event.ids[0] ?? 0) % 5 === 0) throw new Error('the first attempt fails');
    await add('successes', event.id);
  });
  const server = createServer(webhooks.handler);
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
}

void main();
