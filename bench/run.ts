import http from 'node:http';
import { FattureInCloudStrategy } from 'passport-fattureincloud';
import { runBounded } from '../test/support/login-client';
import { baselineStrategy, ourStrategy, startApp } from './apps';
import { type Provider, startProvider } from './provider-process';
import { percentile, writeSection } from './results';

/**
 * `npm run bench`: login latency against the two-round-trip floor, throughput
 * against hand-configured passport-oauth2, a refresh storm, and memory over
 * 10,000 logins. Prints a table and writes bench/RESULTS.md.
 */
const ROUND_TRIP_MS = 40;
const LATENCY_LOGINS = 100;
const THROUGHPUT_LOGINS = 3000;
const THROUGHPUT_CONCURRENCY = 20;
const THROUGHPUT_ROUNDS = 5;
const STORM_CALLERS = 1000;
const MEMORY_WARMUP = 1000;
const MEMORY_LOGINS = 10_000;

async function login(appURL: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${appURL}/callback?code=c/bench-code`);
  const body = await response.text();
  if (!body.startsWith('ok ')) throw new Error(`login failed: ${response.status} ${body.slice(0, 200)}`);
  return performance.now() - started;
}

async function latency(provider: Provider, strategy: Parameters<typeof startApp>[0]): Promise<{ median: number; p95: number }> {
  const app = await startApp(strategy);
  await provider.control(`latency=${ROUND_TRIP_MS}`);
  for (let i = 0; i < 5; i++) await login(app.url);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_LOGINS; i++) samples.push(await login(app.url));
  await provider.control('latency=0');
  await app.close();
  return { median: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

/** Logins per second, and CPU microseconds per login in this process (app, strategy and load client together). */
async function throughputOnce(strategy: Parameters<typeof startApp>[0]): Promise<{ perSecond: number; cpu: number }> {
  const app = await startApp(strategy);
  await runBounded(300, THROUGHPUT_CONCURRENCY, () => login(app.url));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await runBounded(THROUGHPUT_LOGINS, THROUGHPUT_CONCURRENCY, () => login(app.url));
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = THROUGHPUT_LOGINS / ((performance.now() - started) / 1000);
  await app.close();
  return { perSecond, cpu: (cpu.user + cpu.system) / THROUGHPUT_LOGINS };
}

/** Alternates the contenders over several rounds, so JIT warm-up favours neither; the median round counts. */
async function throughput(provider: Provider) {
  const ours: { perSecond: number; cpu: number }[] = [];
  const base: { perSecond: number; cpu: number }[] = [];
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    base.push(await throughputOnce(baselineStrategy(provider.baseURL)));
    ours.push(await throughputOnce(ourStrategy(provider.baseURL)));
  }
  const rounds = ours.map((value, i) => `${value.perSecond.toFixed(0)}/${base[i]!.perSecond.toFixed(0)}`).join(', ');
  const median = (runs: typeof ours, pick: (run: (typeof ours)[number]) => number) => percentile(runs.map(pick), 0.5);
  return {
    ours: median(ours, (run) => run.perSecond),
    base: median(base, (run) => run.perSecond),
    oursCPU: median(ours, (run) => run.cpu),
    baseCPU: median(base, (run) => run.cpu),
    rounds,
  };
}

/** The floor itself, measured: the token request, then the two profile requests in parallel, over raw keep-alive HTTP. */
async function measuredFloor(provider: Provider): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const call = (method: string, path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${provider.baseURL}${path}`, { method, agent }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end(method === 'POST' ? '{}' : undefined);
    });
  await provider.control(`latency=${ROUND_TRIP_MS}`);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_LOGINS; i++) {
    const started = performance.now();
    await call('POST', '/oauth/token');
    await Promise.all([call('GET', '/user/info'), call('GET', '/user/companies')]);
    samples.push(performance.now() - started);
  }
  await provider.control('latency=0');
  agent.destroy();
  return percentile(samples, 0.5);
}

