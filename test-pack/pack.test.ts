import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { consumerProject, packOnce, type PackResult, root, shell, tsc } from './tarball';

/**
 * The package as users get it: `npm pack`, install the tarball into an empty
 * project with passport and express, then use it from CommonJS, ESM and strict
 * TypeScript (nodenext and bundler resolution).
 */
describe('the packed tarball, installed in a fresh project', () => {
  let project: string;
  let packed: PackResult;

  before(async () => {
    packed = (await packOnce()).packed;
    project = await consumerProject('consumer', ['passport@^0.7', 'express@^5', '@fattureincloud/fattureincloud-ts-sdk@^2']);
  });

  it('holds dist (JS and .d.ts), the docs, README, CONTRIBUTING, LICENSE, CHANGELOG and package.json, and nothing else', () => {
    const paths = packed.files.map((file) => file.path).sort();
    const outside = paths.filter((path) => !path.startsWith('dist/') && !/^docs\/[\w.-]+\.(md|png)$/.test(path) && !['README.md', 'CONTRIBUTING.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(path));
    expect(outside).to.deep.equal([]);
    expect(paths.filter((path) => path.startsWith('dist/') && !/\.(js|d\.ts)$/.test(path))).to.deep.equal([]);
    expect(paths).to.include.members(['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'README.md', 'LICENSE', 'CHANGELOG.md']);
    expect(paths.filter((path) => /(^|\/)(test|test-e2e|example|bench)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(path))).to.deep.equal([]);
  });

  it('ships every file the packed README and guides link to', () => {
    const paths = new Set(packed.files.map((file) => file.path));
    const broken: string[] = [];
    for (const doc of [...paths].filter((path) => path.endsWith('.md'))) {
      const text = readFileSync(join(project, 'node_modules', 'passport-fattureincloud', doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)/g)) {
        const resolved = join(doc, '..', target!).replace(/^\.\//, '');
        if (!paths.has(resolved)) broken.push(`${doc} -> ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
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

  it('without jose installed, the webhook receiver answers 503 (retried) and warns once', async () => {
    const result = await shell(process.execPath, ['webhooks-without-jose.cjs'], project);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ statuses: [503, 503], warnings: ['FIC_WEBHOOKS_NO_JOSE'] });
  });

  it('works with named and default import from ESM', async () => {
    const result = await shell(process.execPath, ['import.mjs'], project);
    expect(result.code, result.output).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ sameClass: true, name: 'fattureincloud', scope: 'entity.clients:r', standIn: true });
  });

  it('calls the API through the SDK binding, recovering a revoked access token with one refresh', async () => {
    const result = await shell(process.execPath, ['sdk.cjs'], project);
    expect(result.code, result.output).to.equal(0);
    // The login's exchange, then the one refresh the 401 asked for.
    expect(JSON.parse(result.stdout)).to.deep.equal({ clients: 3, tokenRequests: 2, unauthorized: 1 });
  });

  for (const resolution of ['nodenext', 'bundler']) {
    it(`compiles a strict TypeScript consumer under ${resolution} resolution`, async () => {
      const result = await shell(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project);
      expect(result.output).to.equal('');
      expect(result.code).to.equal(0);
    });
  }

  it('compiles on TypeScript 4.8 under node10 resolution (module commonjs), subpaths included', async function () {
    this.timeout(120_000);
    const install = await shell('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', 'typescript@4.8', '@types/node@^20'], project);
    expect(install.code, install.output).to.equal(0);
    const result = await shell(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node10.json'], project);
    expect(result.output).to.equal('');
    expect(result.code).to.equal(0);
  });

  it('passes publint and Are the Types Wrong?, under every resolution', async () => {
    const { tarball } = await packOnce();
    const publint = await shell(process.execPath, [join(root, 'node_modules', 'publint', 'src', 'cli.js'), '--strict', tarball], root);
    expect(publint.code, publint.output).to.equal(0);
    expect(publint.output).to.include('All good!');
    const attw = await shell(process.execPath, [join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--format', 'table-flipped'], root);
    expect(attw.code, attw.output).to.equal(0);
    expect(attw.output).to.include('No problems found');
  });

  it('installs the fattureincloud-stand-in command', async () => {
    const result = await shell('npx', ['--no-install', 'fattureincloud-stand-in', '--help'], project);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.match(/^Usage: fattureincloud-stand-in/);
  });

  it('refuses to compile an invalid scope literal', async () => {
    const config = JSON.parse(readFileSync(join(project, 'tsconfig.nodenext.json'), 'utf8')) as { files: string[] };
    writeFileSync(join(project, 'tsconfig.invalid.json'), JSON.stringify({ ...config, files: ['invalid-scope.ts'] }));
    const result = await shell(process.execPath, [tsc, '-p', 'tsconfig.invalid.json'], project);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`Type '"emails:a"' is not assignable to type 'FattureInCloudScope'`);
  });
});
