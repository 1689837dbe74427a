import type { Request } from 'express';
import OAuth2Strategy = require('passport-oauth2');
import { readCallback } from './callback';
import type { CookieStateStore } from './cookie-state-store';
import { type ClientConfig, type ClientOptions, resolveClientConfig } from '../config';
import { deliver } from '../deliver';
import { FattureInCloudError, redact } from '../errors';
import { channels, codeOf, publish } from '../events';
import { JsonOAuth2Client } from '../oauth/oauth2-client';
import type { FattureInCloudProfile } from './profile';
import { lazy } from '../lazy';
import type { EnsureFreshOptions, FattureInCloudTokenSet } from '../oauth/refresh';
import { normalizeScope, type ScopeInput } from '../oauth/scopes';
import type { TokenResponse } from '../oauth/token-endpoint';

type PassedThroughOptions = Omit<
  OAuth2Strategy._StrategyOptionsBase,
  'authorizationURL' | 'tokenURL' | 'clientID' | 'clientSecret' | 'scope' | 'scopeSeparator' | 'state' | 'pkce' | 'customHeaders' | 'store'
>;

export interface FattureInCloudStrategyOptionsBase extends PassedThroughOptions, ClientOptions {
  /** Must equal, as a string, the redirect URL registered for the app. */
  callbackURL?: string | undefined;
  /** Checked against the 44 valid scopes and joined with one space. */
  scope?: ScopeInput | undefined;
  /** CSRF protection through the session (or `store`). Default true. */
  state?: boolean | undefined;
  /** Where `state` lives instead of the session: a CookieStateStore, or any passport-oauth2 state store. */
  store?: OAuth2Strategy.StateStore | CookieStateStore | undefined;
  /** Keep each company's `access_token` in the profile (a live credential). Default false. */
  includeCompanyAccessTokens?: boolean | undefined;
}

export interface FattureInCloudStrategyOptions extends FattureInCloudStrategyOptionsBase {
  passReqToCallback?: false | undefined;
}

export interface FattureInCloudStrategyOptionsWithRequest extends FattureInCloudStrategyOptionsBase {
  passReqToCallback: true;
}

/** The token endpoint's answer, as passport-oauth2 hands it to a 5- or 6-argument verify. */
export type FattureInCloudTokenParams = TokenResponse;
export type FattureInCloudVerifyCallback = OAuth2Strategy.VerifyCallback;

/** `verify(accessToken, refreshToken, profile, done)`. */
export type FattureInCloudVerify = (
  accessToken: string,
  refreshToken: string,
  profile: FattureInCloudProfile,
  done: FattureInCloudVerifyCallback,
) => void;

/** `verify(accessToken, refreshToken, params, profile, done)`: `params` is the token response. */
export type FattureInCloudVerifyWithParams = (
  accessToken: string,
  refreshToken: string,
  params: FattureInCloudTokenParams,
  profile: FattureInCloudProfile,
  done: FattureInCloudVerifyCallback,
) => void;

/** With `passReqToCallback: true`: `verify(req, accessToken, refreshToken, profile, done)`. */
export type FattureInCloudVerifyWithRequest = (
  req: Request,
  ...args: Parameters<FattureInCloudVerify>
) => void;

/** With `passReqToCallback: true`: `verify(req, accessToken, refreshToken, params, profile, done)`. */
export type FattureInCloudVerifyWithRequestAndParams = (
  req: Request,
  ...args: Parameters<FattureInCloudVerifyWithParams>
) => void;

export type FattureInCloudVerifyFunction = FattureInCloudVerify | FattureInCloudVerifyWithParams;
export type FattureInCloudVerifyFunctionWithRequest =
  | FattureInCloudVerifyWithRequest
  | FattureInCloudVerifyWithRequestAndParams;

/** Options `passport.authenticate('fattureincloud', …)` understands beyond Passport's own. */
export interface FattureInCloudAuthenticateOptions {
  scope?: ScopeInput | undefined;
  callbackURL?: string | undefined;
  state?: string | object | undefined;
  /** passport's own: `false` logs no user into a session. */
  session?: boolean | undefined;
}

const NAME = 'fattureincloud';

/** What a callback and a refresh need, loaded at the first one: starting a login needs neither. */
const profiles = lazy(() => require('./fetch-profile') as typeof import('./fetch-profile'));
const refreshes = lazy(() => require('../oauth/refresh') as typeof import('../oauth/refresh'));

