import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerConfig, WorkerOutcome } from './token-worker';

const WORKER = join(__dirname, 'token-worker.ts');

interface Worker {
  child: ChildProcess;
  /** Every outcome, or undefined if the process died (as `dieAfterLock` makes it). */
  result: Promise<WorkerOutcome[] | undefined>;
}

/** Starts each worker, waits until all are connected, then lets them all go at once. */
export async function runWorkers(configs: WorkerConfig[]): Promise<(WorkerOutcome[] | undefined)[]> {
  const workers = configs.map(startWorker);
  try {
    await Promise.all(workers.map(({ ready }) => ready));
    for (const { worker } of workers) worker.child.stdin?.end('go\n');
    return await Promise.all(workers.map(({ worker }) => worker.result));
  } finally {
    for (const { worker } of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  }
}

function startWorker(config: WorkerConfig): { worker: Worker; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`a worker exited before it was ready: ${errors}`)));
  });
  const result = new Promise<WorkerOutcome[] | undefined>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') return resolve(undefined);
      const line = output.split('\n')[1];
      if (code !== 0 || !line) return reject(new Error(`a worker exited with ${code}: ${errors}`));
      resolve(JSON.parse(line) as WorkerOutcome[]);
    });
  });
  ready.catch(() => undefined);
  return { worker: { child, result }, ready };
}
