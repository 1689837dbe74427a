import type { ClientConfig } from '../config';
import { FattureInCloudError, FattureInCloudTokenError } from '../errors';
import { type JSONResponse, type Quote, requestJSON } from '../http/request';
import { tokenShapeProblem } from '../token-shape';

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
export type TokenClient = Pick<ClientConfig, 'clientID' | 'clientSecret' | 'tokenURL' | 'timeout' | 'headers'>;

/**
 * Sends one grant as a JSON POST, exactly as the official SDK does, and returns
 * the checked answer. Every failure is a FattureInCloudError free of secrets.
 */
export async function requestToken(client: TokenClient, grant: TokenGrant): Promise<TokenResponse> {
  const spent = grant.grant_type === 'refresh_token' ? grant.refresh_token : grant.code;
  const response = await requestJSON(
    {
      method: 'POST',
      url: client.tokenURL,
      headers: { ...client.headers, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(tokenRequestBody(client, grant)),
      timeout: client.timeout,
      secrets: [client.clientSecret, spent],
    },
    (answer, label, quote) => tokenError(answer, label, grant, quote),
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

function tokenError(response: JSONResponse, label: string, grant: TokenGrant, quote: Quote): FattureInCloudError | undefined {
  const body = response.body as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof body?.error !== 'string') return undefined;
  const code = quote(body.error);
  const description = typeof body.error_description === 'string' ? quote(body.error_description) : undefined;
  const what = grant.grant_type === 'refresh_token' ? 'the token refresh' : 'the authorization code exchange';
  return new FattureInCloudTokenError(
    `Fatture in Cloud refused ${what} (${label}, HTTP ${response.status} ${code})${explain(description, ADVICE[code]?.[grant.grant_type])}`,
    { code, status: response.status, description },
  );
}

/** The provider's description and our advice as one sentence: `: the code has expired. Check …`. */
function explain(description: string | undefined, advice: string | undefined): string {
  const said = description?.trim().replace(/[.\s]+$/, '');
  if (said && advice) return `: ${said}; ${advice}`;
  if (said) return `: ${said}`;
  return advice ? `: ${advice}` : '';
}

/** Beyond a year (the refresh token's own life) a lifetime is a bug or an attack, and would make expiresAt meaningless. */
const MAX_EXPIRES_IN_S = 365 * 86_400;

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
  for (const name of ['access_token', 'refresh_token'] as const) {
    const problem = tokenShapeProblem(fields[name]);
    if (problem) return `with ${name === 'access_token' ? 'an' : 'a'} ${name} that is ${problem}`;
  }
  if (expiresInSeconds(fields.expires_in) === undefined) {
    return `without an expires_in of decimal seconds between 1 and ${MAX_EXPIRES_IN_S}`;
  }
  return undefined;
}

/** Decimal seconds, as a number or a string of digits: not `"0x10"`, not `1e300`. */
function expiresInSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d{1,12}(\.\d{1,6})?$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && seconds > 0 && seconds <= MAX_EXPIRES_IN_S ? seconds : undefined;
}
