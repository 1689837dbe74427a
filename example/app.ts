import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import {
  type FattureInCloudCompany,
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudStrategyOptions,
  type FattureInCloudTokenParams,
  type FattureInCloudTokenSet,
  type FattureInCloudVerifyWithParams,
} from 'passport-fattureincloud';
import { errorPage, homePage, profilePage } from './views';

/** What the example keeps in the server-side session: the tokens never reach the browser. */
export interface ExampleUser {
  id: string;
  displayName: string;
  email: string | undefined;
  companies: FattureInCloudCompany[];
  tokens: FattureInCloudTokenSet;
}

declare module 'express-session' {
  interface SessionData {
    notice?: string;
  }
}

export interface ExampleAppOptions {
  strategy: Omit<FattureInCloudStrategyOptions, 'passReqToCallback'>;
  /** Shown on the home page: where the logins go. */
  providerLabel: string;
  sessionSecret?: string;
}

const verify: FattureInCloudVerifyWithParams = (accessToken, refreshToken, params, profile, done) =>
  done(null, toUser(accessToken, refreshToken, params, profile));

function toUser(accessToken: string, refreshToken: string, params: FattureInCloudTokenParams, profile: FattureInCloudProfile): ExampleUser {
  const tokens = { accessToken, refreshToken, tokenType: params.token_type, expiresIn: params.expires_in, expiresAt: Date.now() + params.expires_in * 1000 };
  return { id: profile.id, displayName: profile.displayName, email: profile.emails?.[0]?.value, companies: profile.companies, tokens };
}

export function createApp(options: ExampleAppOptions): express.Express {
  // An Authenticator of its own, so several apps (tests, load runs) can live in one process.
  const passport = new Passport();
  const strategy = new FattureInCloudStrategy(options.strategy, verify);
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: ExampleUser, done) => done(null, user));

  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(
    session({
      secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(passport.session());

  app.get('/', (req, res) => {
    if (userOf(req)) res.redirect('/profile');
    else res.send(homePage(options.providerLabel));
  });
  // Passport types its middleware as `any`; it is a request handler.
  app.get('/auth/fattureincloud', passport.authenticate('fattureincloud') as RequestHandler);
  app.get('/auth/fattureincloud/callback', (req, res, next) => {
    const finish = (error: unknown, user: ExampleUser | false, info?: { message?: string }): void => {
      if (error) {
        next(error);
      } else if (!user) {
        res.status(401).send(errorPage(info?.message ?? 'Sign-in was not completed.'));
      } else {
        req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect('/profile')));
      }
    };
    (passport.authenticate('fattureincloud', finish) as RequestHandler)(req, res, next);
  });
  app.get('/profile', requireUser, (req, res) => {
    const user = signedIn(req);
    const notice = req.session.notice;
    delete req.session.notice;
    res.send(profilePage({ ...user, expiresAt: user.tokens.expiresAt, notice }));
  });
  app.post('/refresh', requireUser, async (req, res) => {
    const user = signedIn(req);
    // The refresh token is single-use: the new set replaces the old one in the session.
    user.tokens = await strategy.refreshAccessToken(user.tokens.refreshToken);
    req.session.notice = `Token refreshed. It now expires ${new Date(user.tokens.expiresAt).toISOString()}.`;
    res.redirect('/profile');
  });
  app.post('/logout', (req, res, next) => req.logout((error) => (error ? next(error) : res.redirect('/'))));
  app.use(renderError);
  return app;
}

/** The user Passport restored from the session: always an ExampleUser, since verify made it. */
function userOf(req: Request): ExampleUser | undefined {
  return req.user as ExampleUser | undefined;
}

/** For routes behind requireUser. */
function signedIn(req: Request): ExampleUser {
  const user = userOf(req);
  if (!user) throw new Error('requireUser must run before this route');
  return user;
}

function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (userOf(req)) {
    next();
    return;
  }
  res.redirect('/');
}

/** Our errors' messages say what happened and hold no secret, so they can be shown. */
// Express knows an error handler by its four parameters, so `next` stays though unused.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function renderError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  res.status(typeof status === 'number' && status >= 400 && status < 600 ? status : 502).send(errorPage(message));
}
