import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

/**
 * A private redis-server on a free loopback port, persistence off, for one test
 * file. It throws (failing the test, never skipping it) when it cannot start.
 * Stopped by its pid; `pause`/`resume` send SIGSTOP/SIGCONT; `shutdownAndRestart`
 * saves, stops and starts it again on the same port with the same data.
 */
export interface RedisServerOptions {
  /** Extra redis-server arguments (`--cluster-enabled yes`, `--appendonly yes`, …). */
  args?: string[];
  /** Default: a free port. */
  port?: number;
}

export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'fic-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? (await freePort()), options.args ?? []);
    await server.launch();
    return server;
  }

  /** SIGKILL: a crash, with no chance to save. */
  async crash(): Promise<void> {
    const exited = this.exited();
    this.process?.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Writes the data to disk (SHUTDOWN SAVE, though saving is otherwise off) and stops. */
  async shutdown(send: (args: string[]) => Promise<unknown>): Promise<void> {
    const exited = this.exited();
    // The reply never comes: the server closes the connection as it stops.
    send(['SHUTDOWN', 'SAVE']).catch(() => undefined);
    await exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.launch();
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private exited(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  private launch(): Promise<void> {
    // Later arguments win: a test that needs AOF passes --appendonly yes.
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s: ${output.slice(-500)}`)), 10_000);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('error', (error) => fail(new Error(`redis-server could not be started (is the redis-server package installed?): ${error.message}`)));
      const onExit = (code: number | null): void => fail(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
      child.once('exit', onExit);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining its log, or a full pipe would stall it
        resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
  }
}