export class FattureInCloudStrategy extends OAuth2Strategy {
  override name = NAME;
  // Not #private: Passport runs each request on Object.create(strategy), where
  // private fields do not resolve. Non-enumerable keeps the secret out of logs.
  declare private readonly client: ClientConfig;
  declare private readonly includeCompanyAccessTokens: boolean;

  // One overload per verify arity. TypeScript fixes an inline callback's parameter
  // types at the first overload it tries, so the 4-argument form (the common one)
  // comes first; annotate a 5-argument callback with FattureInCloudVerifyWithParams.
  constructor(options: FattureInCloudStrategyOptions, verify: FattureInCloudVerify);
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- a union would leave inline callbacks untyped
  constructor(options: FattureInCloudStrategyOptions, verify: FattureInCloudVerifyWithParams);
  constructor(options: FattureInCloudStrategyOptionsWithRequest, verify: FattureInCloudVerifyWithRequest);
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- as above
  constructor(options: FattureInCloudStrategyOptionsWithRequest, verify: FattureInCloudVerifyWithRequestAndParams);
  constructor(
    options: FattureInCloudStrategyOptions | FattureInCloudStrategyOptionsWithRequest,
    verify: FattureInCloudVerifyFunction | FattureInCloudVerifyFunctionWithRequest,
  ) {
    const client = resolveClientConfig(options, 'FattureInCloudStrategy');
    if (typeof verify !== 'function') throw new TypeError('FattureInCloudStrategy requires a verify callback');
    const scope = options.scope === undefined ? undefined : normalizeScope(options.scope, 'FattureInCloudStrategy');
    super(
      {
        ...options,
        authorizationURL: client.authorizationURL,
        tokenURL: client.tokenURL,
        scope,
        scopeSeparator: ' ',
        state: options.state ?? true,
      } as OAuth2Strategy.StrategyOptions,
      verify as OAuth2Strategy.VerifyFunction,
    );
    Object.defineProperties(this, {
      client: { value: client },
      includeCompanyAccessTokens: { value: options.includeCompanyAccessTokens === true },
    });
    this._oauth2 = new JsonOAuth2Client(
      client.clientID,
      client.clientSecret,
      '',
      client.authorizationURL,
      client.tokenURL,
      client.headers,
      client,
    );
  }

  override authenticate(req: Request, options: FattureInCloudAuthenticateOptions = {}): void {
    const outcome = readCallback(req.query, req.body as Record<string, unknown> | undefined);
    if (outcome.kind !== 'start') this.observeLogin();
    switch (outcome.kind) {
      case 'denied':
        // Anyone can put anything in a callback URL: the message is ours, the
        // provider's description (scrubbed) goes beside it, never in its place.
        return this.fail({ message: DENIED_MESSAGE, description: this.scrub(outcome.description) }, 401);
      case 'provider_error':
        return this.error(authorizationError(outcome, (text) => this.scrub(text)));
      case 'invalid':
        return this.fail({ message: `Invalid callback from Fatture in Cloud: ${outcome.reason}.` }, 400);
      case 'code': {
        // Said before the code is spent: afterwards the user would have to start over anyway.
        const problem = options.session === false ? undefined : sessionProblem(req);
        if (problem) return this.error(new TypeError(problem));
        break;
      }
      case 'start':
        if (options.scope !== undefined) {
          try {
            options = { ...options, scope: normalizeScope(options.scope, "passport.authenticate('fattureincloud')") };
          } catch (error) {
            return this.error(error);
          }
        }
    }
    super.authenticate(req, options);
  }

  /**
   * Publishes how this callback ended (`fattureincloud:login`, `…:login:failed`)
   * by wrapping the actions passport gave this request's strategy object. Only
   * when someone listens: otherwise the actions stay as they are.
   */
  private observeLogin(): void {
    if (!channels.login.hasSubscribers && !channels.loginFailed.hasSubscribers) return;
    const startedAt = performance.now();
    // The actions passport set on this request's object, called as passport would.
    const actions = this as unknown as Record<'success' | 'fail' | 'error', (...args: unknown[]) => void>;
    const { success, fail, error } = actions;
    actions.success = (user: unknown, info?: unknown) => {
      publish(channels.login, () => ({ userId: userIdOf(user), durationMs: Math.round(performance.now() - startedAt) }));
      success.call(this, user, info);
    };
    actions.fail = (challenge?: unknown, status?: unknown) => {
      publish(channels.loginFailed, () => ({ reason: failureReason(challenge, typeof status === 'number' ? status : undefined) }));
      fail.call(this, challenge, status);
    };
    actions.error = (failure: unknown) => {
      // Ours carry a code (invalid_grant, timeout…); passport-oauth2's AuthorizationError carries the provider's.
      publish(channels.loginFailed, () => ({ reason: codeOf(failure) }));
      error.call(this, failure);
    };
  }

