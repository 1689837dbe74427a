import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);

/**
 * A private PostgreSQL cluster for one test file: `initdb` in a temporary
 * folder, `pg_ctl start` on a free loopback port, as the `postgres` user when
 * the tests run as root (initdb refuses root). Stopped by the postmaster's pid.
 * It throws (failing the test, never skipping it) when it cannot start.
 */
export interface PostgresServerOptions {
  /** Extra server settings, as `-c name=value`. */
  settings?: Record<string, string>;
}

export class PostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), 'fic-postgres-'));
    const server = new PostgresServer(await freePort(), dir, bin);
    try {
      if (isRoot()) chownSync(dir, postgresUID(), postgresGID());
      await server.asOwner(join(bin, 'initdb'), ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
      const settings = Object.entries({ listen_addresses: '127.0.0.1', fsync: 'off', unix_socket_directories: dir, ...options.settings }).map(([name, value]) => `-c ${name}=${value}`);
      await server.asOwner(join(bin, 'pg_ctl'), ['-D', server.dataDir, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${server.port} ${settings.join(' ')}`, 'start']);
      return server;
    } catch (error) {
      await server.stop();
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-500) : '';
      throw new Error(`PostgreSQL did not start (is the postgresql package installed?): ${String(error)} ${log}`, { cause: error });
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get pid(): number | undefined {
    const file = join(this.dataDir, 'postmaster.pid');
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : Number.NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  pause(): void {
    this.signalAll('SIGSTOP');
  }

  resume(): void {
    this.signalAll('SIGCONT');
  }

  /** Fast shutdown by the postmaster's pid, then the folder goes. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid !== undefined) {
      this.resume();
      try {
        process.kill(pid, 'SIGINT');
        const giveUpAt = Date.now() + 20_000;
        while (alive(pid) && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 50));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The postmaster and its children: a paused database answers nothing. */
  private signalAll(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) return;
    for (const child of [...childrenOf(pid), pid]) {
      try {
        process.kill(child, signal);
      } catch {
        // a backend that ended meanwhile
      }
    }
  }

  private asOwner(command: string, args: string[]): Promise<unknown> {
    return isRoot() ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 }) : run(command, args, { timeout: 60_000 });
  }
}

function postgresBin(): string {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql or on PATH (apt-get install postgresql)');
  return bin;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function idOf(field: 2 | 3): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  const id = Number(line?.split(':')[field]);
  if (!Number.isInteger(id)) throw new Error('there is no postgres user (apt-get install postgresql makes one)');
  return id;
}

function postgresUID(): number {
  return idOf(2);
}

function postgresGID(): number {
  return idOf(3);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether `command` is on PATH. */
export function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL's server binaries: Debian keeps them under /usr/lib/postgresql/N/bin, other systems on PATH. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((version) => existsSync(join(base, version, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return join(base, newest, 'bin');
  if (!onPath('initdb') || !onPath('pg_ctl')) return undefined;
  return execFileSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' }).trim();
}

