import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { PostgresWebhookLog } from '../lib/postgres';
import { RedisWebhookLog } from '../lib/redis';
import { FattureInCloudWebhooks, MemoryWebhookLog, type WebhookLog } from '../lib/webhooks/index';
import { Backends } from './support/backends';
import { stopServers } from './support/servers';
import { serve, type Served } from './support/loopback';
import { postEvent, signFor, testEvent, testKey } from './support/webhooks';

/**
 * One suite every webhook log runs (as keyv's one suite runs every backend):
 * the claim protocol, then 4 receivers, each on connections of its own as
 * 4 processes would be, taking the same event at once.
 */

interface Opened {
  log: WebhookLog;
  close(): Promise<void>;
}

interface LogBackend {
  name: string;
  /** A "process": a log on connections of its own. */
  open(): Promise<Opened>;
  /** Whether its processes share what they log (memory does not). */
  shared: boolean;
}

let servers: Backends | undefined;
const target = (name: string) => Backends.list(() => servers as Backends).find((backend) => backend.name === name)!.target();

const SHARED: LogBackend[] = [
  {
    name: 'RedisWebhookLog, node-redis',
    shared: true,
    open: async () => {
      const { url } = target('Redis, node-redis') as { url: string };
      const client = await createClient({ url }).connect();
      return { log: new RedisWebhookLog({ client }), close: () => client.close() };
    },
  },
  {
    name: 'RedisWebhookLog, ioredis Cluster',
    shared: true,
    open: async () => {
      const { nodes } = target('Redis Cluster, ioredis Cluster') as { nodes: { host: string; port: number }[] };
      const cluster = new IORedis.Cluster(nodes);
      await new Promise((resolve) => cluster.once('ready', resolve));
      return { log: new RedisWebhookLog({ client: cluster, prefix: 'hooks:' }), close: async () => { await cluster.quit(); } };
    },
  },
  {
    name: 'PostgresWebhookLog',
    shared: true,
    open: async () => {
      const { url } = target('PostgreSQL') as { url: string };
      const pool = new Pool({ connectionString: url, max: 4 });
      const log = new PostgresWebhookLog({ pool });
      await log.createTables();
      return { log, close: () => pool.end() };
    },
  },
];

describe('webhook logs: in memory', () => {
  const memory = new MemoryWebhookLog();
  logSuite({ name: 'MemoryWebhookLog', shared: false, open: () => Promise.resolve({ log: memory, close: () => Promise.resolve() }) });
});

describe('webhook logs: shared by every process, on Redis and PostgreSQL', function () {
  this.timeout(60_000);
  before(async function () {
    servers = await Backends.start(this);
  });
  after(() => stopServers(servers));
  for (const backend of SHARED) logSuite(backend);
});

function logSuite(backend: LogBackend): void {
  describe(backend.name, () => {
    let opened: Opened[] = [];
    const open = async (): Promise<WebhookLog> => {
      const each = await backend.open();
      opened.push(each);
      return each.log;
    };
    afterEach(async () => {
      await Promise.all(opened.map((each) => each.close()));
      opened = [];
    });
    const id = (): string => `198:${Math.random().toString(36).slice(2)}`;

    it('claims an id once: busy while claimed, done once complete', async () => {
      const [a, b] = [await open(), backend.shared ? await open() : await open()];
      const event = id();
      expect(await a.claim(event, 'one', 10_000)).to.equal('claimed');
      expect(await b.claim(event, 'two', 10_000)).to.equal('busy');
      await a.complete(event, 10_000);
      expect(await b.claim(event, 'two', 10_000)).to.equal('done');
    });

    it('a release by its owner frees the id; by anyone else, nothing', async () => {
      const log = await open();
      const event = id();
      await log.claim(event, 'one', 10_000);
      await log.release(event, 'two');
      expect(await log.claim(event, 'two', 10_000)).to.equal('busy');
      await log.release(event, 'one');
      expect(await log.claim(event, 'two', 10_000)).to.equal('claimed');
    });

    it('a claim lapses after its lease unless renewed by its owner; a done id after its keep', async () => {
      const log = await open();
      const [lapsing, renewed, kept] = [id(), id(), id()];
      await log.claim(lapsing, 'one', 150);
      await log.claim(renewed, 'one', 150);
      await sleep(80);
      expect(await log.renew(renewed, 'one', 400)).to.equal(true);
      expect(await log.renew(renewed, 'two', 400)).to.equal(false);
      await sleep(120);
      expect(await log.claim(lapsing, 'two', 10_000)).to.equal('claimed');
      expect(await log.claim(renewed, 'two', 10_000)).to.equal('busy');
      await log.complete(kept, 100);
      await sleep(150);
      expect(await log.claim(kept, 'two', 10_000)).to.equal('claimed');
    });

    if (!backend.shared) return;
    it('the same event delivered to 4 processes at once: the handler runs exactly once, and all 4 answer 200 once it is handled', async () => {
      const key = testKey();
      const receivers: Served[] = [];
      let runs = 0;
      let handled = false;
      try {
        const sinks: string[] = [];
        for (let index = 0; index < 4; index += 1) {
          const log = await open();
          const mounted: { webhooks?: FattureInCloudWebhooks } = {};
          const listening = await serve((req, res) => mounted.webhooks?.handler(req, res));
          receivers.push(listening);
          // One public sink (a load balancer's), four processes behind it.
          const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', path: '/hooks', keys: key.publicKey, dedupe: log });
          webhooks.on('it.fattureincloud.webhooks.entities.clients.create', async () => {
            runs += 1;
            await sleep(150);
            handled = true;
          });
          mounted.webhooks = webhooks;
          sinks.push(`${listening.baseURL}/hooks`);
        }
        const event = testEvent();
        const token = await signFor(key.privateKey, 'https://app.example/hooks', event);
        const answers = await Promise.all(sinks.map((sink) => postEvent(sink, event, token).then(({ status }) => [status, handled])));
        expect(runs).to.equal(1);
        expect(answers).to.deep.equal([[200, true], [200, true], [200, true], [200, true]]);
      } finally {
        await Promise.all(receivers.map((each) => each.close()));
      }
    });

    it('a handling that failed in one process runs again in another', async () => {
      const key = testKey();
      const [first, second] = [await open(), await open()];
      const calls: string[] = [];
      const receiverOn = (log: WebhookLog, name: string, fail: boolean) =>
        new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey, dedupe: log }).onAny(() => {
          calls.push(name);
          if (fail) throw new Error('down');
        });
      const event = testEvent();
      const token = await signFor(key.privateKey, 'https://app.example/hooks', event);
      const request = { method: 'POST', url: '/hooks', headers: { authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject }, body: '{"data":{"ids":[1]}}' };
      expect((await receiverOn(first, 'first', true).receive(request)).status).to.equal(500);
      expect((await receiverOn(second, 'second', false).receive(request)).status).to.equal(200);
      expect((await receiverOn(first, 'first', false).receive(request)).status).to.equal(200);
      expect(calls).to.deep.equal(['first', 'second']);
    });

    it('refuses bad options early', () => {
      expect(() => new RedisWebhookLog(undefined as never)).to.throw(TypeError, /Redis client/);
      expect(() => new RedisWebhookLog({ client: createClient(), prefix: 5 as never })).to.throw(TypeError, /prefix/);
      expect(() => new PostgresWebhookLog({ pool: {} as never })).to.throw(TypeError, /pg Pool/);
      expect(() => new PostgresWebhookLog({ pool: new Pool(), table: 'a;b' })).to.throw(TypeError, /table/);
    });
  });
}
