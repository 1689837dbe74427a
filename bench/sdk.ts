import { ClientsApi, Configuration } from '@fattureincloud/fattureincloud-ts-sdk';
import { FattureInCloudTokens, MemoryTokenStore } from 'passport-fattureincloud';
import { fattureInCloudSDK } from 'passport-fattureincloud/sdk';
import { startProvider } from './provider-process';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:sdk`: API calls through `fattureInCloudSDK(...).api(ClientsApi)`
 * with a fresh stored set, against the SDK alone with a plain string token, on
 * the same bench-local provider (its own process) at the same latency.
 * Alternating rounds, medians.
 */
const CALLS = 5_000;
const CONCURRENCY = 50;
const ROUNDS = 5;
const LATENCY_MS = 5;
const COMPANY = 12345;
const ACCESS_TOKEN = 'a/bench-access-token-for-the-sdk';

function callsPerSecond(call: () => Promise<unknown>): Promise<number> {
  return perSecond(CALLS, CONCURRENCY, call);
}

async function main(): Promise<void> {
  const provider = await startProvider();
  try {
    await provider.control(`latency=${LATENCY_MS}`);
    const tokens = new FattureInCloudTokens({ clientID: 'bench', clientSecret: 'bench-secret', baseURL: provider.baseURL, store: new MemoryTokenStore() });
    await tokens.save('user-1', { accessToken: ACCESS_TOKEN, refreshToken: 'r/bench-refresh-token-0', tokenType: 'bearer', expiresIn: 86_400, expiresAt: Date.now() + 86_400_000 });
    const bound = fattureInCloudSDK({ tokens, key: 'user-1' }).api(ClientsApi);
    const bare = new ClientsApi(new Configuration({ accessToken: ACCESS_TOKEN, basePath: provider.baseURL }));
    // Warm both up: sockets, JIT.
    await callsPerSecond(() => bound.listClients(COMPANY));
    await callsPerSecond(() => bare.listClients(COMPANY));
    const rounds: { bare: number; bound: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({ bare: await callsPerSecond(() => bare.listClients(COMPANY)), bound: await callsPerSecond(() => bound.listClients(COMPANY)) });
    }
    const bareRate = percentile(rounds.map((r) => r.bare), 0.5);
    const boundRate = percentile(rounds.map((r) => r.bound), 0.5);
    const rows = [
      [`\`fic.api(ClientsApi).listClients\`, fresh stored set (MemoryTokenStore), concurrency ${CONCURRENCY}, provider latency ${LATENCY_MS} ms, median of ${ROUNDS} rounds of ${CALLS}`, `${boundRate.toFixed(0)}/s (${(boundRate / bareRate).toFixed(2)}× the SDK alone)`, '≥ 0.9× the SDK alone'],
      ['the SDK alone, `accessToken` a plain string (the reference)', `${bareRate.toFixed(0)}/s`, 'n/a'],
      ['token requests during the run', String(await provider.tokenRequests()), '0'],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    const perRound = rounds.map((r) => `${r.bare.toFixed(0)}/${r.bound.toFixed(0)}`).join(', ');
    writeSection(
      'sdk',
      `## API calls through the SDK binding (\`npm run bench:sdk\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, loopback, bench-local provider in its own process (\`bench/provider.ts\`).\nRounds (SDK alone/bound calls per second): ${perRound}.\n\n${table}`,
    );
  } finally {
    provider.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
