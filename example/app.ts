import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session, { type Store } from 'express-session';
import helmet from 'helmet';
import { Passport } from 'passport';
import {
  type FattureInCloudCompany,
  FattureInCloudError,
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudStrategyOptions,
  FattureInCloudTokens,
  type FattureInCloudVerifyWithParams,
  type TokenStore,
  tokenSetFingerprint,
  tokenSetFromParams,
} from 'passport-fattureincloud';
import { csrfToken, requireCSRFToken } from './csrf';
import { addClient, grantEnded, listClients } from './fattureincloud-api';
import { actingCompanies, clientsPage, errorPage, homePage } from './views';
import type { ExampleWebhooks } from './webhooks';
import { LIVE_SCRIPT } from './live';

/** Who is logged in: all the session holds. The tokens live in the token store, never in the session or the browser. */
export interface ExampleUser {
  id: string;
  displayName: string;
  email: string | undefined;
  companies: FattureInCloudCompany[];
}

export interface ExampleAppOptions {
  strategy: Omit<FattureInCloudStrategyOptions, 'passReqToCallback'> & { callbackURL: string; baseURL: string };
  /** Shown on the home page: where the logins go. */
  providerLabel: string;
  /** Undefined: a random one, so sessions end with the process. */
  sessionSecret?: string | undefined;
  /** Undefined: express-session's MemoryStore. */
  sessionStore?: Store | undefined;
  /** Undefined: a MemoryTokenStore. */
  tokenStore?: TokenStore | undefined;
  /** Undefined: no webhooks (no public URL to receive them at). */
  webhooks?: ExampleWebhooks | undefined;
}

function toUser(profile: FattureInCloudProfile): ExampleUser {
  return { id: profile.id, displayName: profile.displayName, email: profile.emails?.[0]?.value, companies: profile.companies };
}

export function createApp(options: ExampleAppOptions): express.Express {
  const { callbackURL, clientID, clientSecret, baseURL, timeout } = options.strategy;
  const tokens = new FattureInCloudTokens({ clientID, clientSecret, baseURL, timeout, store: options.tokenStore });
  // Login saves the token set under the user's id; the session keeps only who the user is.
  const { webhooks } = options;
  const verify: FattureInCloudVerifyWithParams = (_accessToken, _refreshToken, params, profile, done) => {
    tokens.save(profile.id, tokenSetFromParams(params)).then(() => {
      // Every login makes sure the user's companies send their client events here (nothing is made twice).
      webhooks?.subscribe(tokens, profile.id, actingCompanies(profile.companies).map(({ id }) => id));
      done(null, toUser(profile));
    }, done);
  };
  // An Authenticator of its own, so several apps (tests, load runs) can live in one process.
  const passport = new Passport();
  passport.use(new FattureInCloudStrategy(options.strategy, verify));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: ExampleUser, done) => done(null, user));

  const secure = new URL(callbackURL).protocol === 'https:';
  const app = express();
  // First: Fatture in Cloud's requests carry no session, and the sink reads its own body.
  if (webhooks) app.use(webhooks.receiver.handler);
  app.use(
    helmet({
      // Over plain http (development), upgrading requests or pinning https would break the app.
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': secure ? [] : null } },
      strictTransportSecurity: secure,
    }),
  );
  app.use(sameHostAsCallback(new URL(callbackURL)));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(
    session({
      secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
      store: options.sessionStore,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure },
    }),
  );
  app.use(passport.session());

  app.get('/', (req, res) => {
    if (userOf(req)) res.redirect('/clients');
    else res.send(homePage(options.providerLabel, endedNotice(req)));
  });
  // Passport types its middleware as `any`; it is a request handler.
  app.get('/auth/fattureincloud', passport.authenticate('fattureincloud') as RequestHandler);
  app.get('/auth/fattureincloud/callback', (req, res, next) => {
    const finish = (error: unknown, user: ExampleUser | false, info?: { message?: string }): void => {
      if (error) return next(error);
      if (!user) return void res.status(401).send(errorPage(info?.message ?? 'Sign-in was not completed.', 'Sign-in problem'));
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect('/clients')));
    };
    (passport.authenticate('fattureincloud', finish) as RequestHandler)(req, res, next);
  });

  app.get('/clients', requireUser, async (req, res) => {
    const user = signedIn(req);
    const companies = actingCompanies(user.companies);
    const requested = Number(req.query.company);
    const companyID = companies.find(({ id }) => id === requested)?.id ?? companies[0]?.id;
    const clients = companyID === undefined ? undefined : await listClients(tokens, user.id, companyID).catch(unlessGrantEnded);
    // After the call: the set it used, refreshed if a 401 made it so.
    const set = companyID !== undefined && !clients ? undefined : await tokens.get(user.id).catch(unlessGrantEnded);
    if (!set) return endSession(req, res, 'authorization-ended');
    const notice = req.query.refreshed === '1' ? `Token refreshed. It now expires ${new Date(set.expiresAt).toISOString()}.` : undefined;
    const token = { expiresAt: set.expiresAt, fingerprint: tokenSetFingerprint(set) };
    const live = webhooks && companyID !== undefined ? { events: webhooks.events(companyID), changes: webhooks.changes(companyID) } : undefined;
    res.send(clientsPage({ ...user, csrfToken: csrfToken(req), companyID, token, clients, notice, live }));
  });
  // What the clients page polls: it fetches itself again when the count of the company's events moves.
  app.get('/clients/changes', requireUser, (req, res) => {
    const companyID = Number(req.query.company);
    const mine = actingCompanies(signedIn(req).companies).some(({ id }) => id === companyID);
    res.set('Cache-Control', 'no-store').json({ changes: mine && webhooks ? webhooks.changes(companyID) : 0 });
  });
  app.get('/live.js', (_req, res) => void res.type('text/javascript').send(LIVE_SCRIPT));
  app.post('/clients', requireUser, requireCSRFToken, async (req, res) => {
    const user = signedIn(req);
    const { company, name } = req.body as Record<string, unknown>;
    const companyID = actingCompanies(user.companies).find(({ id }) => String(id) === company)?.id;
    if (companyID === undefined || typeof name !== 'string' || name.trim() === '') return void res.status(400).send(errorPage('Pick one of your companies and give the client a name.', 'Bad request'));
    const added = await addClient(tokens, user.id, companyID, name.trim()).catch(unlessGrantEnded);
    if (!added) return endSession(req, res, 'authorization-ended');
    if ('error' in added) return void res.status(502).send(errorPage(added.error, 'The client was not added'));
    res.redirect(303, `/clients?company=${companyID}`);
  });
  app.post('/refresh', requireUser, requireCSRFToken, async (req, res) => {
    // Every instance asking at once shares one refresh: the refresh token is single-use.
    // The set the page showed: if another instance refreshed it meanwhile, that refresh is the answer.
    const seen = (req.body as Record<string, unknown>).seen;
    const set = await tokens.refresh(signedIn(req).id, typeof seen === 'string' ? { fingerprint: seen } : undefined).catch(unlessGrantEnded);
    if (!set) return endSession(req, res, 'authorization-ended');
    // What to say travels in the URL, as a code: two instances writing one session at once would lose it.
    res.redirect(303, `/clients?${companyQuery(req)}refreshed=1`);
  });
  app.post('/logout', requireCSRFToken, async (req, res) => {
    const user = userOf(req);
    if (user) await tokens.delete(user.id);
    await endSession(req, res);
  });
  app.use(renderError);
  return app;
}

