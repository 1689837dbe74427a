import { createPublicKey, KeyObject } from 'node:crypto';
import { describeValue } from '../config';

/**
 * The key Fatture in Cloud signs every webhook request with (ES256, P-256), as
 * published on its Notifications page. There is no JWKS URL and no `kid`:
 * a rotation means a new key configured beside this one.
 */
export const FATTURE_IN_CLOUD_WEBHOOK_KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/RoHIjgY7hfXfY5p/Jy+K/FguMZ4
3TvZ9t4eN7+kxQ0MJzKtowv4CcYTFqrBm7hMB5ZWKnqLz24D6lQjSL0Ysw==
-----END PUBLIC KEY-----
`;

/** A key as an app holds it: a PEM, the base64 of a PEM (what fits an environment variable), or a KeyObject. */
export type WebhookKey = string | KeyObject;

/** Every key, checked to be a P-256 public key: a wrong one is an error at start-up, not a 401 for every event. */
export function webhookKeys(keys: WebhookKey | readonly WebhookKey[] | undefined, where: string): KeyObject[] {
  const list = keys === undefined ? [FATTURE_IN_CLOUD_WEBHOOK_KEY] : Array.isArray(keys) ? (keys as readonly WebhookKey[]) : [keys as WebhookKey];
  if (list.length === 0) throw new TypeError(`${where}: keys must hold at least one public key`);
  return list.map((key, index) => publicKeyOf(key, `${where}: keys[${index}]`));
}

function publicKeyOf(key: WebhookKey, where: string): KeyObject {
  if (typeof key !== 'string' && !(key instanceof KeyObject)) throw new TypeError(`${where} must be a PEM public key, the base64 of one, or a KeyObject; got ${describeValue(key)}`);
  let object: KeyObject;
  try {
    object = typeof key === 'string' ? createPublicKey(pemOf(key)) : key.type === 'public' ? key : createPublicKey(key);
  } catch {
    throw new TypeError(`${where} must be a PEM public key, the base64 of one, or a KeyObject; got ${typeof key === 'string' ? 'a string that is neither' : describeValue(key)}`);
  }
  if (object.asymmetricKeyType !== 'ec' || object.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError(`${where} must be an EC P-256 key (ES256), as Fatture in Cloud signs with; got a ${object.asymmetricKeyType ?? 'secret'} key`);
  }
  return object;
}

function pemOf(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}
