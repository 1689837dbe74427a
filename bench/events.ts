import diagnosticsChannel from 'node:diagnostics_channel';
import { CHANNELS, FattureInCloudTokens, MemoryTokenStore } from 'passport-fattureincloud';
import { ourStrategy, startApp } from './apps';
import { startProvider } from './provider-process';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:events`: logins and `tokens.get` with one subscriber on every
 * channel against none, in alternating rounds (medians of each round's ratio).
 * With no subscriber the package builds no payload at all.
 */
const ROUNDS = 7;
const LOGINS = 2_000;
const GETS = 200_000;
const CONCURRENCY = 20;

function subscribeAll(): () => void {
  let seen = 0;
  const handler = (): void => void (seen += 1);
  for (const channel of Object.values(CHANNELS)) diagnosticsChannel.subscribe(channel, handler);
  return () => {
    for (const channel of Object.values(CHANNELS)) diagnosticsChannel.unsubscribe(channel, handler);
  };
}

async function compare(measure: () => Promise<number>): Promise<{ none: number; all: number; ratio: number }> {
  await measure();
  const rounds: { none: number; all: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const none = await measure();
    const unsubscribe = subscribeAll();
    const all = await measure().finally(unsubscribe);
    rounds.push(round % 2 === 0 ? { none, all } : { all, none });
  }
  return { none: percentile(rounds.map((r) => r.none), 0.5), all: percentile(rounds.map((r) => r.all), 0.5), ratio: percentile(rounds.map((r) => r.all / r.none), 0.5) };
}

async function main(): Promise<void> {
  const provider = await startProvider();
  const app = await startApp(ourStrategy(provider.baseURL));
  try {
    const logins = await compare(() =>
      perSecond(LOGINS, CONCURRENCY, async () => {
        const body = await (await fetch(`${app.url}/callback?code=c/bench-code`)).text();
        if (!body.startsWith('ok ')) throw new Error(`login failed: ${body.slice(0, 100)}`);
      }),
    );
    const tokens = new FattureInCloudTokens({ clientID: 'bench', clientSecret: 'bench-secret', baseURL: provider.baseURL, store: new MemoryTokenStore() });
    await tokens.save('user-1', { accessToken: 'a/bench-events-access-token', refreshToken: 'r/bench-events-refresh-token', tokenType: 'bearer', expiresIn: 86_400, expiresAt: Date.now() + 86_400_000 });
    const gets = await compare(() => perSecond(GETS, 50, () => tokens.get('user-1')));
    const rows = [
      [`logins/s, express + passport, concurrency ${CONCURRENCY}: one subscriber on every channel / none (median of ${ROUNDS} rounds' ratios)`, `${logins.all.toFixed(0)} / ${logins.none.toFixed(0)} (${logins.ratio.toFixed(2)}×)`, '≥ 0.95×'],
      ['`tokens.get` of a fresh set (MemoryTokenStore), concurrency 50: one subscriber on every channel / none', `${gets.all.toFixed(0)} / ${gets.none.toFixed(0)} (${gets.ratio.toFixed(2)}×)`, '≥ 0.95×'],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    writeSection('events', `## Events (\`npm run bench:events\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, loopback, bench-local provider in its own process.\n\n${table}`);
  } finally {
    await app.close();
    provider.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
