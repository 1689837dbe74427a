import type { OutgoingHttpHeaders } from 'node:http';
import { OAuth2, type dataCallback, type oauth2tokenCallback } from 'oauth';
import { type ClientConfig, DEFAULT_TIMEOUT_MS } from '../config';
import { deliver } from '../deliver';
import { FattureInCloudError } from '../errors';
import { lazy } from '../lazy';
import type { TokenClient, TokenResponse } from './token-endpoint';

type TokenCallback = oauth2tokenCallback;

/** The HTTP side, loaded at the first token request: a strategy that only redirects to consent needs none of it. */
const http = lazy(() => require('../http/request') as typeof import('../http/request'));
const tokenEndpoint = lazy(() => require('./token-endpoint') as typeof import('./token-endpoint'));
const refreshes = lazy(() => require('./refresh') as typeof import('./refresh'));
/** The `oauth` client passes `null` for "no error", though its typings do not admit it. */
const NO_ERROR = null as unknown as Error;

/** What the client needs beyond the `oauth` constructor's positional arguments. */
export type JsonOAuth2Settings = Pick<ClientConfig, 'timeout' | 'headers'>;

/**
 * passport-oauth2's `oauth` client, with every request it makes going through
 * the package's HTTP helper: the token request is the JSON POST Fatture in Cloud
 * documents instead of a form POST, and the inherited `get` has a timeout. Code
 * that reuses `strategy._oauth2` (passport-oauth2-refresh does) gets the same.
 */
export class JsonOAuth2Client extends OAuth2 {
  readonly settings: JsonOAuth2Settings;

  constructor(
    clientId: string,
    clientSecret: string,
    baseSite: string,
    authorizePath: string,
    accessTokenPath: string,
    customHeaders?: OutgoingHttpHeaders,
    settings: JsonOAuth2Settings = { timeout: DEFAULT_TIMEOUT_MS, headers: {} },
  ) {
    super(clientId, clientSecret, baseSite, authorizePath, accessTokenPath, customHeaders);
    this.settings = settings;
    // Never put a token in a query string, even through the inherited `get`.
    this.useAuthorizationHeaderforGET(true);
    // passport-oauth2-refresh copies this method onto a client it builds without
    // our settings; bound, it keeps this client's.
    this.getOAuthAccessToken = this.getOAuthAccessToken.bind(this);
  }

  override getOAuthAccessToken(
    code: string,
    paramsOrCallback: object | TokenCallback,
    maybeCallback?: TokenCallback,
  ): void {
    // The two call shapes of the `oauth` client: (code, params, callback) and (code, callback).
    const [params, callback] =
      typeof paramsOrCallback === 'function' ? [{}, paramsOrCallback] : [paramsOrCallback, maybeCallback];
    if (!callback) throw new TypeError('getOAuthAccessToken requires a callback');
    deliver(this.requestTokens(code, params as Record<string, unknown>), (error, response) => {
      if (error || !response) callback(error as Error);
      else callback(NO_ERROR, response.access_token, response.refresh_token, response);
    });
  }

  /** The inherited `get`, with the package's timeout, headers and errors; the token goes in the header. */
  override get(url: string, accessToken: string, callback: dataCallback): void {
    const request = http().requestText({
      method: 'GET',
      url,
      headers: { ...this.settings.headers, Authorization: `Bearer ${accessToken}` },
      timeout: this.settings.timeout,
      secrets: [this._clientSecret, accessToken],
    }).then(({ status, text }) => {
      if (status >= 200 && status < 300) return text;
      throw new FattureInCloudError(`Fatture in Cloud answered ${http().labelOf('GET', url)} with HTTP ${status}`, { code: 'http_error', status });
    });
    // The `oauth` typings want an error object here even for success, where it passes null.
    deliver(request, (error, text) => {
      callback(error as { statusCode: number }, text, undefined);
    });
  }

  private async requestTokens(code: string, params: Record<string, unknown>): Promise<TokenResponse> {
    const client: TokenClient = {
      clientID: this._clientId,
      clientSecret: this._clientSecret,
      tokenURL: this._getAccessTokenUrl(),
      ...this.settings,
    };
    if (params.grant_type === 'refresh_token') return refreshes().refreshOnce(client, code);
    const redirectURI = typeof params.redirect_uri === 'string' ? params.redirect_uri : undefined;
    return tokenEndpoint().requestToken(client, { grant_type: 'authorization_code', code, redirect_uri: redirectURI });
  }
}
