import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Passport, type Strategy } from 'passport';
import OAuth2Strategy = require('passport-oauth2');
import { FattureInCloudStrategy } from 'passport-fattureincloud';

/** The two contenders, each in an express + passport app whose callback route logs a user in. */

const CALLBACK = 'http://localhost/callback';

export function ourStrategy(baseURL: string): Strategy {
  return new FattureInCloudStrategy(
    { clientID: 'bench', clientSecret: 'bench-secret', callbackURL: CALLBACK, baseURL, state: false },
    (_a, _r, profile, done) => done(null, { id: profile.id }),
  );
}

/** Plain passport-oauth2 configured by hand: its form POST, the profile calls one after the other. */
class HandConfiguredStrategy extends OAuth2Strategy {
  constructor(private readonly baseURL: string) {
    super(
      { clientID: 'bench', clientSecret: 'bench-secret', callbackURL: CALLBACK, authorizationURL: `${baseURL}/oauth/authorize`, tokenURL: `${baseURL}/oauth/token`, state: false },
      (_a: string, _r: string, profile: { id: string }, done: OAuth2Strategy.VerifyCallback) => done(null, { id: profile.id }),
    );
    this.name = 'baseline';
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  override userProfile(accessToken: string, done: (error?: unknown, profile?: object) => void): void {
    // The `oauth` typings say the error is always there; at run time it is null on success.
    this._oauth2.get(`${this.baseURL}/user/info`, accessToken, (error: unknown, info) => {
      if (error) {
        done(error);
        return;
      }
      this._oauth2.get(`${this.baseURL}/user/companies`, accessToken, (error2: unknown, companies) => {
        if (error2) {
          done(error2);
          return;
        }
        const user = JSON.parse(String(info)) as { data: { id: number } };
        done(null, { id: String(user.data.id), companies: JSON.parse(String(companies)) as object });
      });
    });
  }
}

export function baselineStrategy(baseURL: string): Strategy {
  return new HandConfiguredStrategy(baseURL);
}

export async function startApp(strategy: Strategy): Promise<{ url: string; close: () => Promise<void> }> {
  const passport = new Passport();
  passport.use('bench', strategy);
  const app = express();
  app.get('/callback', passport.authenticate('bench', { session: false }) as express.RequestHandler, (req, res) => {
    res.send(`ok ${(req.user as { id: string }).id}`);
  });
  const server: Server = createServer(app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
