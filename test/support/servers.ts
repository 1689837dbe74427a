import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { onPath, postgresBinDir } from './postgres-server';

/**
 * Which servers the suites that need one can start here. A suite asks with
 * `requireServers(this, 'redis')` in its `before`: where the server's binaries
 * are missing it is reported as not run (mocha's pending) with one line that
 * says how to get them, and the run ends with a summary; under CI
 * (`CI=true`, or `FIC_REQUIRE_SERVERS=1`) a missing server fails the suite
 * instead. The tests start their own private servers and flush or crash them,
 * so a server named by a URL (a developer's own Redis) is never used.
 * `FIC_TEST_SERVERS=none` (or `=redis`, `=postgres`) runs as if only those
 * were installed: how CI checks that a machine without them still passes.
 */
export type ServerKind = 'redis' | 'postgres';

const HOW_TO_GET: Record<ServerKind, string> = {
  redis: 'redis-server and redis-cli (apt-get install redis-server redis-tools; brew install redis)',
  postgres: "PostgreSQL's server binaries, initdb and pg_ctl (apt-get install postgresql; brew install postgresql@15)",
};

/**
 * Where the run lists what it could not run, a JSON line a suite (mocha's
 * parallel workers each append theirs), for the summary and the coverage gate.
 */
export const NOT_RUN_FILE = join(__dirname, '..', '..', 'test-output', 'not-run.jsonl');

export function serversRequired(): boolean {
  return process.env.CI === 'true' || process.env.FIC_REQUIRE_SERVERS === '1';
}

/** initdb refuses root: as root, the tests run it as the `postgres` user, which must exist. */
function hasPostgresUser(): boolean {
  return process.getuid?.() !== 0 || readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith('postgres:'));
}

const cache = new Map<ServerKind, boolean>();

function allowed(kind: ServerKind): boolean {
  const only = process.env.FIC_TEST_SERVERS;
  return only === undefined || only.split(',').includes(kind);
}

export function serverAvailable(kind: ServerKind): boolean {
  let available = cache.get(kind);
  if (available === undefined) {
    available = !allowed(kind) ? false : kind === 'redis' ? onPath('redis-server') && onPath('redis-cli') : postgresBinDir() !== undefined && hasPostgresUser();
    cache.set(kind, available);
  }
  return available;
}

/**
 * In a suite's `before`: skips the suite (or fails it, under CI) when a server
 * it needs cannot be started here. Returns normally when every one can.
 */
export function requireServers(context: Mocha.Context, ...kinds: ServerKind[]): void {
  const missing = kinds.filter((kind) => !serverAvailable(kind));
  if (missing.length === 0) return;
  const title = titleOf(context.test);
  const what = missing.map((kind) => HOW_TO_GET[kind]).join(' and ');
  if (serversRequired()) throw new Error(`${title} needs ${what}, and CI requires every server`);
  mkdirSync(dirname(NOT_RUN_FILE), { recursive: true });
  appendFileSync(NOT_RUN_FILE, `${JSON.stringify({ suite: title, missing })}\n`);
  console.log(`      not run: needs ${what}`);
  context.skip();
}

/** A hook stands for its suite; a test for itself. */
function titleOf(runnable: Mocha.Runnable | undefined): string {
  if (!runnable) return 'a suite';
  return ((runnable as { type?: string }).type === 'hook' ? runnable.parent?.fullTitle() : runnable.fullTitle()) ?? 'a suite';
}

/** A snippet's glue that starts a server needs that server too. */
export function serversOfGlue(glue: string): ServerKind[] {
  const kinds: ServerKind[] = [];
  if (/RedisServer|RedisCluster/.test(glue)) kinds.push('redis');
  if (/PostgresServer/.test(glue)) kinds.push('postgres');
  return kinds;
}

/** The suites this run did not run, and the servers they lacked. */
export function notRunSuites(): { suite: string; missing: ServerKind[] }[] {
  if (!existsSync(NOT_RUN_FILE)) return [];
  return readFileSync(NOT_RUN_FILE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { suite: string; missing: ServerKind[] });
}

/** Before the run (mocha's global setup): nothing is listed yet. */
export function forgetNotRun(): void {
  rmSync(NOT_RUN_FILE, { force: true });
}

/** After the run: one line per server missing, how to get it, and what it means. */
export function reportNotRun(): void {
  const suites = notRunSuites();
  if (suites.length === 0) return;
  console.log('\n  Not run, for want of a server (the rest passed or failed as shown above):');
  for (const kind of Object.keys(HOW_TO_GET) as ServerKind[]) {
    const count = suites.filter((each) => each.missing.includes(kind)).length;
    if (count > 0) console.log(`    ${count} suite(s) or block(s) need ${HOW_TO_GET[kind]}`);
  }
  console.log('  Install them and run npm test again for the whole suite; CI=true makes a missing server a failure.\n');
}

/** In an `after`: stops what its `before` started, which is nothing when the suite was not run. */
export async function stopServers(...servers: ({ stop(): Promise<void> } | undefined)[]): Promise<void> {
  await Promise.all(servers.map((server) => (server ? server.stop() : Promise.resolve())));
}