/**
 * Fatture in Cloud compares the redirect URL as a plain string, and the session
 * cookie belongs to one host name: a browser on 127.0.0.1 while the callback says
 * localhost would come back without its session. Send it to the callback's own
 * origin (scheme, host and port: behind a TLS proxy, still https), and only a
 * plain path: `//elsewhere/x` would pick another host or port.
 */
function sameHostAsCallback(callback: URL): RequestHandler {
  return (req, res, next) => {
    if (req.hostname === callback.hostname || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    const path = req.originalUrl;
    if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) {
      res.status(400).send(errorPage('That address is not one this app serves.', 'Bad request'));
      return;
    }
    res.redirect(308, `${callback.origin}${path}`);
  };
}

/** A grant Fatture in Cloud no longer accepts (the user disconnected the app) ends the session like a missing one. */
function unlessGrantEnded(error: unknown): undefined {
  if (grantEnded(error)) return undefined;
  throw error;
}

/** What the home page may say after a session ended: a code in the URL, never text from it. */
const ENDED = {
  'authorization-ended': 'Your Fatture in Cloud authorization has ended (it was revoked, or its tokens are gone): log in again.',
} as const;

/** Logs out, ends the session everywhere (it is gone from the shared store), and goes home. */
async function endSession(req: Request, res: Response, why?: keyof typeof ENDED): Promise<void> {
  await new Promise<void>((resolve, reject) => req.logout((error) => (error ? reject(error as Error) : resolve())));
  await new Promise<void>((resolve, reject) => req.session.destroy((error) => (error ? reject(error as Error) : resolve())));
  res.redirect(303, why ? `/?ended=${why}` : '/');
}

function endedNotice(req: Request): string | undefined {
  const why = req.query.ended;
  return typeof why === 'string' && Object.hasOwn(ENDED, why) ? ENDED[why as keyof typeof ENDED] : undefined;
}

function companyQuery(req: Request): string {
  const company = (req.body as Record<string, unknown> | undefined)?.company;
  return typeof company === 'string' && /^\d+$/.test(company) ? `company=${company}&` : '';
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
  if (userOf(req)) return next();
  res.redirect('/');
}

/** Our errors' messages say what happened and hold no secret, so they can be shown; anything else is not. */
// Express knows an error handler by its four parameters, so `next` stays though unused.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function renderError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const status = (error as { status?: unknown }).status;
  // passport-oauth2's AuthorizationError carries our words too (the provider's are in its description).
  const known = error instanceof FattureInCloudError || error instanceof TypeError || (error instanceof Error && error.name === 'AuthorizationError');
  const message = known ? error.message : 'Something went wrong on our side.';
  if (!known) console.error(error);
  res.status(typeof status === 'number' && status >= 400 && status < 600 ? status : 502).send(errorPage(message));
}
