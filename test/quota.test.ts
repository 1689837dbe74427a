import diagnosticsChannel from 'node:diagnostics_channel';
import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { Pool } from 'pg';
import { createClient, createCluster } from 'redis';
import IORedis from 'ioredis';
import { CHANNELS, FattureInCloudQuota, FattureInCloudQuotaError, FattureInCloudTokens, type FattureInCloudTokenSet, MemoryQuotaStore, type QuotaEvent, type QuotaStore } from '../lib/index';
import { PostgresQuotaStore } from '../lib/postgres';
import { RedisQuotaStore } from '../lib/redis';
import { fattureInCloudSDK, type FattureInCloudSDKOptions } from '../lib/sdk/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn, type StandInQuotaOptions } from '../lib/testing/index';
import { Backends } from './support/backends';
import { stopServers } from './support/servers';
import { grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const COMPANY = 12345;
const HOUR = 3_600_000;

/** A "process": a quota store on connections of its own, closed after the test. */
interface Opened {
  store: QuotaStore;
  close(): Promise<void>;
}

type Opener = () => Promise<Opened>;

let servers: Backends | undefined;

/** Every backend the quota runs on: one process's memory, Redis (node-redis, ioredis), a Redis Cluster, PostgreSQL. */
function backends(): { name: string; open: () => Opener; clear: () => Promise<void> }[] {
  const target = (name: string) => Backends.list(() => servers as Backends).find((backend) => backend.name === name)!.target();
  return [
    {
      name: 'MemoryQuotaStore (one process, shared by its callers)',
      open: () => {
        const store = new MemoryQuotaStore();
        return () => Promise.resolve({ store, close: () => Promise.resolve() });
      },
      clear: () => Promise.resolve(),
    },
    {
      name: 'RedisQuotaStore, node-redis',
      open: () => async () => {
        const { url } = target('Redis, node-redis') as { url: string };
        const client = await createClient({ url }).connect();
        return { store: new RedisQuotaStore({ client, prefix: 'q:' }), close: () => client.close() };
      },
      clear: async () => {
        const { url } = target('Redis, node-redis') as { url: string };
        const client = await createClient({ url }).connect();
        await client.flushAll();
        await client.close();
      },
    },
    {
      name: 'RedisQuotaStore, ioredis Cluster',
      open: () => async () => {
        const { nodes } = target('Redis Cluster, ioredis Cluster') as { nodes: { host: string; port: number }[] };
        const cluster = new IORedis.Cluster(nodes);
        await new Promise((resolve) => cluster.once('ready', resolve));
        return { store: new RedisQuotaStore({ client: cluster }), close: async () => { await cluster.quit(); } };
      },
      clear: async () => {
        const { nodes } = target('Redis Cluster, node-redis createCluster') as { nodes: { host: string; port: number }[] };
        const cluster = await createCluster({ rootNodes: nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) }).connect();
        await Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).flushAll()));
        await cluster.close();
      },
    },
    {
      name: 'PostgresQuotaStore',
      open: () => async () => {
        const { url } = target('PostgreSQL') as { url: string };
        const pool = new Pool({ connectionString: url, max: 4 });
        const store = new PostgresQuotaStore({ pool });
        await store.createTables();
        return { store, close: () => pool.end() };
      },
      clear: async () => {
        const { url } = target('PostgreSQL') as { url: string };
        const pool = new Pool({ connectionString: url });
        const store = new PostgresQuotaStore({ pool });
        // Several processes creating the table at once: each succeeds.
        await Promise.all([store.createTables(), store.createTables(), store.createTables()]);
        await pool.query('TRUNCATE fic_quota');
        await pool.end();
      },
    },
  ];
}

describe('FattureInCloudQuota: one budget for every process, in memory', function () {
  this.timeout(60_000);
  for (const backend of backends().slice(0, 1)) quotaSuite(backend);
});

describe('FattureInCloudQuota: one budget for every process, on every shared store', function () {
  this.timeout(120_000);
  // Not run (or failed, under CI) without Redis and PostgreSQL.
  before(async function () {
    servers = await Backends.start(this);
  });
  after(() => stopServers(servers));
  for (const backend of backends().slice(1)) quotaSuite(backend);
});

