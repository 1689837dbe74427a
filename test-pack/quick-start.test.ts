import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { signIn } from '../test/support/login-client';
import { freePort } from '../test/support/ports';
import { type NodeProcess, spawnNode } from '../test/support/processes';
import { packOnce, shell } from './tarball';

/**
 * A newcomer's first hour, from the packed package: a fresh project, exactly
 * the README's Install commands (the package's name standing for the tarball
 * until it is published), the quick start pasted as app.ts, strict tsc, then
 * `npx tsx app.ts` logging in against a stand-in.
 */
const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The `npm install` lines of the Install section's shell blocks, comments dropped. */
function installCommands(): string[][] {
  const section = /## Install\n([\s\S]*?)\n## /.exec(README)?.[1] ?? '';
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  // The first block's optional stores (redis, pg) are for later guides; the first line and the quick start's block are what it needs.
  const [first, quickStart] = blocks;
  const lines = [...(first ?? '').split('\n').slice(0, 2), ...(quickStart ?? '').split('\n')];
  return lines.map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line.startsWith('npm install')).map((line) => line.split(/\s+/).slice(1));
}

describe('the quick start in a fresh project, with exactly the Install section\'s commands', function () {
  this.timeout(600_000);
  let project: string;
  let standIn: FattureInCloudStandIn | undefined;
  let app: NodeProcess | undefined;

  before(async () => {
    const { dir, tarball } = await packOnce();
    project = mkdtempSync(join(dir, 'first-hour-'));
    expect((await shell('npm', ['init', '-y'], project)).code).to.equal(0);
    for (const args of installCommands()) {
      const install = await shell('npm', [...args.map((arg) => (arg === 'passport-fattureincloud' ? tarball : arg)), '--no-audit', '--no-fund'], project);
      expect(install.code, install.output).to.equal(0);
    }
    const quickStart = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(README)?.[1];
    expect(quickStart).to.be.a('string');
    writeFileSync(join(project, 'app.ts'), quickStart!);
  });
  after(async () => {
    await app?.stop();
    await standIn?.close();
  });

  it('installs what the quick start imports, and it type-checks under strict settings', async () => {
    expect(installCommands().flat()).to.include.members(['express', 'express-session', '@types/express-session', 'tsx']);
    const result = await shell('npx', ['tsc', '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', 'app.ts'], project);
    expect(result.output).to.equal('');
    expect(result.code).to.equal(0);
  });

  it('runs with npx tsx app.ts, prints its URL, and logs in against the stand-in', async () => {
    const port = await freePort();
    const stand = await startFattureInCloudStandIn({ redirectURI: `http://localhost:${port}/auth/fattureincloud/callback` });
    standIn = stand;
    const env = { PORT: String(port), FIC_CLIENT_ID: stand.clientID, FIC_CLIENT_SECRET: stand.clientSecret, FIC_BASE_URL: stand.baseURL, SESSION_SECRET: 'a-session-secret-of-32-characters!' };
    app = spawnNode([join(project, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'app.ts'], { cwd: project, env });
    await app.waitFor(new RegExp(`Open http://localhost:${port}`));
    const signedIn = await signIn(`http://localhost:${port}`);
    expect(signedIn.ok).to.equal(true);
    const names = (await (await signedIn.open('/clients')).json()) as unknown[];
    expect(names).to.have.length(3);
  });
});
