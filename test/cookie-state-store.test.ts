import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { type RequestHandler } from 'express';
import { Passport } from 'passport';
import { CookieStateStore, FattureInCloudStrategy, STATE_REFUSALS } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { runStrategy } from './helpers';

const SECRET = 'a-cookie-state-secret-of-at-least-32-bytes';

interface App {
  url: string;
}

/** A server on a free loopback port; the app is attached once its URL is known. */
async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}` };
}

/** An Express app with no session middleware at all: the state lives in the cookie alone. */
function startApp(standIn: FattureInCloudStandIn, at: { server: Server; url: string }, callbackURL: string, store: CookieStateStore, clientID = standIn.clientID): App {
  const passport = new Passport();
  passport.use(
    new FattureInCloudStrategy({ clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, callbackURL, store }, (_a, _r, profile, done) =>
      done(null, { id: profile.id }),
    ),
  );
  const app = express();
  app.get('/auth/fattureincloud', passport.authenticate('fattureincloud', { session: false }) as RequestHandler);
  app.get('/auth/fattureincloud/callback', (req, res, next) => {
    (passport.authenticate('fattureincloud', { session: false }, (error: unknown, user: { id: string } | false, info?: { message?: string }, status?: number) => {
      if (error) next(error);
      else if (!user) res.status(status ?? 401).json({ message: info?.message });
      else res.json({ user });
    }) as RequestHandler)(req, res, next);
  });
  at.server.removeAllListeners('request');
  at.server.on('request', app);
  return { url: at.url };
}

/** A browser's cookie jar of one cookie: what the start set, sent back at the callback. */
async function start(app: App): Promise<{ cookie: string; setCookie: string; authorizeURL: URL }> {
  const response = await fetch(`${app.url}/auth/fattureincloud`, { redirect: 'manual' });
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, setCookie, authorizeURL: new URL(response.headers.get('location')!) };
}

async function approve(standIn: FattureInCloudStandIn, authorizeURL: URL): Promise<URL> {
  const form = new URLSearchParams({ ...Object.fromEntries(authorizeURL.searchParams), decision: 'approve' });
  const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  return new URL(decision.headers.get('location')!);
}

async function callback(url: URL | string, cookie?: string): Promise<{ status: number; body: Record<string, unknown>; setCookie: string }> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, setCookie: response.headers.get('set-cookie') ?? '' };
}

describe('CookieStateStore: state in a sealed cookie, no session', () => {
  let standIn: FattureInCloudStandIn;
  let servers: [{ server: Server; url: string }, { server: Server; url: string }];
  let callbackURL: string;

  beforeEach(async () => {
    servers = [await listening(), await listening()];
    // Both instances name the second one's callback: the login may start on either.
    callbackURL = `${servers[1].url}/auth/fattureincloud/callback`;
    standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL });
  });
  afterEach(async () => {
    for (const { server } of servers) server.closeAllConnections();
    await Promise.all(servers.map(({ server }) => new Promise((resolve) => server.close(resolve))));
    await standIn.close();
  });

  function twoInstances(store = () => new CookieStateStore({ secret: SECRET })): [App, App] {
    return [startApp(standIn, servers[0], callbackURL, store()), startApp(standIn, servers[1], callbackURL, store())];
  }

  it('logs in through two instances that share the secret, with no session middleware', async () => {
    const [a] = twoInstances();
    const { cookie, setCookie, authorizeURL } = await start(a);
    expect(setCookie).to.match(/^fic_oauth_state=v1\.[\w-]+; Max-Age=600; Path=\/auth\/fattureincloud\/callback; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.to.include(authorizeURL.searchParams.get('state'));
    const landed = await callback(await approve(standIn, authorizeURL), cookie);
    expect(landed).to.deep.include({ status: 200, body: { user: { id: '12345' } } });
    expect(landed.setCookie).to.match(/^fic_oauth_state=used; Max-Age=600; Path=\/auth\/fattureincloud\/callback; HttpOnly; SameSite=Lax$/);
  });

  it('is Secure when the callback is https, and takes another lifetime', () => {
    const store = new CookieStateStore({ secret: SECRET, maxAge: 60_000 });
    const headers: Record<string, unknown> = {};
    const res = { getHeader: (name: string) => headers[name], setHeader: (name: string, value: unknown) => (headers[name] = value) };
    store.store({ res, headers: {} } as never, undefined, { clientID: 'x', callbackURL: 'https://app.example.com/cb' }, () => undefined);
    expect((headers['Set-Cookie'] as string[])[0]).to.match(/; Max-Age=60; Path=\/cb; HttpOnly; SameSite=Lax; Secure$/);
  });

  /** What store() sets, or the error it calls back with. */
  function stored(store: CookieStateStore, callbackURL: string, appState?: unknown): { cookie: string | undefined; error: Error | null } {
    const headers: Record<string, unknown> = {};
    const res = { getHeader: (name: string) => headers[name], setHeader: (name: string, value: unknown) => (headers[name] = value) };
    let error: Error | null = null;
    store.store({ res, headers: {} } as never, appState, { clientID: 'x', callbackURL }, (failure) => (error = failure));
    return { cookie: (headers['Set-Cookie'] as string[] | undefined)?.[0], error };
  }

  it('a __Host- name: Path=/ and Secure, kept over https and on localhost; over plain http elsewhere, a clear error', () => {
    const store = new CookieStateStore({ secret: SECRET, cookieName: '__Host-fic_state' });
    for (const url of ['https://app.example.com/auth/fattureincloud/callback', 'http://localhost:3000/auth/fattureincloud/callback']) {
      const { cookie, error } = stored(store, url);
      expect(error).to.equal(null);
      expect(cookie).to.match(/^__Host-fic_state=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      expect(cookie).not.to.include('Domain');
    }
    const { cookie, error } = stored(store, 'http://app.example.com/auth/fattureincloud/callback');
    expect(cookie).to.equal(undefined);
    expect(error).to.be.instanceOf(TypeError);
    expect(error?.message).to.match(/a __Host- cookie is Secure, and browsers drop it over plain http \(http:\/\/app\.example\.com\)/);
  });

  it('refuses to start a login whose cookie would pass 4096 bytes, instead of sending one the browser drops', () => {
    const store = new CookieStateStore({ secret: SECRET });
    expect(stored(store, 'https://app.example.com/cb', { next: 'x'.repeat(1_000) }).error).to.equal(null);
    const { cookie, error } = stored(store, 'https://app.example.com/cb', { next: 'x'.repeat(3_000) });
    expect(cookie).to.equal(undefined);
    expect(error).to.be.instanceOf(RangeError);
    expect(error?.message).to.match(/the sign-in state cookie would be \d+ bytes, over the 4096 browsers keep/);
  });

  it('with cookie-session (no regenerate), says how to fix it before the code is spent', async () => {
    const strategy = new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret', callbackURL, state: false }, (_a, _r, _p, done) => done(null, {}));
    const before = standIn.stats.tokenRequests;
    const outcome = await runStrategy(strategy, { query: { code: 'c/some-code-value-0000' }, session: { isPopulated: false, isNew: true } });
    if (outcome.kind !== 'error') throw new Error(outcome.kind);
    expect(outcome.error).to.be.instanceOf(TypeError);
    expect(outcome.error.message).to.match(/req\.session\.regenerate\(\) and save\(\), which cookie-session does not have: add them before passport\.session\(\)/);
    expect(standIn.stats.tokenRequests).to.equal(before);
  });

  const refusals: [keyof typeof STATE_REFUSALS, (login: { cookie: string; callbackURL: URL }) => Promise<{ url: URL; cookie?: string }>][] = [
    ['missing', ({ callbackURL: url }) => Promise.resolve({ url })],
    ['forged', ({ callbackURL: url, cookie }) => Promise.resolve({ url, cookie: cookie.replace(/.{6}$/, 'AAAAAA') })],
    ['mismatch', ({ callbackURL: url, cookie }) => {
      url.searchParams.set('state', 'a-state-of-an-attacker-000');
      return Promise.resolve({ url, cookie });
    }],
    ['used', async ({ callbackURL: url, cookie }) => {
      await callback(url, cookie);
      return { url, cookie: 'fic_oauth_state=used' };
    }],
  ];
  for (const [kind, tamper] of refusals) {
    it(`refuses with 403 and says so, before any token request: ${kind}`, async () => {
      const [a] = twoInstances();
      const { cookie, authorizeURL } = await start(a);
      const { url, cookie: sent } = await tamper({ cookie, callbackURL: await approve(standIn, authorizeURL) });
      const before = standIn.stats.tokenRequests;
      const refused = await callback(url, sent);
      expect(refused).to.deep.include({ status: 403, body: { message: STATE_REFUSALS[kind] } });
      expect(standIn.stats.tokenRequests).to.equal(before);
    });
  }

  it('refuses an expired state, and another app\'s cookie', async () => {
    const [a] = twoInstances(() => new CookieStateStore({ secret: SECRET, maxAge: 1 }));
    const { cookie, authorizeURL } = await start(a);
    const url = await approve(standIn, authorizeURL);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await callback(url, cookie)).body).to.deep.equal({ message: STATE_REFUSALS.expired });
    // The callback's instance is now another app (another client id), sharing the secret.
    startApp(standIn, servers[1], callbackURL, new CookieStateStore({ secret: SECRET }), 'another-client-id');
    startApp(standIn, servers[0], callbackURL, new CookieStateStore({ secret: SECRET }));
    const other = await start(a);
    expect((await callback(await approve(standIn, other.authorizeURL), other.cookie)).body).to.deep.equal({ message: STATE_REFUSALS.otherApp });
  });

  it('rotates secrets: the first seals, all open', async () => {
    const next = 'the-next-cookie-state-secret-of-32-bytes';
    const [a] = [startApp(standIn, servers[0], callbackURL, new CookieStateStore({ secret: SECRET })), startApp(standIn, servers[1], callbackURL, new CookieStateStore({ secret: [next, SECRET] }))];
    const { cookie, authorizeURL } = await start(a);
    expect((await callback(await approve(standIn, authorizeURL), cookie)).status).to.equal(200);
  });

  it('refuses a secret shorter than 32 bytes, and odd options, at construction', () => {
    expect(() => new CookieStateStore({ secret: 'short' })).to.throw(TypeError, /at least 32 bytes/);
    expect(() => new CookieStateStore({ secret: [SECRET, 'short'] })).to.throw(TypeError, /at least 32 bytes/);
    expect(() => new CookieStateStore(undefined as never)).to.throw(TypeError, /needs options with a secret/);
    expect(() => new CookieStateStore({ secret: SECRET, maxAge: 0 })).to.throw(TypeError, /maxAge/);
    expect(() => new CookieStateStore({ secret: SECRET, cookieName: 'a b' })).to.throw(TypeError, /cookieName/);
  });

  it('is a clear error, not a crash, without a response on req.res', async () => {
    const strategy = new FattureInCloudStrategy(
      { clientID: 'id', clientSecret: 'secret', callbackURL, store: new CookieStateStore({ secret: SECRET }) },
      (_a, _r, _p, done) => done(null, {}),
    );
    for (const query of [{}, { code: 'c/some-code-value-0000', state: 'x' }]) {
      const outcome = await runStrategy(strategy, { query });
      if (outcome.kind !== 'error') throw new Error(outcome.kind);
      expect(outcome.error).to.be.instanceOf(TypeError);
      expect(outcome.error.message).to.match(/cannot reach the response to set its cookie: Express and koa-passport give it; under Fastify, register fattureInCloudFastify/);
    }
  });
});