function quotaSuite(backend: ReturnType<typeof backends>[number]): void {
  describe(backend.name, () => {
    const realNow = Date.now.bind(Date);
    let offset = 0;

    beforeEach(() => {
      offset = 0;
      // Each process's clock, and the stand-in's, moved together.
      Date.now = () => realNow() + offset;
    });
    afterEach(() => {
      Date.now = realNow;
    });

    let standIn: FattureInCloudStandIn;
    let initial: FattureInCloudTokenSet;
    let opened: Opened[] = [];
    let open: Opener;

    async function start(quota: StandInQuotaOptions): Promise<void> {
      // A second past the top of an hour: no window turns while the test runs, unless it moves the clock.
      const now = realNow();
      offset = Math.ceil(now / HOUR) * HOUR + 1_000 - now;
      standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, quota });
      initial = await grantAtStandIn(standIn, REDIRECT, 'entity.clients:a');
    }

    /** One process: its own token manager, its own quota on its own store connection, its own binding. */
    async function process_(budget: { perHour: number; perMonth?: number }, options: Partial<FattureInCloudSDKOptions> = {}) {
      const each = await open();
      opened.push(each);
      const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
      await tokens.save('user-1', initial);
      const quota = new FattureInCloudQuota({ store: each.store, perHour: budget.perHour, perMonth: budget.perMonth ?? 40_000 });
      const fic = fattureInCloudSDK({ tokens, key: 'user-1', quota, ...options });
      return { quota, clients: fic.api(ClientsApi), tokens };
    }

    beforeEach(async () => {
      await backend.clear();
      open = backend.open();
      opened = [];
    });
    afterEach(async () => {
      await Promise.all(opened.map((each) => each.close()));
      await standIn.close();
    });

    it('the store itself: takes up to the ceilings, corrections only raise, a later pause stands, a new window starts at zero', async () => {
      standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
      const { store } = await open().then((each) => (opened.push(each), each));
      const now = realNow();
      const windows = { bucket: 'company:7', now, hour: 100, hourEndsAt: now + HOUR, month: '2026-01', monthEndsAt: now + 10 * HOUR };
      const take = (more: Partial<typeof windows> = {}) => store.take({ ...windows, ...more, hourCeiling: 2, monthCeiling: 3 });
      expect(await take()).to.deep.equal({ granted: true });
      expect(await take()).to.deep.equal({ granted: true });
      expect(await take()).to.deep.equal({ granted: false, reason: 'hour' });
      expect(await take({ hour: 101 })).to.deep.equal({ granted: true });
      expect(await take({ hour: 102 })).to.deep.equal({ granted: false, reason: 'month' });
      await store.correct({ ...windows, hour: 102, month: '2026-02', hourSpent: 1, monthSpent: 2 });
      await store.correct({ ...windows, hour: 102, month: '2026-02', hourSpent: 0, monthSpent: undefined });
      expect(await store.read('company:7', { hour: 102, month: '2026-02' })).to.deep.include({ hourSpent: 1, monthSpent: 2 });
      await store.pause('company:7', now + 5_000, 'month');
      await store.pause('company:7', now + 1_000, 'hour');
      expect(await take({ hour: 103, month: '2026-03' })).to.deep.equal({ granted: false, reason: 'paused', until: now + 5_000, window: 'month' });
      expect((await store.read('company:7', { hour: 103, month: '2026-03' })).pausedUntil).to.equal(now + 5_000);
      expect(await store.read('company:unknown', { hour: 1, month: 'x' })).to.deep.equal({ hourSpent: 0, monthSpent: 0, pausedUntil: 0 });
      expect(await take({ bucket: 'company:8', hour: 103, month: '2026-03', now: now + 6_000 })).to.deep.equal({ granted: true });
    });

    it('4 processes x (2 background loops + 1 interactive caller), 300 an hour over 2 hours: nothing refused, every click served, the jobs use the budget less the reserve', async () => {
      await start({ perHour: 300 });
      const processes = await Promise.all([0, 1, 2, 3].map(() => process_({ perHour: 300 })));
      const background = await Promise.all([0, 1, 2, 3].map(() => process_({ perHour: 300 }, { priority: 'background' })));
      for (let hour = 0; hour < 2; hour++) {
        const before = standIn.quotaSpent(COMPANY).hour;
        expect(before).to.equal(0);
        let jobCalls = 0;
        let clicksServed = 0;
        const loop = async (clients: ClientsApi): Promise<void> => {
          for (;;) {
            try {
              await clients.listClients(COMPANY);
              jobCalls += 1;
            } catch (error) {
              expect(error).to.be.instanceOf(FattureInCloudQuotaError);
              return;
            }
          }
        };
        const clicks = async (clients: ClientsApi): Promise<void> => {
          for (let click = 0; click < 5; click++) {
            await clients.listClients(COMPANY);
            clicksServed += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        };
        await Promise.all([...background.flatMap(({ clients }) => [loop(clients), loop(clients)]), ...processes.map(({ clients }) => clicks(clients))]);
        const spent = standIn.quotaSpent(COMPANY).hour;
        console.log(`        hour ${hour + 1}: jobs sent ${jobCalls}, clicks ${clicksServed}/20, the stand-in counted ${spent}`);
        expect(clicksServed).to.equal(20);
        // The reserve is 10% of 300: the jobs stop at 270 spent by every lane, clicks included.
        expect(jobCalls).to.be.at.least(Math.ceil(0.85 * 270)).and.at.most(270 - clicksServed);
        expect(standIn.stats.refusedForQuota, 'the stand-in refused nothing for quota').to.equal(0);
        const remaining = await processes[0]!.quota.remaining(COMPANY);
        expect(remaining.hour.remaining).to.equal(300 - spent);
        // The next hour: every process's clock and the stand-in's.
        offset += HOUR;
      }
    });

    it('40 concurrent calls from 4 processes for a budget of 20 send exactly 20', async () => {
      await start({ perHour: 1000 });
      const processes = await Promise.all([0, 1, 2, 3].map(() => process_({ perHour: 20 })));
      const outcomes = await Promise.all(processes.flatMap(({ clients }) => Array.from({ length: 10 }, () => clients.listClients(COMPANY).then(() => 'sent', (error: unknown) => (error instanceof FattureInCloudQuotaError ? error.code : 'other')))));
      expect(outcomes.filter((outcome) => outcome === 'sent')).to.have.length(20);
      expect(outcomes.filter((outcome) => outcome === 'quota_exhausted')).to.have.length(20);
      expect(standIn.quotaSpent(COMPANY).hour).to.equal(20);
    });

    it('a budget already half spent by a process of the same app without the quota is found after the first answer', async () => {
      await start({ perHour: 100 });
      const plain = fattureInCloudSDK({ tokens: (await process_({ perHour: 100 })).tokens, key: 'user-1' }).api(ClientsApi);
      for (let call = 0; call < 50; call++) await plain.listClients(COMPANY);
      const { quota, clients } = await process_({ perHour: 100 });
      await clients.listClients(COMPANY);
      expect((await quota.remaining(COMPANY)).hour.remaining).to.equal(49);
      let sent = 0;
      while (await clients.listClients(COMPANY).then(() => true, () => false)) sent += 1;
      expect(sent).to.equal(49);
      expect(standIn.quotaSpent(COMPANY).hour).to.equal(100);
    });

    it('after a 429, 19 callers on 4 processes send nothing until Retry-After has passed, then succeed; after a quota 403 they reject at once', async () => {
      await start({ perHour: 1000 });
      const processes = await Promise.all([0, 1, 2, 3].map(() => process_({ perHour: 1000 }, { wait: { maxWait: 5_000 } })));
      const paused: QuotaEvent[] = [];
      const onPaused = (event: unknown): void => void paused.push(event as QuotaEvent);
      diagnosticsChannel.subscribe(CHANNELS.quotaPaused, onPaused);
      try {
        standIn.failNext(1, { type: 'rate-limited', retryAfter: 1 });
        const first = processes[0]!.clients.listClients(COMPANY);
        while (paused.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const requestsAtPause = standIn.stats.apiRequests;
        const started = realNow();
        const others = Array.from({ length: 19 }, (_, index) => processes[index % 4]!.clients.listClients(COMPANY).then(() => realNow() - started));
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(standIn.stats.apiRequests, 'nothing sent while paused').to.equal(requestsAtPause);
        const waited = await Promise.all(others);
        await first;
        expect(Math.min(...waited)).to.be.at.least(300);
        expect(paused[0]).to.deep.include({ companyID: COMPANY, window: 'hour' });
      } finally {
        diagnosticsChannel.unsubscribe(CHANNELS.quotaPaused, onPaused);
      }
      const rejecting = await Promise.all([0, 1, 2, 3].map(() => process_({ perHour: 1000 })));
      standIn.failNext(1, { type: 'quota-exceeded', retryAfter: 3000 });
      const refused = await rejecting[0]!.clients.listClients(COMPANY).catch((error: unknown) => error);
      expect(refused).to.include({ status: 403 });
      const requests = standIn.stats.apiRequests;
      const errors = await Promise.all(Array.from({ length: 19 }, (_, index) => rejecting[index % 4]!.clients.listClients(COMPANY).catch((error: unknown) => error)));
      for (const error of errors) {
        expect(error).to.be.instanceOf(FattureInCloudQuotaError);
        expect(error).to.include({ code: 'quota_exhausted', window: 'hour' });
        expect((error as FattureInCloudQuotaError).retryAfter).to.be.within(2990, 3000);
      }
      expect(standIn.stats.apiRequests).to.equal(requests);
    });
  });
}
