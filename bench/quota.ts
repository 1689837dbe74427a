import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { createClient } from 'redis';
import { FattureInCloudQuota, FattureInCloudTokens, MemoryTokenStore } from 'passport-fattureincloud';
import { RedisQuotaStore } from 'passport-fattureincloud/redis';
import { fattureInCloudSDK } from 'passport-fattureincloud/sdk';
import { RedisServer } from '../test/support/redis-server';
import { startProvider } from './provider-process';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:quota`: API calls through the SDK binding with a
 * FattureInCloudQuota on a private redis-server (one script per call before
 * it is sent, one correction after) against the same calls without a quota,
 * on the same bench-local provider at the same latency, in one run.
 * Alternating rounds, medians. Goal: at least 0.9× the throughput.
 */
const CALLS = 5_000;
const CONCURRENCY = 50;
const ROUNDS = 5;
const LATENCY_MS = 5;
const COMPANY = 12345;

async function main(): Promise<void> {
  const provider = await startProvider();
  const redis = await RedisServer.start();
  const client = await createClient({ url: redis.url }).connect();
  try {
    await provider.control(`latency=${LATENCY_MS}`);
    const tokens = new FattureInCloudTokens({ clientID: 'bench', clientSecret: 'bench-secret', baseURL: provider.baseURL, store: new MemoryTokenStore() });
    await tokens.save('user-1', { accessToken: 'a/bench-access-token-for-the-quota', refreshToken: 'r/bench-refresh-token-0', tokenType: 'bearer', expiresIn: 86_400, expiresAt: Date.now() + 86_400_000 });
    // A budget no round spends: the bench measures the bookkeeping, not refusals.
    const quota = new FattureInCloudQuota({ store: new RedisQuotaStore({ client }), perHour: 10_000_000, perMonth: 100_000_000 });
    const withQuota = fattureInCloudSDK({ tokens, key: 'user-1', quota }).api(ClientsApi);
    const without = fattureInCloudSDK({ tokens, key: 'user-1' }).api(ClientsApi);
    const rate = (api: ClientsApi): Promise<number> => perSecond(CALLS, CONCURRENCY, () => api.listClients(COMPANY));
    await rate(withQuota);
    await rate(without);
    const rounds: { without: number; withQuota: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push({ without: await rate(without), withQuota: await rate(withQuota) });
    const withoutRate = percentile(rounds.map((r) => r.without), 0.5);
    const withRate = percentile(rounds.map((r) => r.withQuota), 0.5);
    const { hour } = await quota.remaining(COMPANY);
    const rows = [
      [`\`fic.api(ClientsApi).listClients\` with \`quota\` on Redis, concurrency ${CONCURRENCY}, provider latency ${LATENCY_MS} ms, median of ${ROUNDS} rounds of ${CALLS}`, `${withRate.toFixed(0)}/s (${(withRate / withoutRate).toFixed(2)}× without)`, '≥ 0.9× without'],
      ['the same calls without a quota (the reference)', `${withoutRate.toFixed(0)}/s`, 'n/a'],
      ['units the quota counted this hour', String(hour.limit - hour.remaining), `${CALLS * (ROUNDS + 1)} (every call through it)`],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    const perRound = rounds.map((r) => `${r.without.toFixed(0)}/${r.withQuota.toFixed(0)}`).join(', ');
    writeSection(
      'quota',
      `## Calls with a shared quota (\`npm run bench:quota\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, loopback, bench-local provider in its own process, a private redis-server.\nRounds (without/with quota, calls per second): ${perRound}.\n\n${table}`,
    );
  } finally {
    await client.close();
    await redis.stop();
    provider.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
