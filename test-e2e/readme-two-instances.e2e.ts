import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { signIn } from '../test/support/login-client';
import { freePort } from '../test/support/ports';
import { root } from '../test/support/processes';

/**
 * README's "Run two instances", run as printed in a clone: the block is read
 * from the README and given to bash, its four port numbers swapped for free
 * ones (6379, 4000, 3000 and 3001 may be taken here), then a login goes
 * through both instances. The whole process group is stopped by its pid.
 */
describe('README: "Run two instances", as printed', function () {
  this.timeout(180_000);

  function block(): string {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const found = /### Run two instances[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!found) throw new Error('README has no "Run two instances" sh block');
    return found;
  }

  async function until<T>(what: string, attempt: () => Promise<T | undefined>, output: () => string): Promise<T> {
    const giveUpAt = Date.now() + 90_000;
    for (;;) {
      const value = await attempt().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > giveUpAt) throw new Error(`${what} never happened; the commands printed:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('starts Redis, the stand-in and two instances; a login on A lands on B and both show the clients', async () => {
    const ports = { redis: await freePort(), standIn: await freePort(), a: await freePort(), b: await freePort() };
    const printed = block();
    for (const port of ['6379', '4000', '3000', '3001']) expect(printed, `the block names port ${port}`).to.include(port);
    const script = printed
      .replaceAll('6379', String(ports.redis))
      .replaceAll('4000', String(ports.standIn))
      .replaceAll('localhost:3001', `localhost:${ports.b}`)
      .replaceAll('PORT=3000', `PORT=${ports.a}`)
      .replaceAll('PORT=3001', `PORT=${ports.b}`);
    // As a terminal would: the commands, then stay until stopped.
    const shell = spawn('bash', ['-c', `${script}\nwait`], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ended = new Promise((resolve) => shell.once('exit', resolve));
    try {
      for (const port of [ports.a, ports.b]) {
        await until(`the instance on ${port} answering`, async () => ((await fetch(`http://localhost:${port}/`)).ok ? true : undefined), () => output);
      }
      const signedIn = await signIn(`http://localhost:${ports.a}`);
      expect(signedIn.location, output).to.equal('/clients');
      for (const port of [ports.a, ports.b]) {
        const page = await (await fetch(`http://localhost:${port}/clients`, { headers: { cookie: signedIn.cookie() } })).text();
        expect(page, `instance ${port}`).to.include('Hello, Mario Rossi');
        expect(page).to.include('<table id="clients">');
      }
      expect(output).to.include('Sessions and tokens are kept in Redis');
    } finally {
      if (shell.pid) process.kill(-shell.pid, 'SIGTERM');
      await ended;
    }
  });
});

