import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clientsOf } from '../lib/testing/api/samples';
import type { StandInStats } from '../lib/testing/index';
import { type Browser, launchBrowser, outputDir, type Started, startExample } from './support';

/** The offline default: `npm start` with no Redis and no credentials, in a real browser. */
describe('the example app in a real browser, offline', function () {
  let example: (Started & { match: RegExpExecArray }) | undefined;
  let browser: Browser | undefined;

  before(async () => {
    example = await startExample({ PORT: '0', FIC_CLIENT_ID: '', FIC_CLIENT_SECRET: '', REDIS_URL: '', SESSION_SECRET: '' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await example?.stop();
  });

  /** The example and browser that `before` started. */
  function running(): { url: string; browser: Browser } {
    if (!example?.match[1] || !browser) throw new Error('the example or the browser did not start');
    return { url: example.match[1], browser };
  }

  async function logIn(decision: 'Approve' | 'Deny', startURL = running().url): Promise<Page> {
    const { context } = running().browser;
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(startURL);
    await page.click('#login');
    await page.waitForSelector('#scopes');
    expect(await page.textContent('#scopes')).to.include('entity.clients:a');
    await page.click(`button:has-text("${decision}")`);
    return page;
  }

  /** No token may reach the browser: not in a page, not in a cookie. */
  async function expectNoTokens(page: Page): Promise<void> {
    expect(await page.content()).not.to.match(/[ar]\/[\w-]{20,}/);
    const cookies = await running().browser.context.cookies();
    expect(JSON.stringify(cookies)).not.to.match(/[ar](\/|%2F)[\w-]{20,}/);
  }

  it('says at start that sessions and tokens end with the process', () => {
    expect(example?.output()).to.include('Sessions and tokens are kept in memory: they end with the process (set REDIS_URL to keep them in Redis).');
    expect(example?.output()).to.include('SESSION_SECRET is not set: a random one is used, so sessions end with the process.');
  });

  it('sends a browser that opened 127.0.0.1 to localhost, logs in, and lists the company\'s clients', async () => {
    const { url } = running();
    const page = await logIn('Approve', url.replace('localhost', '127.0.0.1'));
    await page.waitForSelector('#clients');
    expect(page.url()).to.equal(`${url}/clients`);
    expect(await page.textContent('h1')).to.equal('Hello, Mario Rossi');
    expect(await page.locator('#company option').allTextContents()).to.deep.equal(['Rossi S.r.l.']);
    const rows = await page.locator('#clients tbody tr td:first-child').allTextContents();
    expect(rows).to.deep.equal(clientsOf(12345).map((client) => client.name));
    await expectNoTokens(page);
    mkdirSync(outputDir, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.screenshot({ path: join(outputDir, 'clients.png'), fullPage: true });
    await page.close();
  });

  it('a client added in another tab appears on the clients page within a second, with its webhook event, no reload by hand', async () => {
    const page = await logIn('Approve');
    await page.waitForSelector('#clients');
    await page.waitForSelector('#events');
    expect(await page.textContent('#events')).to.include('subscriptions.welcome');
    const other = await running().browser.context.newPage();
    await other.goto(`${running().url}/clients`);
    const name = `Webhook client ${Date.now()}`;
    await other.fill('#client-name', name);
    await other.click('#add-client');
    await other.waitForSelector('#clients');
    // The page polls every 500 ms: the new row is there well within this bound, or the test fails.
    await page.locator('#clients tbody tr td:first-child', { hasText: name }).waitFor({ timeout: 2_000 });
    expect(await page.textContent('#events')).to.include('entities.clients.create');
    await expectNoTokens(page);
    await other.close();
    await page.close();
  });

  it('shows our clear message when the user denies consent', async () => {
    const page = await logIn('Deny');
    await page.waitForSelector('#error-message');
    expect(await page.textContent('#error-message')).to.equal('You did not allow access to Fatture in Cloud.');
    await page.goto(`${running().url}/clients`);
    expect(page.url()).to.equal(`${running().url}/`);
    await page.close();
  });

  it('refreshes the token, shows the new expiry, and logs out', async () => {
    const page = await logIn('Approve');
    await page.waitForSelector('#expiry');
    const before = await page.textContent('#expiry');
    await page.waitForTimeout(1100);
    await page.click('#refresh');
    await page.waitForSelector('#notice');
    const after = await page.textContent('#expiry');
    expect(Date.parse(after!)).to.be.greaterThan(Date.parse(before!));
    expect(await page.textContent('#notice')).to.include(after!);
    await expectNoTokens(page);
    await page.click('#logout');
    await page.waitForSelector('#login');
    await page.goto(`${running().url}/clients`);
    expect(page.url()).to.equal(`${running().url}/`);
    await page.close();
  });

  it('recovers from a 401 on the clients page with no message, and waits out a 429', async () => {
    const standIn = /offline stand-in at (http:\/\/[\d.:]+)\)/.exec(example?.output() ?? '')?.[1];
    if (!standIn) throw new Error('the example did not say where its stand-in is');
    const stats = async () => (await (await fetch(`${standIn}/stand-in/stats`)).json()) as StandInStats;
    const fail = (fault: object) => fetch(`${standIn}/stand-in/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ count: 1, fault }) });
    const page = await logIn('Approve');
    await page.waitForSelector('#clients');
    const fingerprint = await page.inputValue('input[name="seen"]');
    const rows = await page.locator('#clients tbody tr').count();
    const before = await stats();
    // The access token was revoked early: the next call gets 401.
    expect((await fail({ type: 'unauthorized' })).status).to.equal(204);
    await page.reload();
    await page.waitForSelector('#clients');
    expect(await page.locator('#clients-error').count()).to.equal(0);
    expect(await page.locator('#clients tbody tr').count()).to.equal(rows);
    const after = await stats();
    expect(after.tokenRequests - before.tokenRequests, 'one refresh recovered the 401').to.equal(1);
    expect(after.faults.unauthorized - before.faults.unauthorized).to.equal(1);
    // The page shows the set the call recovered with.
    expect(await page.inputValue('input[name="seen"]')).not.to.equal(fingerprint);
    await fail({ type: 'rate-limited', retryAfter: 1 });
    const started = Date.now();
    await page.reload();
    await page.waitForSelector('#clients');
    expect(Date.now() - started).to.be.at.least(1000);
    expect((await stats()).faults['rate-limited'] - before.faults['rate-limited']).to.equal(1);
    await expectNoTokens(page);
    await page.close();
  });

  it('refuses a cross-site form post to /refresh and /logout (CSRF)', async () => {
    const page = await logIn('Approve');
    await page.waitForSelector('#clients');
    const { url } = running();
    for (const action of ['/refresh', '/logout']) {
      // A post that carries the user's cookie but not the page's token: what a same-site page (another port, a subdomain) can send.
      const status = await page.evaluate(async (target) => (await fetch(target, { method: 'POST', body: new URLSearchParams({ _csrf: 'forged' }), credentials: 'include' })).status, `${url}${action}`);
      expect(status).to.equal(403);
    }
    await page.goto(`${url}/clients`);
    expect(page.url()).to.equal(`${url}/clients`);
    await page.close();
  });

  it('sends the usual security headers', async () => {
    const response = await fetch(`${running().url}/`);
    expect(response.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(response.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(response.headers.get('content-security-policy')).to.include("frame-ancestors 'self'");
  });
});
