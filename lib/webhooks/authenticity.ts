import type { KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * Fatture in Cloud's only proof of origin: an ES256 JWT in `Authorization`.
 * Checked with jose (loaded at the first request: the main entry never loads
 * it): the signature against each configured key, ES256 only (`none`, HS256
 * signed with the public key and every other `alg` are refused before any key
 * is tried), then `iss`, `aud`, `exp`, `iat` and the claims that bind the
 * token to this message: `jti` = the event's id, `sub` = its subject.
 */

export const ISSUER = 'https://api-v2.fattureincloud.it';
/** Clocks differ: this much either way is forgiven on `exp` and `iat`. */
export const CLOCK_TOLERANCE_S = 60;
/** `exp` is `iat` + 3 hours; a token older than that (and the tolerance) is refused whatever its `exp` says. */
const MAX_TOKEN_AGE_S = 3 * 60 * 60;

export type RefusalReason = 'no_token' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_issuer' | 'wrong_audience' | 'wrong_app' | 'wrong_id' | 'wrong_subject' | 'malformed_token';

export class WebhookRefusal extends Error {
  constructor(readonly reason: RefusalReason, message: string) {
    super(message);
  }
}

export interface Expected {
  /** The sink URL `aud` must hold. */
  audience: readonly string[];
  appID: string | undefined;
  /** The event's `ce-id` and `ce-subject`; absent on the verification request. */
  id?: string;
  subject?: string;
}

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
let warned = false;

/**
 * jose is ESM only: imported, not required, and once. Missing, every
 * request is a 503 (Fatture in Cloud retries) and the process is warned, once.
 */
export function loadJose(): Promise<Jose> {
  jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    const missing = new Error("passport-fattureincloud/webhooks needs jose to check Fatture in Cloud's signatures: npm install jose", { cause: error });
    if (!warned) process.emitWarning(missing.message, { code: 'FIC_WEBHOOKS_NO_JOSE' });
    warned = true;
    throw missing;
  });
  return jose;
}

/** The token's claims once every check passed; a WebhookRefusal (never the token) otherwise. */
export async function verifyWebhookToken(authorization: string | undefined, keys: readonly KeyObject[], expected: Expected): Promise<JWTPayload> {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new WebhookRefusal('no_token', 'No Bearer JWT in Authorization');
  const { jwtVerify, errors } = await loadJose();
  let payload: JWTPayload | undefined;
  for (const key of keys) {
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['ES256'],
        issuer: ISSUER,
        audience: [...expected.audience],
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: MAX_TOKEN_AGE_S,
        requiredClaims: ['exp', 'jti', 'sub'],
      }));
      break;
    } catch (error) {
      // Another key may have signed it; any other failure is the token's, whichever key checks it.
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      throw refusalOf(error, errors);
    }
  }
  if (payload === undefined) throw new WebhookRefusal('bad_signature', 'The JWT is not signed by any configured key');
  checkBinding(payload, expected);
  return payload;
}

function checkBinding(payload: JWTPayload, expected: Expected): void {
  if (expected.id !== undefined && payload.jti !== expected.id) throw new WebhookRefusal('wrong_id', 'The JWT was issued for another event (jti is not ce-id)');
  if (expected.subject !== undefined && payload.sub !== expected.subject) throw new WebhookRefusal('wrong_subject', 'The JWT was issued for another company (sub is not ce-subject)');
  if (expected.appID !== undefined && appIDOf(payload) !== expected.appID) throw new WebhookRefusal('wrong_app', 'The JWT was issued for another app (aid)');
}

/** `aid` as a string, whether Fatture in Cloud sends it as a number or a string. */
export function appIDOf(payload: JWTPayload): string | undefined {
  const aid = payload.aid;
  return typeof aid === 'string' || typeof aid === 'number' ? String(aid) : undefined;
}

const CLAIM_REASONS: Record<string, RefusalReason> = { iss: 'wrong_issuer', aud: 'wrong_audience', iat: 'not_yet_valid', nbf: 'not_yet_valid' };

function refusalOf(error: unknown, errors: Jose['errors']): WebhookRefusal {
  if (error instanceof errors.JWTExpired) return new WebhookRefusal('expired', 'The JWT has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = CLAIM_REASONS[error.claim] ?? 'malformed_token';
    return new WebhookRefusal(reason, `The JWT's ${error.claim} claim is not valid (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new WebhookRefusal('bad_signature', 'The JWT is not signed with ES256');
  return new WebhookRefusal('malformed_token', 'The JWT cannot be read');
}
