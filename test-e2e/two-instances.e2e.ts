import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clientsOf } from '../lib/testing/api/samples';
import { freePort } from '../test/support/ports';
import { printedSettings } from '../test/support/processes';
import { RedisServer } from '../test/support/redis-server';
import { type Browser, launchBrowser, outputDir, type Started, startExample, startProcess } from './support';

/**
 * The production template: two example instances sharing one Redis and one
 * stand-in started through its command line, as two instances behind a load
 * balancer would. The login starts on A, the callback lands on B.
 */
describe('two example instances on one Redis, in a real browser', function () {
  this.timeout(120_000);
  let redis: RedisServer | undefined;
  let standIn: Started | undefined;
  let instances: Started[] = [];
  let browser: Browser | undefined;
  let urls: { a: string; b: string; provider: string };

  before(async () => {
    redis = await RedisServer.start();
    const [portA, portB] = [await freePort(), await freePort()];
    urls = { a: `http://localhost:${portA}`, b: `http://localhost:${portB}`, provider: '' };
    const callbackURL = `${urls.b}/auth/fattureincloud/callback`;
    const cli = await startProcess(['dist/testing/cli.js', '--port', '0', '--redirect-uri', callbackURL, '--accountant'], {}, /FIC_BASE_URL=(\S+)\n/);
    standIn = cli;
    const settings = printedSettings(cli.output());
    urls.provider = settings.FIC_BASE_URL!;
    const env = { ...settings, FIC_CALLBACK_URL: callbackURL, REDIS_URL: redis.url, SESSION_SECRET: 'a-shared-session-secret-of-32-chars-or-more', TOKENS_KEY: 'ab'.repeat(32) };
    instances = await Promise.all([startExample({ ...env, PORT: String(portA) }), startExample({ ...env, PORT: String(portB) })]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await standIn?.stop();
    await redis?.stop();
  });

  function context() {
    if (!browser) throw new Error('the browser did not start');
    return browser.context;
  }

  async function tokenRequests(): Promise<number> {
    return ((await (await fetch(`${urls.provider}/stand-in/stats`)).json()) as { tokenRequests: number }).tokenRequests;
  }

  it('says at start that sessions and tokens are in Redis', () => {
    for (const instance of instances) expect(instance.output()).to.match(/Sessions and tokens are kept in Redis at 127\.0\.0\.1:\d+, token sets sealed with TOKENS_KEY\./);
    // The tests' Redis keeps nothing on disk: the example says what that costs.
    for (const instance of instances) expect(instance.output()).to.match(/Warning: Redis at 127\.0\.0\.1:\d+ has no AOF \(appendonly no\): a crash right after a token refresh would cost that user their authorization/);
  });

  it('logs in on A, lands on B, and shows the chosen company\'s clients on both', async () => {
    const page = await context().newPage();
    await page.goto(urls.a);
    await page.click('#login');
    await page.click('button:has-text("Approve")');
    await page.waitForSelector('#clients');
    expect(page.url()).to.equal(`${urls.b}/clients`);
    const companies = await page.locator('#company option').allTextContents();
    expect(companies).to.deep.equal(['Studio Commercialista', 'Studio Commercialista (controlled)', 'Mario Rossi SRL (controlled)']);
    expect(await clientNames(page)).to.deep.equal(clientsOf(12345).map((client) => client.name));
    await page.selectOption('#company', { label: 'Mario Rossi SRL (controlled)' });
    await page.click('#show');
    await page.waitForURL(`${urls.b}/clients?company=12347`);
    expect(await clientNames(page)).to.deep.equal(clientsOf(12347).map((client) => client.name));
    mkdirSync(outputDir, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.screenshot({ path: join(outputDir, 'company-picker.png'), fullPage: true });
    await page.goto(`${urls.a}/clients?company=12347`);
    expect(await page.textContent('h1')).to.equal('Hello, Mario Rossi');
    expect(await clientNames(page)).to.deep.equal(clientsOf(12347).map((client) => client.name));
    await page.close();
  });

  it('makes one token request when the refresh button is pressed on A and B at the same moment', async () => {
    const [onA, onB] = [await context().newPage(), await context().newPage()];
    await onA.goto(`${urls.a}/clients`);
    await onB.goto(`${urls.b}/clients`);
    const before = await tokenRequests();
    const expiryBefore = await onA.textContent('#expiry');
    await onA.waitForTimeout(1100);
    await Promise.all([onA.click('#refresh'), onB.click('#refresh')]);
    await Promise.all([onA.waitForSelector('#notice'), onB.waitForSelector('#notice')]);
    expect(await tokenRequests()).to.equal(before + 1);
    const [expiryA, expiryB] = [await onA.textContent('#expiry'), await onB.textContent('#expiry')];
    expect(expiryA).to.equal(expiryB);
    expect(Date.parse(expiryA!)).to.be.greaterThan(Date.parse(expiryBefore!));
    expect(await onA.content()).not.to.match(/[ar]\/[\w-]{20,}/);
    await onA.close();
    await onB.close();
  });

  it('logs out on one instance and so on both', async () => {
    const page = await context().newPage();
    await page.goto(`${urls.a}/clients`);
    await page.click('#logout');
    await page.waitForSelector('#login');
    await page.goto(`${urls.b}/clients`);
    expect(page.url()).to.equal(`${urls.b}/`);
    await page.close();
  });
});

function clientNames(page: Page): Promise<string[]> {
  return page.locator('#clients tbody tr td:first-child').allTextContents();
}
