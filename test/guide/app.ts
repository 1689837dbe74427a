import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import express, { type ErrorRequestHandler, type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { FattureInCloudStrategy, FattureInCloudTokenError, FattureInCloudTokens, type FattureInCloudVerifyWithParams, isRateLimited, tokenSetFromParams } from 'passport-fattureincloud';
import { fattureInCloudSDK } from 'passport-fattureincloud/sdk';

/** What the session keeps of a user: never a token. */
interface AppUser {
  id: string;
  companyID: number | undefined;
}

export interface AppSettings {
  clientID: string;
  clientSecret: string;
  /** The stand-in's address in tests; unset, Fatture in Cloud. */
  baseURL?: string | undefined;
  callbackURL: string;
}

/** The app as a function of its settings, so that a test can point it at a stand-in. */
export function createApp(settings: AppSettings): { app: Express; tokens: FattureInCloudTokens } {
  const { clientID, clientSecret, baseURL, callbackURL } = settings;
  const tokens = new FattureInCloudTokens({ clientID, clientSecret, baseURL });
  const passport = new Passport(); // one per app: tests make many
  const verify: FattureInCloudVerifyWithParams = (_accessToken, _refreshToken, params, profile, done) => {
    tokens.save(profile.id, tokenSetFromParams(params)).then(() => done(null, { id: profile.id, companyID: profile.companies[0]?.id ?? undefined }), done);
  };
  passport.use(new FattureInCloudStrategy({ clientID, clientSecret, baseURL, callbackURL, scope: ['entity.clients:r'] }, verify));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: AppUser, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'a-test-session-secret-of-32-chars!', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  app.get('/auth/fattureincloud', passport.authenticate('fattureincloud'));
  app.get('/auth/fattureincloud/callback', passport.authenticate('fattureincloud', { failureRedirect: '/' }), (_req, res) => res.redirect('/clients'));
  app.get('/clients', async (req, res) => {
    const user = req.user as AppUser | undefined;
    if (!user?.companyID) return res.redirect('/auth/fattureincloud');
    const { data } = await fattureInCloudSDK({ tokens, key: user.id }).api(ClientsApi).listClients(user.companyID);
    res.json((data.data ?? []).map((client) => client.name));
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    if (error instanceof FattureInCloudTokenError) return req.logout(() => res.redirect('/auth/fattureincloud'));
    if (isRateLimited(error)) return res.status(503).send(`Fatture in Cloud is busy: try again in ${error.retryAfter ?? 60} s.`);
    res.status(500).send('Something went wrong.');
  };
  app.use(onError);
  return { app, tokens };
}
