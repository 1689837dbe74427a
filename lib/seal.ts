import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing for values the package leaves with someone else (token
 * sets in Redis, OAuth state in a cookie): confidential and tamper-evident. A
 * sealed value is bound to its context (the Redis key, the cookie's purpose),
 * so one user's sealed value cannot be replayed under another user's name.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** A key as apps hold one: 32 bytes, or their hex or base64 text. */
export type SealKeyInput = Uint8Array | string;

export interface Sealer {
  seal(plaintext: string, context: string): string;
  /** Undefined when the value was not sealed by this key, for this context, or was changed. */
  open(sealed: string, context: string): string | undefined;
}

/** `keys[0]` seals; every key opens, so a key can be rotated without logging everyone out. */
export function createSealer(keys: readonly SealKeyInput[], what: string): Sealer {
  if (keys.length === 0) throw new TypeError(`${what} needs at least one key`);
  const decoded = keys.map((key) => decodeKey(key, what));
  const [sealing] = decoded as [Buffer, ...Buffer[]];
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealing, iv).setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, context) {
      if (!sealed.startsWith(`${VERSION}.`)) return undefined;
      const bytes = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
      for (const key of decoded) {
        const opened = openWith(key, bytes, context);
        if (opened !== undefined) return opened;
      }
      return undefined;
    },
  };
}

function openWith(key: Buffer, bytes: Buffer, context: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(context));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The error says how long the key was, never what it was. */
function decodeKey(key: SealKeyInput, what: string): Buffer {
  const bytes = typeof key === 'string' ? decodeText(key) : key instanceof Uint8Array ? Buffer.from(key) : undefined;
  if (bytes?.length !== KEY_BYTES) {
    const got = bytes ? `${bytes.length} bytes` : typeof key === 'string' ? 'a string that is neither hex nor base64' : typeof key;
    throw new TypeError(`${what} must be ${KEY_BYTES} bytes (a Buffer, 64 hex characters or base64), got ${got}`);
  }
  return bytes;
}

function decodeText(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return Buffer.from(text, 'base64');
  return undefined;
}
