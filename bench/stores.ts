import IORedis from 'ioredis';
import { Pool } from 'pg';
import { FattureInCloudTokens, MemoryTokenStore } from 'passport-fattureincloud';
import { PostgresTokenStore } from 'passport-fattureincloud/postgres';
import { RedisTokenStore } from 'passport-fattureincloud/redis';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { PostgresServer } from '../test/support/postgres-server';
import { RedisServer } from '../test/support/redis-server';
import { expiring, grantAtStandIn } from '../test/support/stand-in-login';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:stores`: `tokens.get` of a fresh set at concurrency 50 through
 * ioredis against a bare ioredis GET of the same key, and through
 * PostgresTokenStore against a bare SELECT of the same row (alternating rounds,
 * medians); then how soon a dead grant is said with MemoryTokenStore, against
 * the refused request's own time.
 */
const OPERATIONS = 10_000;
const CONCURRENCY = 50;
const ROUNDS = 15;
const DEAD_GRANT_RUNS = 10;
const PROVIDER_LATENCY_MS = 50;
const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

function opsPerSecond(operation: () => Promise<unknown>, operations = OPERATIONS): Promise<number> {
  return perSecond(operations, CONCURRENCY, operation);
}

/** Rounds of both, the order swapped every round; the ratio is the median of each round's own ratio, so a noisy round moves both sides. */
async function alternate(bare: () => Promise<unknown>, ours: () => Promise<unknown>, operations?: number): Promise<{ bare: number; ours: number; ratio: number; rounds: string }> {
  await opsPerSecond(bare, 2_000);
  await opsPerSecond(ours, 2_000);
  const rounds: { bare: number; ours: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) rounds.push({ bare: await opsPerSecond(bare, operations), ours: await opsPerSecond(ours, operations) });
    else rounds.push({ ours: await opsPerSecond(ours, operations), bare: await opsPerSecond(bare, operations) });
  }
  return {
    bare: percentile(rounds.map((r) => r.bare), 0.5),
    ours: percentile(rounds.map((r) => r.ours), 0.5),
    ratio: percentile(rounds.map((r) => r.ours / r.bare), 0.5),
    rounds: rounds.map((r) => `${r.bare.toFixed(0)}/${r.ours.toFixed(0)}`).join(', '),
  };
}

function signed(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${Math.abs(ms).toFixed(1)}`;
}

async function main(): Promise<void> {
  const [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
  const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
  const ioredis = new IORedis(redis.url);
  const pool = new Pool({ connectionString: postgres.url, max: 10 });
  try {
    const credentials = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL };
    const tokenSet = await grantAtStandIn(standIn, REDIRECT);

    const redisTokens = new FattureInCloudTokens({ ...credentials, store: new RedisTokenStore({ client: ioredis }) });
    await redisTokens.save('user-1', tokenSet);
    const onRedis = await alternate(() => ioredis.get('fic:tokens:{user-1}'), () => redisTokens.get('user-1'));

    const postgresStore = new PostgresTokenStore({ pool });
    await postgresStore.createTables();
    const postgresTokens = new FattureInCloudTokens({ ...credentials, store: postgresStore });
    await postgresTokens.save('user-1', tokenSet);
    const onPostgres = await alternate(() => pool.query('SELECT value FROM "fic_tokens" WHERE key = $1', ['user-1']), () => postgresTokens.get('user-1'), 5_000);

    standIn.latency = PROVIDER_LATENCY_MS;
    const beyond: number[] = [];
    for (let run = 0; run < DEAD_GRANT_RUNS; run++) {
      const tokens = new FattureInCloudTokens({ ...credentials, store: new MemoryTokenStore() });
      const dead = await grantAtStandIn(standIn, REDIRECT);
      await tokens.save('user-1', expiring(dead));
      standIn.revokeRefreshToken(dead.refreshToken);
      // The refused request's own time, measured alone.
      const requestStarted = performance.now();
      await fetch(`${standIn.baseURL}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: standIn.clientID, client_secret: standIn.clientSecret, refresh_token: 'r/not-a-live-one-000000' }) }).then((response) => response.text());
      const requestMs = performance.now() - requestStarted;
      const started = performance.now();
      await tokens.get('user-1').catch(() => undefined);
      beyond.push(performance.now() - started - requestMs);
    }

    const rows = [
      [`\`get\` of a fresh set through ioredis, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds of ${OPERATIONS}`, `${onRedis.ours.toFixed(0)}/s (${onRedis.ratio.toFixed(2)}× bare GET, median of the rounds' ratios)`, '≥ 0.8× bare ioredis GET'],
      ['bare ioredis `GET` of the same key (the reference)', `${onRedis.bare.toFixed(0)}/s`, 'n/a'],
      [`\`get\` of a fresh set through PostgresTokenStore (pool of 10), concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds of 5000`, `${onPostgres.ours.toFixed(0)}/s (${onPostgres.ratio.toFixed(2)}× bare SELECT, median of the rounds' ratios)`, '≥ 0.8× bare SELECT'],
      ['bare `SELECT value FROM fic_tokens WHERE key = $1` on the same pool (the reference)', `${onPostgres.bare.toFixed(0)}/s`, 'n/a'],
      [`first dead-grant rejection with MemoryTokenStore beyond the refused request's own time (provider latency ${PROVIDER_LATENCY_MS} ms, ${DEAD_GRANT_RUNS} runs), median / worst`, `${signed(percentile(beyond, 0.5))} / ${signed(Math.max(...beyond))} ms`, '≤ +50 ms'],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    writeSection(
      'stores',
      `## Stores (\`npm run bench:stores\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, a private redis-server and PostgreSQL 15 on loopback, the stand-in in the bench process.\nRounds (bare/ours ops/s), ioredis: ${onRedis.rounds}; PostgreSQL: ${onPostgres.rounds}.\n\n${table}`,
    );
  } finally {
    ioredis.disconnect();
    await pool.end();
    await standIn.close();
    await Promise.all([redis.stop(), postgres.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
