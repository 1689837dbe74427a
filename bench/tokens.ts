import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { FattureInCloudTokens } from 'passport-fattureincloud';
import { RedisTokenStore } from 'passport-fattureincloud/redis';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { RedisServer } from '../test/support/redis-server';
import { expiring, grantAtStandIn } from '../test/support/stand-in-login';
import { runWorkers } from '../test/support/workers';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:tokens`: the token store on a private redis-server.
 * 1. `tokens.get` of a fresh set against a bare node-redis GET of the same key,
 *    at concurrency 50, plain and sealed (alternating rounds, medians).
 * 2. A refresh storm across 4 processes: token requests, and how long waiters
 *    take beyond the refresh itself (p50, p99).
 */
const OPERATIONS = 20_000;
const CONCURRENCY = 50;
const ROUNDS = 5;
const STORM_PROCESSES = 4;
const STORM_CALLERS = 50;
const STORM_RUNS = 5;
const PROVIDER_LATENCY_MS = 100;
const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

function opsPerSecond(operation: () => Promise<unknown>): Promise<number> {
  return perSecond(OPERATIONS, CONCURRENCY, operation);
}

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const credentials = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL };
    const tokenSet = await grantAtStandIn(standIn, REDIRECT);
    const storm = new FattureInCloudTokens({ ...credentials, store: new RedisTokenStore({ client }) });
    const plain = new FattureInCloudTokens({ ...credentials, store: new RedisTokenStore({ client, prefix: 'plain:' }) });
    const sealed = new FattureInCloudTokens({ ...credentials, store: new RedisTokenStore({ client, prefix: 'sealed:', encryptionKey: randomBytes(32) }) });
    await plain.save('user-1', tokenSet);
    await sealed.save('user-1', tokenSet);
    const rounds: { bare: number; plain: number; sealed: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({
        bare: await opsPerSecond(() => client.get('plain:{user-1}')),
        plain: await opsPerSecond(() => plain.get('user-1')),
        sealed: await opsPerSecond(() => sealed.get('user-1')),
      });
    }
    const median = (pick: (round: (typeof rounds)[number]) => number) => percentile(rounds.map(pick), 0.5);
    const [bare, plainRate, sealedRate] = [median((r) => r.bare), median((r) => r.plain), median((r) => r.sealed)];

    standIn.latency = PROVIDER_LATENCY_MS;
    const storms: { requests: number; refresh: number; p50: number; p99: number; failures: number }[] = [];
    for (let run = 0; run < STORM_RUNS; run++) {
      await storm.save('storm', expiring(await grantAtStandIn(standIn, REDIRECT)));
      const before = standIn.stats.tokenRequests;
      const config = { redisURL: redis.url, key: 'storm', concurrency: STORM_CALLERS, ...credentials };
      const results = await runWorkers(Array.from({ length: STORM_PROCESSES }, () => ({ ...config })));
      const outcomes = results.flatMap((outcome) => outcome ?? []);
      // The holder's process finishes first: its callers share the refresh itself.
      const durations = outcomes.map((outcome) => outcome.ms);
      const refresh = Math.min(...durations);
      storms.push({
        requests: standIn.stats.tokenRequests - before,
        refresh,
        p50: percentile(durations, 0.5) - refresh,
        p99: percentile(durations, 0.99) - refresh,
        failures: outcomes.filter((outcome) => !outcome.ok).length,
      });
    }
    const worst = (pick: (storm: (typeof storms)[number]) => number) => Math.max(...storms.map(pick));
    const rows = [
      [`\`get\` of a fresh set, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds of ${OPERATIONS}: plain JSON`, `${plainRate.toFixed(0)}/s (${(plainRate / bare).toFixed(2)}× bare GET)`, '≥ 0.8× bare GET'],
      ['same, sealed with AES-256-GCM', `${sealedRate.toFixed(0)}/s (${(sealedRate / bare).toFixed(2)}× bare GET)`, '≥ 0.8× bare GET'],
      ['bare node-redis `GET` of the same key (the reference)', `${bare.toFixed(0)}/s`, 'n/a'],
      [`refresh storm, ${STORM_PROCESSES} processes × ${STORM_CALLERS} concurrent \`get\`, provider latency ${PROVIDER_LATENCY_MS} ms: token requests per storm (${STORM_RUNS} storms)`, storms.map((storm) => storm.requests).join(', '), '1'],
      ['failed `get` calls over all storms', String(storms.reduce((sum, storm) => sum + storm.failures, 0)), '0'],
      ['the refresh itself (holder: read, lock, read, token request, compare-and-set), per storm', storms.map((storm) => `${storm.refresh} ms`).join(', '), 'n/a'],
      ['waiters beyond the refresh, p50 / p99 (worst storm)', `+${worst((s) => s.p50)} / +${worst((s) => s.p99)} ms`, 'p99 ≤ +100 ms'],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    const rates = rounds.map((r) => `${r.bare.toFixed(0)}/${r.plain.toFixed(0)}/${r.sealed.toFixed(0)}`).join(', ');
    writeSection(
      'tokens',
      `## Token store (\`npm run bench:tokens\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, redis-server ${await serverVersion(client)} on loopback, the stand-in in the bench process, workers in their own processes (\`test/support/token-worker.ts\`).\nRounds (bare/plain/sealed ops/s): ${rates}.\n\n${table}`,
    );
  } finally {
    await client.close();
    await standIn.close();
    await redis.stop();
  }
}

async function serverVersion(client: { info(section: string): Promise<string> }): Promise<string> {
  return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
