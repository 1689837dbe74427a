import { join } from 'node:path';
import { expect } from 'chai';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { freePort } from '../test/support/ports';

import { type NodeProcess, spawnNode } from '../test/support/processes';
import { consumerProject } from './tarball';
import { expectWebhooksReceived } from './webhooks';

const STATE_SECRET = 'a-cookie-state-secret-of-at-least-32-bytes';

/** A browser's cookies: what each answer set, sent back with the next request. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      this.cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
    }
    return response;
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

interface Answer {
  status: number;
  body: { user?: { id: string }; message?: string; error?: string };
}

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/**
 * Each framework's own Passport integration, from the packed tarball, with the
 * OAuth state in the framework's session and in the CookieStateStore: a login,
 * and every callback that must be refused before any token request.
 */
describe('Fastify, Koa and Express + cookie-session, from the packed tarball', function () {
  this.timeout(300_000);
  let project: string;
  let standIn: FattureInCloudStandIn;
  const apps: NodeProcess[] = [];

  before(async () => {
    project = await consumerProject('frameworks', [
      'passport@^0.7',
      'fastify@^5',
      '@fastify/passport@^4',
      '@fastify/session@^11',
      '@fastify/cookie@^11',
      'koa@^3',
      'koa-passport@^6',
      'koa-session@^7',
      '@koa/router@^14',
      'express@^5',
      'cookie-session@^2',
      'jose@^6',
    ]);
  });
  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  async function startApp(file: string, mode: 'session' | 'cookie', extra: Record<string, string> = {}): Promise<string> {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    standIn = await startFattureInCloudStandIn({ redirectURI: `${url}/auth/fattureincloud/callback` });
    const webhookSettings = { FIC_WEBHOOK_PUBLIC_KEY: Buffer.from(standIn.webhookPublicKey).toString('base64'), FIC_APP_ID: standIn.appID };
    const env = { PORT: String(port), MODE: mode, FIC_CLIENT_ID: standIn.clientID, FIC_CLIENT_SECRET: standIn.clientSecret, FIC_BASE_URL: standIn.baseURL, STATE_SECRET, ...webhookSettings, ...extra };
    const app = spawnNode([join(project, file)], { cwd: project, env });
    apps.push(app);
    await app.waitFor(/listening/);
    return url;
  }

  /** The login's start and the consent: the callback URL Fatture in Cloud sends the browser to. */
  async function consent(browser: Browser, url: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
    const start = await browser.get(`${url}/auth/fattureincloud`);
    expect(start.status, await start.clone().text()).to.equal(302);
    const authorize = new URL(start.headers.get('location') ?? '');
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision });
    const answered = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    return new URL(answered.headers.get('location') ?? '');
  }

  /** A callback that must be refused: the status, and no token request. */
  async function refused(browser: Browser, callbackURL: URL | string): Promise<Answer> {
    const before = standIn.stats.tokenRequests;
    const refusal = await answer(await browser.get(String(callbackURL)));
    expect(standIn.stats.tokenRequests, 'no token request for a refused callback').to.equal(before);
    return refusal;
  }

  const frameworks = [
    ['Fastify 5 + @fastify/passport', 'fastify-app.mjs'],
    ['Koa 3 + koa-passport', 'koa-app.mjs'],
    ['Express 5 + cookie-session', 'express-cookie-session-app.mjs'],
  ] as const;

  for (const [name, file] of frameworks) {
    for (const mode of ['session', 'cookie'] as const) {
      describe(`${name}, state in ${mode === 'session' ? 'the session' : 'the CookieStateStore'}`, () => {
        let url: string;
        before(async () => {
          url = await startApp(file, mode);
        });
        after(() => standIn.close());

        it('logs in, with the app\'s own cookie kept beside ours', async () => {
          const browser = new Browser();
          const callbackURL = await consent(browser, url);
          if (mode === 'cookie') expect(browser.has('fic_oauth_state'), 'the state cookie').to.equal(true);
          expect(browser.has('app_theme'), "the app's own cookie").to.equal(true);
          expect(await answer(await browser.get(String(callbackURL)))).to.deep.include({ status: 200, body: { user: { id: '12345' } } });
        });

        it('refuses a replayed callback with 403, before any token request', async () => {
          const browser = new Browser();
          const callbackURL = await consent(browser, url);
          expect((await answer(await browser.get(String(callbackURL)))).status).to.equal(200);
          expect((await refused(browser, callbackURL)).status).to.equal(403);
        });

        it('refuses a forged and a missing state with 403, before any token request', async () => {
          const browser = new Browser();
          const callbackURL = await consent(browser, url);
          const forged = new URL(callbackURL);
          forged.searchParams.set('state', 'a-state-of-an-attacker-0000');
          expect((await refused(browser, forged)).status).to.equal(403);
          const missing = new URL(callbackURL);
          missing.searchParams.delete('state');
          expect((await refused(browser, missing)).status).to.equal(403);
        });

        it('refuses another browser\'s code and state with 403, before any token request', async () => {
          const victim = new Browser();
          const attacker = new Browser();
          const attackersCallback = await consent(attacker, url);
          await victim.get(`${url}/auth/fattureincloud`);
          expect((await refused(victim, attackersCallback)).status).to.equal(403);
        });

        if (mode === 'session' && file !== 'express-cookie-session-app.mjs') {
          it('receives the stand-in\'s webhooks in both verification and both CloudEvents modes, and refuses a forged one', async () => {
            await expectWebhooksReceived(standIn, url, `${url}/auth/fattureincloud/callback`);
          });
        }

        it('a denied consent is 401 with our message', async () => {
          const browser = new Browser();
          const callbackURL = await consent(browser, url, 'deny');
          expect(await refused(browser, callbackURL)).to.deep.equal({ status: 401, body: { message: 'You did not allow access to Fatture in Cloud.' } });
        });
      });
    }
  }

  it('Express + cookie-session without the two functions: an error naming the fix, and the code not spent', async () => {
    const url = await startApp('express-cookie-session-app.mjs', 'session', { FIX: 'no' });
    try {
      const browser = new Browser();
      const callbackURL = await consent(browser, url);
      const refusal = await refused(browser, callbackURL);
      expect(refusal.status).to.equal(500);
      expect(refusal.body.error).to.match(/which cookie-session does not have: add them before passport\.session\(\)/);
      expect(standIn.pendingCodes, 'the code is still there to use').to.equal(1);
    } finally {
      await standIn.close();
    }
  });
});
