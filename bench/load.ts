import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { percentile, writeSection } from './results';

/**
 * `npm run bench:load`: what `require('passport-fattureincloud')` costs. Each
 * run is a fresh Node process that first loads passport-oauth2 (what the
 * strategy is built on, timed), then the package (timed: its own modules only,
 * since passport-oauth2 is loaded by then), and counts the package's files.
 * Goal: the package's own modules cost at most a third of passport-oauth2's load.
 */
const RUNS = 21;
const DIST = join(__dirname, '..', 'dist');

const PROBE = `
const t0 = process.hrtime.bigint();
require('passport-oauth2');
const t1 = process.hrtime.bigint();
require(${JSON.stringify(join(DIST, 'index.js'))});
const t2 = process.hrtime.bigint();
const own = Object.keys(require.cache).filter((file) => file.startsWith(${JSON.stringify(DIST + '/')}));
process.stdout.write(JSON.stringify({ oauth2: Number(t1 - t0) / 1e6, own: Number(t2 - t1) / 1e6, files: own.map((file) => file.slice(${DIST.length + 1})) }));
`;

interface Sample {
  oauth2: number;
  own: number;
  files: string[];
}

function sample(): Sample {
  return JSON.parse(execFileSync(process.execPath, ['-e', PROBE], { cwd: join(__dirname, '..'), encoding: 'utf8' })) as Sample;
}

function main(): void {
  sample(); // the first run warms the file system cache
  const samples = Array.from({ length: RUNS }, sample);
  const oauth2 = percentile(samples.map((each) => each.oauth2), 0.5);
  const own = percentile(samples.map((each) => each.own), 0.5);
  const ratios = samples.map((each) => each.own / each.oauth2);
  const ratio = percentile(ratios, 0.5);
  const files = samples[0]!.files;
  const table = `## Load time (\`npm run bench:load\`)

Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${RUNS} fresh processes (median). Each loads passport-oauth2 first, then \`require('passport-fattureincloud')\`.

| measure | result | goal |
|---|---|---|
| passport-oauth2's own load | ${oauth2.toFixed(1)} ms | n/a |
| the package's own modules, after passport-oauth2 | ${own.toFixed(1)} ms | n/a |
| ratio, median of the per-process ratios | ${ratio.toFixed(2)}× | ≤ 0.33× |
| the package's files loaded | ${files.length}: ${files.join(', ')} | only what a login needs |
`;
  console.log(table);
  writeSection('load', table);
}

main();