async function refreshStorm(provider: Provider): Promise<number> {
  await provider.control('latency=20&reset=1');
  const strategy = new FattureInCloudStrategy({ clientID: 'bench', clientSecret: 'bench-secret', baseURL: provider.baseURL }, (_a, _r, _p, done) => done(null, {}));
  await Promise.all(Array.from({ length: STORM_CALLERS }, () => strategy.refreshAccessToken('r/one-shared-refresh-token')));
  await provider.control('latency=0');
  return provider.tokenRequests();
}

function memory(): { rss: number; heap: number } {
  global.gc?.();
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
}

async function memoryGrowth(provider: Provider) {
  const app = await startApp(ourStrategy(provider.baseURL));
  await runBounded(MEMORY_WARMUP, THROUGHPUT_CONCURRENCY, () => login(app.url));
  const before = memory();
  await runBounded(MEMORY_LOGINS, THROUGHPUT_CONCURRENCY, () => login(app.url));
  const after = memory();
  await app.close();
  return { before, after };
}

async function main(): Promise<void> {
  if (!global.gc) console.warn('run with --expose-gc for stable memory numbers (npm run bench does)');
  const provider = await startProvider();
  try {
    const floorMeasured = await measuredFloor(provider);
    const ours = await latency(provider, ourStrategy(provider.baseURL));
    const base = await latency(provider, baselineStrategy(provider.baseURL));
    const rate = await throughput(provider);
    const stormRequests = await refreshStorm(provider);
    const mem = await memoryGrowth(provider);
    const floor = 2 * ROUND_TRIP_MS;
    const rows = [
      ['floor, measured: token request, then both profile requests in parallel (raw HTTP, median)', `${floorMeasured.toFixed(1)} ms`, 'n/a', '2 × 40 ms'],
      ['login latency, median (floor 80 ms: 2 round trips of 40 ms)', `${ours.median.toFixed(1)} ms (floor + ${(ours.median - floor).toFixed(1)} ms)`, `${base.median.toFixed(1)} ms`, 'within 10 ms of the floor'],
      ['login latency, p95', `${ours.p95.toFixed(1)} ms (floor + ${(ours.p95 - floor).toFixed(1)} ms)`, `${base.p95.toFixed(1)} ms`, 'within 10 ms of the floor'],
      [`logins/s, express + passport, concurrency ${THROUGHPUT_CONCURRENCY}, no added latency (median of ${THROUGHPUT_ROUNDS} alternating rounds; ours/baseline: ${rate.rounds})`, `${rate.ours.toFixed(0)}/s (${(rate.ours / rate.base).toFixed(2)}× baseline)`, `${rate.base.toFixed(0)}/s`, 'not slower than the baseline'],
      ['CPU per login in the app process (app, strategy and load client; median round)', `${rate.oursCPU.toFixed(0)} µs`, `${rate.baseCPU.toFixed(0)} µs`, 'n/a'],
      [`refresh storm: token requests for ${STORM_CALLERS} concurrent refreshes of one token`, String(stormRequests), 'n/a', '1'],
      [`RSS after ${MEMORY_WARMUP} warm-up logins → after ${MEMORY_LOGINS} more`, `${mem.before.rss.toFixed(1)} → ${mem.after.rss.toFixed(1)} MiB (${(mem.after.rss - mem.before.rss).toFixed(1)})`, 'n/a', 'no growth beyond noise'],
      ['heap used, same points (after gc)', `${mem.before.heap.toFixed(1)} → ${mem.after.heap.toFixed(1)} MiB (${(mem.after.heap - mem.before.heap).toFixed(1)})`, 'n/a', 'no growth beyond noise'],
    ];
    const table = [
      '| measure | passport-fattureincloud | baseline: passport-oauth2 by hand | goal |',
      '|---|---|---|---|',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
    const header = `## Logins (\`npm run bench\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, loopback, bench-local provider in its own process (\`bench/provider.ts\`).\nBaseline: plain passport-oauth2 configured for Fatture in Cloud by hand (form POST, profile calls one after the other).\n\n`;
    console.log(table);
    writeSection('logins', `${header}${table}`);
  } finally {
    provider.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
