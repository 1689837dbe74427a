import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = join(__dirname, '..');
export const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

export interface PackResult {
  filename: string;
  files: { path: string }[];
}

export interface Shell {
  code: number;
  output: string;
  stdout: string;
}

export async function shell(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Shell> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } });
    return { code: 0, output: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: `${failure.stdout}${failure.stderr}`, stdout: failure.stdout };
  }
}

/** `npm pack`, once for every test file of the run; removed when the process exits. */
let packing: Promise<{ dir: string; tarball: string; packed: PackResult }> | undefined;

export function packOnce(): Promise<{ dir: string; tarball: string; packed: PackResult }> {
  packing ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fic-pack-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const pack = await shell('npm', ['pack', '--json', '--pack-destination', dir], root);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.output}`);
    // The prepack build prints first; the JSON report is the last thing on stdout.
    const packed = (JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as PackResult[])[0]!;
    return { dir, tarball: join(dir, packed.filename), packed };
  })();
  return packing;
}

/** A fresh project holding `template`'s files, with the tarball and `dependencies` installed. */
export async function consumerProject(template: string, dependencies: string[], packageJSON: object = {}): Promise<string> {
  const { dir, tarball } = await packOnce();
  const project = mkdtempSync(join(dir, `${template}-`));
  cpSync(join(__dirname, template), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, ...packageJSON }));
  const install = await shell('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball, ...dependencies], project);
  if (install.code !== 0) throw new Error(`npm install failed: ${install.output}`);
  return project;
}
