import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type NodeProcess, root, spawnNode } from '../test/support/processes';

export const outputDir = join(root, 'test-output');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's chromium with a fresh, empty profile (a persistent context is how Playwright passes --user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'fic-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export type Started = NodeProcess & { match: RegExpExecArray };

/** Starts a Node process and resolves once its output matches `ready`. */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Started> {
  const started = spawnNode(args, { env });
  return { ...started, match: await started.waitFor(ready) };
}

/** The example as `npm start` runs it (without the build). */
export function startExample(env: NodeJS.ProcessEnv) {
  return startProcess(['--import', 'tsx', 'example/server.ts'], env, /at (http:\/\/localhost:\d+)\n[^\n]+\n/);
}
