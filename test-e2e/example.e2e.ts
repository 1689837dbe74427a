import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const root = join(__dirname, '..');
const outputDir = join(root, 'test-output');
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

/** Starts the example exactly as `npm start` does (without the build), on a free port. */
function startExample(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'example/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', FIC_CLIENT_ID: '', FIC_CLIENT_SECRET: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /at (http:\/\/localhost:\d+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)));
  });
}

describe('the example app in a real browser', function () {
  let example: { child: ChildProcess; url: string } | undefined;
  let browser: BrowserContext | undefined;
  let userDataDir: string | undefined;

  before(async () => {
    example = await startExample();
    userDataDir = mkdtempSync(join(tmpdir(), 'fic-e2e-chromium-'));
    // A persistent context is how Playwright passes a fresh, empty --user-data-dir.
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    example?.child.kill('SIGTERM');
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** The example and browser that `before` started. */
  function running(): { url: string; browser: BrowserContext } {
    if (!example || !browser) throw new Error('the example or the browser did not start');
    return { url: example.url, browser };
  }

  async function logIn(decision: 'Approve' | 'Deny'): Promise<Page> {
    const { url, browser: context } = running();
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(url);
    await page.click('#login');
    await page.waitForSelector('#scopes');
    expect(await page.textContent('#scopes')).to.include('entity.clients:r');
    await page.click(`button:has-text("${decision}")`);
    return page;
  }

  it('logs in through the consent page and lists the companies', async () => {
    const page = await logIn('Approve');
    await page.waitForSelector('#companies');
    expect(page.url()).to.equal(`${running().url}/profile`);
    expect(await page.textContent('h1')).to.equal('Hello, Mario Rossi');
    const rows = await page.locator('#companies tbody tr').allTextContents();
    expect(rows).to.deep.equal(['Rossi S.r.l.companypremium2027-12-31']);
    const html = await page.content();
    expect(html).not.to.match(/[ar]\/[\w-]{20,}/);
    mkdirSync(outputDir, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.screenshot({ path: join(outputDir, 'profile.png'), fullPage: true });
    await page.close();
  });

  it('shows a clear message when the user denies consent', async () => {
    const page = await logIn('Deny');
    await page.waitForSelector('#error-message');
    expect(await page.textContent('#error-message')).to.equal('The user denied the authorization request.');
    await page.goto(`${running().url}/profile`);
    expect(page.url()).to.equal(`${running().url}/`);
    await page.close();
  });

  it('refreshes the token and shows the new expiry', async () => {
    const page = await logIn('Approve');
    await page.waitForSelector('#expiry');
    const before = await page.textContent('#expiry');
    await page.waitForTimeout(1100);
    await page.click('#refresh');
    await page.waitForSelector('#notice');
    const after = await page.textContent('#expiry');
    expect(Date.parse(after!)).to.be.greaterThan(Date.parse(before!));
    expect(await page.textContent('#notice')).to.include(after!);
    await page.click('#logout');
    await page.waitForSelector('#login');
    await page.close();
  });
});
