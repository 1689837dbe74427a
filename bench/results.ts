import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from '../test/support/login-client';

const FILE = join(__dirname, 'RESULTS.md');

/** Replaces one benchmark's section of bench/RESULTS.md (or adds it), leaving the others as they were. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmark results\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next);
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** `total` runs of `task`, at most `concurrency` at once: how many a second. */
export async function perSecond(total: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await runBounded(total, concurrency, task);
  return total / ((performance.now() - started) / 1000);
}
