import type { ClientConfig } from './config';
import { FattureInCloudError, FattureInCloudTokenError, redact } from './errors';
import { type JSONResponse, requestJSON } from './http';

/** The two grants `POST /oauth/token` takes. */
export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri?: string | undefined }
  | { grant_type: 'refresh_token'; refresh_token: string };

/** The token endpoint's answer, checked: every field the documentation promises is there. */
export interface TokenResponse {
  token_type: string;
  access_token: string;
  /** Single-use: replace the stored refresh token with this one. */
  refresh_token: string;
  /** Seconds; 86400 (24 hours) for Fatture in Cloud. */
  expires_in: number;
  [field: string]: unknown;
}

/** What a token request needs to know of the client. */
export type TokenClient = Pick<ClientConfig, 'clientID' | 'clientSecret' | 'tokenURL' | 'timeout'>;

/**
 * Sends one grant as a JSON POST, exactly as the official SDK does, and returns
 * the checked answer. Every failure is a FattureInCloudError free of secrets.
 */
export async function requestToken(client: TokenClient, grant: TokenGrant): Promise<TokenResponse> {
  const secret = grant.grant_type === 'refresh_token' ? grant.refresh_token : grant.code;
  const secrets = [client.clientSecret, secret];
  const response = await requestJSON(
    {
      method: 'POST',
      url: client.tokenURL,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(tokenRequestBody(client, grant)),
      timeout: client.timeout,
    },
    (answer, label) => tokenError(answer, label, grant, secrets),
  );
  return checkTokenResponse(response);
}

/** Field order as the official SDK sends them. */
function tokenRequestBody(client: TokenClient, grant: TokenGrant): Record<string, string | undefined> {
  const credentials = { client_id: client.clientID, client_secret: client.clientSecret };
  if (grant.grant_type === 'refresh_token') {
    return { grant_type: grant.grant_type, ...credentials, refresh_token: grant.refresh_token };
  }
  return {
    grant_type: grant.grant_type,
    ...credentials,
    redirect_uri: grant.redirect_uri,
    code: grant.code,
  };
}

/** What each RFC 6749 error means for whoever reads the log. */
const ADVICE: Record<string, Partial<Record<TokenGrant['grant_type'], string>>> = {
  invalid_grant: {
    authorization_code:
      'the authorization code is invalid, expired (codes live 60 seconds) or already used, or redirect_uri differs from the registered one',
    refresh_token:
      'the refresh token is invalid, expired or already used; the user must authorize the app again',
  },
  invalid_client: {
    authorization_code: 'check clientID and clientSecret',
    refresh_token: 'check clientID and clientSecret',
  },
};

function tokenError(
  response: JSONResponse,
  label: string,
  grant: TokenGrant,
  secrets: readonly string[],
): FattureInCloudError | undefined {
  const body = response.body as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof body?.error !== 'string') return undefined;
  const code = redact(body.error, secrets);
  const description =
    typeof body.error_description === 'string' ? redact(body.error_description, secrets) : undefined;
  const what = grant.grant_type === 'refresh_token' ? 'the token refresh' : 'the authorization code exchange';
  const advice = ADVICE[code]?.[grant.grant_type];
  const details = [description, advice].filter(Boolean).join(': ');
  return new FattureInCloudTokenError(
    `Fatture in Cloud refused ${what} (${label}, HTTP ${response.status} ${code})${details ? `: ${details}` : ''}`,
    { code, status: response.status, description },
  );
}

function checkTokenResponse({ body, status }: JSONResponse): TokenResponse {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problem = tokenResponseProblem(fields);
  if (problem) {
    throw new FattureInCloudError(`Fatture in Cloud's token endpoint answered HTTP ${status} ${problem}`, {
      code: 'invalid_response',
      status,
    });
  }
  return {
    ...fields,
    token_type: typeof fields.token_type === 'string' ? fields.token_type : 'bearer',
    access_token: fields.access_token as string,
    refresh_token: fields.refresh_token as string,
    expires_in: Number(fields.expires_in),
  };
}

function tokenResponseProblem(fields: Record<string, unknown>): string | undefined {
  if (!isNonEmptyString(fields.access_token)) return 'without an access_token string';
  if (!isNonEmptyString(fields.refresh_token)) return 'without a refresh_token string';
  const expiresIn = fields.expires_in;
  const seconds = typeof expiresIn === 'string' && expiresIn.trim() !== '' ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    return 'without a positive expires_in';
  }
  return undefined;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