  private scrub(text: string | undefined): string | undefined {
    return text === undefined ? undefined : redact(text, [this.client.clientSecret]);
  }

  /** Parameters in the order the official SDK sends them: response_type, client_id, then the rest. */
  override authorizationParams(): object {
    return { response_type: 'code', client_id: this.client.clientID };
  }

  override userProfile(accessToken: string, done: (err?: unknown, profile?: FattureInCloudProfile) => void): void {
    deliver(this.loadProfile(accessToken), done);
  }

  /**
   * A new token set from a refresh token. Concurrent calls with the same token
   * share one request. The returned `refreshToken` replaces the old one: store it.
   */
  refreshAccessToken(refreshToken: string): Promise<FattureInCloudTokenSet> {
    return refreshes().refreshTokenSet(this.client, refreshToken);
  }

  /** `tokenSet` itself while it is valid beyond the margin (5 minutes), else a refreshed one to store. */
  ensureFreshToken(tokenSet: FattureInCloudTokenSet, options?: EnsureFreshOptions): Promise<FattureInCloudTokenSet> {
    return refreshes().ensureFreshTokenSet(this.client, tokenSet, options);
  }

  private async loadProfile(accessToken: string): Promise<FattureInCloudProfile> {
    const profile = await profiles().fetchProfile(this.client, accessToken, {
      includeCompanyAccessTokens: this.includeCompanyAccessTokens,
    });
    // Apps key their users on profile.id: an empty one would merge strangers.
    if (profile.id === '') {
      throw new FattureInCloudError('Fatture in Cloud answered GET /user/info without a user id', {
        code: 'invalid_response',
        status: 200,
      });
    }
    return profile;
  }

  /** Our errors already say what happened; passport-oauth2 would bury them under "Failed to obtain access token". */
  protected _createOAuthError(message: string, error: unknown): Error {
    if (error instanceof FattureInCloudError) return error;
    return new FattureInCloudError(message, { code: 'token_error', cause: error });
  }
}

const DENIED_MESSAGE = 'You did not allow access to Fatture in Cloud.';

/**
 * passport ≥ 0.6 logs a user in by `req.session.regenerate()` and `save()`, which
 * cookie-session's session lacks: the login would fail after the code is spent.
 */
function sessionProblem(req: Request): string | undefined {
  const session = (req as unknown as { session?: Record<string, unknown> }).session;
  if (!session || typeof session.regenerate === 'function' || !('isPopulated' in session)) return undefined;
  return 'passport logs users in with req.session.regenerate() and save(), which cookie-session does not have: add them before passport.session() (app.use((req, _res, next) => { req.session.regenerate ??= (done) => done(); req.session.save ??= (done) => done(); next(); })), use express-session, or authenticate with { session: false }';
}

/** The app's user id where its user has one; never anything else of the user. */
function userIdOf(user: unknown): string | undefined {
  const id = (user as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Why a callback failed, as a code: the message (which may quote the provider) is not published. */
function failureReason(challenge: unknown, status: number | undefined): string {
  const message = (challenge as { message?: unknown } | undefined)?.message;
  if (message === DENIED_MESSAGE) return 'access_denied';
  if (status === 400) return 'invalid_callback';
  if (status === 403) return 'state_refused';
  return 'verify_refused';
}

/** An OAuth error code is a short word (RFC 6749 §4.1.2.1); anything else is not quoted. */
const ERROR_CODE_SHAPE = /^[a-z0-9_.-]{1,64}$/i;

/** passport-oauth2's AuthorizationError, with a message of our words and the provider's description beside it. */
type FattureInCloudAuthorizationError = OAuth2Strategy.AuthorizationError & { description: string | undefined };

function authorizationError(
  { error, description, uri }: { error: string; description: string | undefined; uri: string | undefined },
  scrub: (text: string | undefined) => string | undefined,
): FattureInCloudAuthorizationError {
  const scrubbed = scrub(error) ?? '';
  const code = ERROR_CODE_SHAPE.test(scrubbed) ? scrubbed : 'unrecognised_error';
  const authorizationError = new OAuth2Strategy.AuthorizationError(
    `Fatture in Cloud could not authorize the app (${code}); see the error's description for the provider's words`,
    code,
    scrub(uri),
  );
  return Object.assign(authorizationError, { description: scrub(description) });
}
