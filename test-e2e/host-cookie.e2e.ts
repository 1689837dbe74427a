import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { type RequestHandler } from 'express';
import { Passport } from 'passport';
import { CookieStateStore, FattureInCloudStrategy } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { type Browser, launchBrowser } from './support';

/** A `__Host-` state cookie in a real browser: Chromium keeps it on localhost (a secure context) and sends it back. */
describe('a __Host- state cookie in Chromium', function () {
  this.timeout(60_000);
  let server: Server;
  let standIn: FattureInCloudStandIn;
  let browser: Browser;
  let url: string;

  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://localhost:${(server.address() as AddressInfo).port}`;
    const callbackURL = `${url}/auth/fattureincloud/callback`;
    standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL });
    const passport = new Passport();
    const store = new CookieStateStore({ secret: 'a-cookie-state-secret-of-at-least-32-bytes', cookieName: '__Host-fic_state' });
    passport.use(new FattureInCloudStrategy({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, callbackURL, store }, (_a, _r, profile, done) => done(null, { id: profile.id })));
    const app = express();
    app.get('/auth/fattureincloud', passport.authenticate('fattureincloud', { session: false }) as RequestHandler);
    app.get('/auth/fattureincloud/callback', (req, res, next) => {
      (passport.authenticate('fattureincloud', { session: false }, (error: unknown, user: { id: string } | false, info?: { message?: string }, status?: number) => {
        if (error) next(error);
        else if (!user) res.status(status ?? 401).send(`<p id="refused">${info?.message ?? ''}</p>`);
        else res.send(`<p id="signed-in">${user.id}</p>`);
      }) as RequestHandler)(req, res, next);
    });
    server.on('request', app);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await standIn.close();
  });

  it('sets it Secure with Path=/, keeps it through the consent, and the callback logs in; a second visit is refused', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/auth/fattureincloud`);
    await page.waitForSelector('#scopes');
    const kept = (await browser.context.cookies(url)).find((cookie) => cookie.name === '__Host-fic_state');
    expect(kept, 'Chromium kept the __Host- cookie').to.not.equal(undefined);
    expect(kept).to.include({ secure: true, path: '/', httpOnly: true, sameSite: 'Lax', domain: 'localhost' });
    await page.click('button:has-text("Approve")');
    await page.waitForSelector('#signed-in');
    expect(await page.textContent('#signed-in')).to.equal('12345');
    const callback = page.url();
    await page.goto(callback);
    expect(await page.textContent('#refused')).to.equal('This sign-in callback was already used. Start again.');
    await page.close();
  });
});
