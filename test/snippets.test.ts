import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { requireServers, serversOfGlue } from './support/servers';

/**
 * Every `js`, `ts` and `typescript` block of README.md and docs/*.md is checked:
 * pasted into its glue (test/snippets/<doc>/<heading>.<how>, holding only what a
 * reader's app would have around it) and then type-checked (strict, module
 * nodenext, against the built package), run, or found word for word in a file
 * another suite compiles and runs. A block with no glue fails, and so does glue
 * whose block is gone.
 */

const root = join(__dirname, '..');
const glueDir = join(__dirname, 'snippets');
const outDir = join(root, 'test-output', 'snippets');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);
const MARKER = /^[ \t]*\/\/ SNIPPET[ \t]*$/m;
const CODE_FENCE = /^```(js|javascript|ts|typescript)[ \t]*$/;

type How = 'check.ts' | 'check.mts' | 'run.ts' | 'run.mts' | 'run.cjs' | 'run.mjs' | 'verbatim';
const HOWS: readonly How[] = ['check.ts', 'check.mts', 'run.ts', 'run.mts', 'run.cjs', 'run.mjs', 'verbatim'];

interface Block {
  doc: string;
  heading: string;
  /** `<doc>/<heading slug>[-n]`: what its glue is named after. */
  name: string;
  code: string;
  line: number;
}

function docs(): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md')).sort().map((file) => `docs/${file}`)];
}

/** The heading up to its first colon: `Calling the API: \`…/sdk\`` is `calling-the-api`. */
function slug(heading: string): string {
  return (heading.split(':')[0] ?? '').toLowerCase().replace(/[`'"]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'top';
}

function blocksOf(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  const seen = new Map<string, number>();
  let heading = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    // Fences may be indented, inside a list item; the block is dedented by as much.
    const fence = /^(\s*)```/.exec(line);
    if (!fence && /^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    if (!fence) continue;
    const indent = fence[1]!.length;
    const end = lines.findIndex((candidate, at) => at > index && /^\s*```[ \t]*$/.test(candidate));
    if (end < 0) throw new Error(`${doc}:${index + 1}: a code block that never ends`);
    if (CODE_FENCE.test(line.trim())) {
      const base = `${doc.replace(/^docs\//, '').replace(/\.md$/, '')}/${slug(heading)}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      const code = lines.slice(index + 1, end).map((text) => text.slice(Math.min(indent, /^\s*/.exec(text)![0].length))).join('\n');
      blocks.push({ doc, heading, name: count === 1 ? base : `${base}-${count}`, code, line: index + 1 });
    }
    index = end;
  }
  return blocks;
}

function glueOf(block: Block): { how: How; file: string }[] {
  return HOWS.map((how) => ({ how, file: join(glueDir, `${block.name}.${how}`) })).filter(({ file }) => existsSync(file));
}

/** The glue with the block pasted at its marker. */
function assemble(block: Block, glueFile: string): string {
  const glue = readFileSync(glueFile, 'utf8');
  if (!MARKER.test(glue)) throw new Error(`${relative(root, glueFile)} has no "// SNIPPET" line to paste ${block.name} at`);
  return glue.replace(MARKER, () => `// ---- ${block.doc}:${block.line} (${block.heading}) ----\n${block.code}\n// ---- end of the block ----`);
}

const COMPILER_OPTIONS = {
  strict: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  // es2024.string: the package's sources, which the glue's support imports, use String#isWellFormed (Node 20).
  lib: ['es2023', 'es2024.string', 'dom'],
  types: ['node'],
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  esModuleInterop: true,
};

/** tsc's complaints about one generated file, strict and nodenext, against the built package. */
async function typeCheck(file: string): Promise<string[]> {
  const config = `${file}.tsconfig.json`;
  writeFileSync(config, JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: [file] }));
  const { stdout } = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: outDir }).catch((error: unknown) => error as { stdout: string });
  return stdout.split('\n').filter(Boolean);
}

const blocks = docs().flatMap(blocksOf);
const planned = blocks.map((block) => ({ block, glue: glueOf(block) }));

describe('the docs\' code blocks, each checked', function () {
  this.timeout(180_000);
  /** tsc's complaints, by generated file. */
  let typeErrors = new Map<string, string[]>();

  before(async () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const typed: string[] = [];
    for (const { block, glue } of planned) {
      const [only] = glue;
      if (glue.length !== 1 || !only || only.how === 'verbatim') continue;
      const file = join(outDir, `${block.name}.${only.how.replace(/^(check|run)\./, '')}`);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, assemble(block, only.file));
      if (/\.m?ts$/.test(file)) typed.push(file);
    }
    // One program a block, as in a reader's own project: a block's global declarations stay its own.
    typeErrors = new Map();
    const queue = [...typed];
    const worker = async (): Promise<void> => {
      for (let file = queue.shift(); file; file = queue.shift()) typeErrors.set(file, await typeCheck(file));
    };
    await Promise.all([worker(), worker()]);
  });

  it('finds the blocks of README.md and every guide in docs/', () => {
    expect(blocks.filter((block) => block.doc === 'README.md').length).to.be.at.least(5);
    console.log(`      ${blocks.length} blocks in ${docs().length} files`);
  });

  it('has no glue left for a block that is gone', () => {
    const names = new Set(blocks.map((block) => block.name));
    const glueFiles = readdirSync(glueDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const stale = glueFiles
      .map((entry) => relative(glueDir, join(entry.parentPath, entry.name)))
      .filter((file) => !names.has(file.replace(new RegExp(`\\.(${HOWS.join('|').replace(/\./g, '\\.')})$`), '')));
    expect(stale).to.deep.equal([]);
  });

  for (const { block, glue } of planned) {
    const how = glue.map((entry) => entry.how).join(' and ') || 'no check';
    it(`${block.doc} · ${block.heading} (${block.name}): ${how}`, async function () {
      expect(glue, `no glue for ${block.name}: add test/snippets/${block.name}.<${HOWS.join('|')}>`).to.have.length(1);
      const [{ how: only, file: glueFile }] = glue as [{ how: How; file: string }];
      if (only === 'verbatim') {
        const target = readFileSync(glueFile, 'utf8').trim();
        expect(readFileSync(join(root, target), 'utf8'), `${block.name} word for word in ${target}`).to.include(block.code);
        return;
      }
      const file = join(outDir, `${block.name}.${only.replace(/^(check|run)\./, '')}`);
      expect(typeErrors.get(file) ?? [], 'type errors').to.deep.equal([]);
      if (only.startsWith('run.')) {
        // Checked above with or without a server; run only where the servers its glue starts can start.
        requireServers(this, ...serversOfGlue(readFileSync(glueFile, 'utf8')));
        const args = /\.m?ts$/.test(file) ? ['--import', 'tsx', file] : [file];
        // Not under c8: a docs check measures no coverage, and tsx's ESM source maps are data: URLs c8 cannot read.
        // Empty, not unset: Node hands a parent's NODE_V8_COVERAGE to a child whose env lacks it.
        const env = { ...process.env, NODE_V8_COVERAGE: '' };
        const result = await run(process.execPath, args, { cwd: root, timeout: 60_000, env }).then(
          ({ stdout }) => ({ code: 0, output: stdout }),
          (error: unknown) => ({ code: 1, output: `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? String(error)}` }),
        );
        expect(result.code, result.output).to.equal(0);
      }
    });
  }
});
