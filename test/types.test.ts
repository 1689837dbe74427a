import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = join(__dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles one consumer file under strict settings; resolves with tsc's output and exit code. */
async function compile(file: string): Promise<{ code: number; output: string }> {
  const args = [tsc, '--ignoreConfig', '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--module', 'nodenext', '--types', 'node', join(__dirname, 'types', file)];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: root });
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, output: failure.stdout };
  }
}

describe('TypeScript consumers', () => {
  it('compile strict code with no casts: options, verify arities, authenticate', async () => {
    const result = await compile('valid.ts');
    expect(result.output).to.equal('');
    expect(result.code).to.equal(0);
  });

  it('refuse an invalid scope literal in passport.authenticate', async () => {
    const result = await compile('invalid-scope.ts');
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`Type '"emails:a"' is not assignable to type 'FattureInCloudScope'`);
  });

  it('refuse an invalid scope literal in the strategy options', async () => {
    const result = await compile('invalid-strategy-scope.ts');
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`'"entity.products:r"' is not assignable`);
  });
});
