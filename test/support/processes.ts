import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

/** A Node process a test started: what it printed, how it ended, and a way to stop it by its pid. */
export interface NodeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Both streams, in the order they came. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the first match in the output; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM, then waits for it to end; nothing if it already has. */
  stop(): Promise<void>;
}

export function spawnNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): NodeProcess {
  const child = spawn(process.execPath, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '', output: '' };
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  child.stdout.on('data', (chunk: Buffer) => {
    text.stdout += chunk.toString();
    text.output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    text.stderr += chunk.toString();
    text.output += chunk.toString();
  });
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    output: () => text.output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text.output);
          if (match) resolve(match);
          else if (running()) setTimeout(check, 20);
          else reject(new Error(`${args.join(' ')} ended (${child.exitCode ?? child.signalCode}) before printing ${pattern}: ${text.output}`));
        };
        check();
      }),
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The `NAME=value` lines a process printed (the stand-in's settings for the apps). */
export function printedSettings(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^([A-Z][A-Z0-9_]*)=(\S+)$/gm)].map(([, name, value]) => [name!, value!]));
}
