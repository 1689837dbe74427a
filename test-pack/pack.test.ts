import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

/**
 * The package as users get it: `npm pack`, install the tarball into an empty
 * project with passport and express, then use it from CommonJS, ESM and strict
 * TypeScript (nodenext and bundler resolution).
 */
const run = promisify(execFile);
const root = join(__dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackResult {
  filename: string;
  files: { path: string }[];
}

async function shell(command: string, args: string[], cwd: string): Promise<{ code: number; output: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: `${failure.stdout}${failure.stderr}`, stdout: failure.stdout };
  }
}

describe('the packed tarball, installed in a fresh project', () => {
  let workDir: string;
  let project: string;
  let packed: PackResult;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'fic-pack-'));
    const pack = await shell('npm', ['pack', '--json', '--pack-destination', workDir], root);
    expect(pack.code, pack.output).to.equal(0);
    // The prepack build prints first; the JSON report is the last thing on stdout.
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as PackResult[])[0]!;
    project = join(workDir, 'consumer');
    cpSync(join(__dirname, 'consumer'), project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const install = await shell(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', join(workDir, packed.filename), 'passport@^0.7', 'express@^5'],
      project,
    );
    expect(install.code, install.output).to.equal(0);
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('holds dist (JS and .d.ts), README, LICENSE, CHANGELOG and package.json, and nothing else', () => {
    const paths = packed.files.map((file) => file.path).sort();
    const outside = paths.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(path));
    expect(outside).to.deep.equal([]);
    expect(paths.filter((path) => path.startsWith('dist/') && !/\.(js|d\.ts)$/.test(path))).to.deep.equal([]);
    expect(paths).to.include.members(['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'README.md', 'LICENSE', 'CHANGELOG.md']);
    expect(paths.filter((path) => /(^|\/)(test|test-e2e|example|bench)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(path))).to.deep.equal([]);
  });

  it('declares passport as a peer dependency and the exports map with types', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'passport-fattureincloud', 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest.peerDependencies).to.have.property('passport');
    expect(manifest.exports!['.']).to.deep.equal({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('works with require() from CommonJS', async () => {
    const result = await shell(process.execPath, ['require.cjs'], project);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ sameClass: true, name: 'fattureincloud', refresh: 'function', standIn: 'function' });
  });

  it('works with named and default import from ESM', async () => {
    const result = await shell(process.execPath, ['import.mjs'], project);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ sameClass: true, name: 'fattureincloud', scope: 'entity.clients:r', standIn: true });
  });

  for (const resolution of ['nodenext', 'bundler']) {
    it(`compiles a strict TypeScript consumer under ${resolution} resolution`, async () => {
      const result = await shell(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project);
      expect(result.output).to.equal('');
      expect(result.code).to.equal(0);
    });
  }

  it('refuses to compile an invalid scope literal', async () => {
    const config = JSON.parse(readFileSync(join(project, 'tsconfig.nodenext.json'), 'utf8')) as { files: string[] };
    writeFileSync(join(project, 'tsconfig.invalid.json'), JSON.stringify({ ...config, files: ['invalid-scope.ts'] }));
    const result = await shell(process.execPath, [tsc, '-p', 'tsconfig.invalid.json'], project);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`Type '"emails:a"' is not assignable to type 'FattureInCloudScope'`);
  });
});
