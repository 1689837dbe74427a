import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';

/**
 * The folders of lib/ are layers: a module imports its own folder, a lower
 * layer, or the shared modules at the root, never a layer above or beside its
 * own; the entries (index, redis, postgres) sit on top. No import cycles.
 */
const LIB = resolve(__dirname, '..', 'lib');

/** Lower runs first; folders of one rank must not import each other. */
const RANKS: Record<string, number> = {
  '': 0,
  http: 1,
  backends: 1,
  oauth: 2,
  login: 3,
  tokens: 3,
  quota: 4,
  webhooks: 6,
  sdk: 5,
  testing: 7,
};
const ENTRIES = new Set(['index.ts', 'redis.ts', 'postgres.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports, type-only ones included: a type import is still a dependency of the design. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => {
    const target = resolve(dirname(file), specifier);
    return readdirSyncSafe(target) ? join(target, 'index.ts') : `${target}.ts`;
  });
}

function readdirSyncSafe(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The capability folder of a module: '' for the shared modules at the root. */
function folderOf(file: string): string {
  const parts = relative(LIB, file).split('/');
  return parts.length > 1 ? parts[0]! : '';
}

function isEntry(file: string): boolean {
  return folderOf(file) === '' && ENTRIES.has(relative(LIB, file));
}

describe('the layout of lib/', () => {
  const files = sources(LIB);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));

  it('every folder is a known layer', () => {
    expect(files.map(folderOf).filter((folder) => !(folder in RANKS))).to.deep.equal([]);
  });

  it('imports only point down: own folder, a lower layer or the shared root; entries only from above', () => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const from = folderOf(file);
        const to = folderOf(target);
        const fine = isEntry(file) || (!isEntry(target) && (from === to || RANKS[to]! < RANKS[from]!));
        if (!fine) wrong.push(`${relative(LIB, file)} -> ${relative(LIB, target)}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((each) => relative(LIB, each)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).to.deep.equal([]);
  });

  it('the root holds only the shared modules and the entries', () => {
    const root = files.filter((file) => folderOf(file) === '').map((file) => relative(LIB, file));
    expect(root.sort()).to.deep.equal(['config.ts', 'deliver.ts', 'errors.ts', 'events.ts', 'index.ts', 'lazy.ts', 'postgres.ts', 'redis.ts', 'seal.ts', 'token-shape.ts']);
  });
});
