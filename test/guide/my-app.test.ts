import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import type { FattureInCloudTokens } from 'passport-fattureincloud';
import { type FattureInCloudStandIn, SAMPLE_USER, startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { createApp } from './app';

describe('my app, against the stand-in', () => {
  const callbackURL = 'http://127.0.0.1/auth/fattureincloud/callback';
  let standIn: FattureInCloudStandIn;
  let app: Express;
  let tokens: FattureInCloudTokens;

  beforeEach(async () => {
    // autoApprove: the consent page approves itself, so the test needs no form handling.
    standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL, autoApprove: true });
    ({ app, tokens } = createApp({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, callbackURL }));
  });
  afterEach(() => standIn.close());

  /** A logged-in browser: the app's redirect, the stand-in's at once, then the app's callback. */
  async function logIn() {
    const browser = request.agent(app);
    const start = await browser.get('/auth/fattureincloud').expect(302);
    const approved = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    await browser.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/clients');
    return browser;
  }

  /** The user's stored token set, as the app saved it at login. */
  async function stored() {
    return (await tokens.store.read(String(SAMPLE_USER.id)))!.tokens;
  }

  it('logs in and lists the clients', async () => {
    const browser = await logIn();
    const { body } = await browser.get('/clients').expect(200);
    expect(body).to.have.length(3);
  });

  it('an expired access token is refreshed on the way, unseen', async () => {
    const browser = await logIn();
    standIn.expireAccessToken((await stored()).accessToken);
    await browser.get('/clients').expect(200);
  });

  it('a dead grant (the user disconnected the app) sends the user to log in again', async () => {
    const browser = await logIn();
    const { accessToken, refreshToken } = await stored();
    standIn.revokeRefreshToken(refreshToken);
    standIn.expireAccessToken(accessToken);
    await browser.get('/clients').expect(302).expect('location', '/auth/fattureincloud');
  });

  it('a 429 is waited out; a used-up quota is a page that says when to come back', async () => {
    const browser = await logIn();
    standIn.failNext(1, { type: 'rate-limited', retryAfter: 1 });
    await browser.get('/clients').expect(200);
    standIn.failNext(1, { type: 'quota-exceeded' });
    const { text } = await browser.get('/clients').expect(503);
    expect(text).to.match(/try again in \d+ s/);
  });
});
