import type { OutgoingHttpHeaders } from 'node:http';
import { OAuth2, type oauth2tokenCallback } from 'oauth';
import { DEFAULT_TIMEOUT_MS } from './config';
import { deliver } from './deliver';
import { refreshOnce } from './refresh';
import { requestToken, type TokenResponse } from './token-endpoint';

type TokenCallback = oauth2tokenCallback;
/** The `oauth` client passes `null` for "no error", though its typings do not admit it. */
const NO_ERROR = null as unknown as Error;

/**
 * passport-oauth2's `oauth` client, but the token request is the JSON POST
 * Fatture in Cloud documents instead of a form POST. Code that reuses
 * `strategy._oauth2` (passport-oauth2-refresh does) gets the same request.
 */
export class JsonOAuth2Client extends OAuth2 {
  readonly timeout: number;

  constructor(
    clientId: string,
    clientSecret: string,
    baseSite: string,
    authorizePath: string,
    accessTokenPath: string,
    customHeaders?: OutgoingHttpHeaders,
    timeout = DEFAULT_TIMEOUT_MS,
  ) {
    super(clientId, clientSecret, baseSite, authorizePath, accessTokenPath, customHeaders);
    this.timeout = timeout;
    // Never put a token in a query string, even through the inherited `get`.
    this.useAuthorizationHeaderforGET(true);
    // passport-oauth2-refresh copies this method onto a client it builds without
    // our timeout; bound, it keeps this client's settings.
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

  private async requestTokens(code: string, params: Record<string, unknown>): Promise<TokenResponse> {
    const client = {
      clientID: this._clientId,
      clientSecret: this._clientSecret,
      tokenURL: this._getAccessTokenUrl(),
      timeout: this.timeout,
    };
    if (params.grant_type === 'refresh_token') return refreshOnce(client, code);
    const redirectURI = typeof params.redirect_uri === 'string' ? params.redirect_uri : undefined;
    return requestToken(client, { grant_type: 'authorization_code', code, redirect_uri: redirectURI });
  }
}
