import { hkdfSync, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checkDuration, describeValue } from '../config';
import { type CookieWriter, cookieWriterOf, missingResponseError } from './cookie-writer';
import { createSealer, type Sealer } from '../seal';

/**
 * OAuth `state` in a sealed cookie instead of the session, for apps without
 * session middleware (APIs issuing their own JWTs, most NestJS apps, serverless):
 * CSRF protection stays on. Used through passport-oauth2's `store` option:
 * `new FattureInCloudStrategy({ …, store: new CookieStateStore({ secret }) }, verify)`.
 *
 * The cookie is sealed with AES-256-GCM under a key derived from the secret,
 * HttpOnly, SameSite=Lax (it must survive the top-level redirect back from
 * Fatture in Cloud), Secure when the callback is https, scoped to the callback's
 * path, and single-use: the callback replaces it with a marker that it was used.
 */

export interface CookieStateStoreOptions {
  /** At least 32 bytes. A list rotates secrets: the first seals, all open. Instances that share it share logins. */
  secret: string | readonly string[];
  /** How long a sign-in may take, in ms. Default 10 minutes. */
  maxAge?: number | undefined;
  /** Default `'fic_oauth_state'`. */
  cookieName?: string | undefined;
}

/** What passport-oauth2 hands a state store as `meta`. */
interface StateMeta {
  clientID?: string;
  callbackURL?: string;
}

type StoreCallback = (error: Error | null, state?: string) => void;
type VerifyCallback = (error: Error | null, ok?: boolean, info?: unknown) => void;

/** What the cookie holds, sealed. */
interface SealedState {
  /** The state sent to Fatture in Cloud. */
  state: string;
  /** Which app (client and callback) asked. */
  app: string;
  expiresAt: number;
  /** `passport.authenticate(…, { state })` of the app, handed back as `info.state`. */
  appState?: unknown;
}

const MIN_SECRET_BYTES = 32;
/** Browsers keep a cookie of at most this many bytes, name, value and attributes together; a larger one is dropped silently. */
const MAX_COOKIE_BYTES = 4096;
/** `__Host-` cookies are kept only with Secure, Path=/ and no Domain: the defence against cookie tossing from a sibling subdomain. */
const HOST_PREFIX = '__Host-';
const DEFAULT_MAX_AGE_MS = 10 * 60_000;
const USED = 'used';
const SEAL_CONTEXT = 'passport-fattureincloud oauth state';

export const STATE_REFUSALS = {
  missing: 'No sign-in state came back with the callback: cookies may be blocked, or the sign-in was started elsewhere. Start again.',
  used: 'This sign-in callback was already used. Start again.',
  forged: 'The sign-in state cookie is not valid: it was changed, or sealed with another secret. Start again.',
  expired: 'The sign-in took too long and its state expired. Start again.',
  otherApp: 'The sign-in state cookie belongs to another app. Start again.',
  mismatch: "The callback's state does not match the one this browser started with. Start again.",
} as const;

export class CookieStateStore {
  readonly maxAge: number;
  readonly cookieName: string;
  declare private readonly sealer: Sealer;

  constructor(options: CookieStateStoreOptions) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
      throw new TypeError(`CookieStateStore needs options with a secret, got ${describeValue(options)}`);
    }
    const secrets = typeof options.secret === 'string' ? [options.secret] : Array.isArray(options.secret) ? options.secret : [];
    if (secrets.length === 0 || !secrets.every((secret) => typeof secret === 'string' && Buffer.byteLength(secret) >= MIN_SECRET_BYTES)) {
      throw new TypeError(`CookieStateStore: secret must be a string of at least ${MIN_SECRET_BYTES} bytes, or a list of them (try: openssl rand -hex 32)`);
    }
    const { maxAge = DEFAULT_MAX_AGE_MS, cookieName = 'fic_oauth_state' } = options;
    if (typeof cookieName !== 'string' || !/^[\w-]{1,64}$/.test(cookieName)) {
      throw new TypeError('CookieStateStore: cookieName must be 1 to 64 letters, digits, _ or -');
    }
    this.maxAge = checkDuration(maxAge, 'CookieStateStore: maxAge');
    this.cookieName = cookieName;
    // Non-enumerable: the keys stay out of logs of the store.
    Object.defineProperty(this, 'sealer', { value: createSealer(secrets.map(deriveKey), 'CookieStateStore: secret') });
  }

  /** passport-oauth2 calls this at the start of a login: seal a fresh state into the cookie. */
  store(req: IncomingMessage, appState: unknown, meta: StateMeta, callback: StoreCallback): void {
    const writer = cookieWriterOf(req);
    if (!writer) return callback(missingResponseError());
    const problem = this.hostPrefixProblem(meta);
    if (problem) return callback(new TypeError(`CookieStateStore: ${problem}`));
    const state = randomBytes(24).toString('base64url');
    const sealed: SealedState = { state, app: appOf(meta), expiresAt: Date.now() + this.maxAge };
    if (appState !== undefined) sealed.appState = appState;
    const cookie = this.cookie(this.sealer.seal(JSON.stringify(sealed), SEAL_CONTEXT), meta, this.maxAge);
    const size = Buffer.byteLength(cookie);
    if (size > MAX_COOKIE_BYTES) {
      return callback(new RangeError(`CookieStateStore: the sign-in state cookie would be ${size} bytes, over the ${MAX_COOKIE_BYTES} browsers keep (they drop it silently): pass a smaller state to passport.authenticate`));
    }
    writer.setCookie(cookie);
    callback(null, state);
  }

  /** passport-oauth2 calls this at the callback, before any token request: the state must be the sealed one. */
  verify(req: IncomingMessage, providedState: unknown, meta: StateMeta, callback: VerifyCallback): void {
    const writer: CookieWriter | undefined = cookieWriterOf(req);
    if (!writer) return callback(missingResponseError());
    const value = readCookie(req, this.cookieName);
    // Single use: whatever it held, it is spent now.
    if (value !== undefined) writer.setCookie(this.cookie(USED, meta, this.maxAge));
    const refusal = this.refusal(value, providedState, meta);
    if (typeof refusal === 'string') return callback(null, false, { message: STATE_REFUSALS[refusal] });
    callback(null, true, refusal.appState);
  }

  private refusal(value: string | undefined, providedState: unknown, meta: StateMeta): keyof typeof STATE_REFUSALS | SealedState {
    if (value === undefined) return 'missing';
    if (value === USED) return 'used';
    const sealed = parseSealed(this.sealer.open(value, SEAL_CONTEXT));
    if (!sealed) return 'forged';
    if (sealed.app !== appOf(meta)) return 'otherApp';
    if (sealed.expiresAt <= Date.now()) return 'expired';
    return providedState === sealed.state ? sealed : 'mismatch';
  }

  private cookie(value: string, meta: StateMeta, maxAge: number): string {
    const callback = meta.callbackURL === undefined ? undefined : URL.parse(meta.callbackURL);
    const hostOnly = this.cookieName.startsWith(HOST_PREFIX);
    // A __Host- cookie must have Path=/; any other is scoped to the callback's path.
    const path = hostOnly ? '/' : (callback?.pathname ?? '/');
    const attributes = [`${this.cookieName}=${value}`, `Max-Age=${Math.ceil(maxAge / 1000)}`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax'];
    if (hostOnly || callback?.protocol === 'https:') attributes.push('Secure');
    return attributes.join('; ');
  }

  /** A __Host- cookie is Secure: browsers keep one over https, or over plain http on localhost only. */
  private hostPrefixProblem(meta: StateMeta): string | undefined {
    if (!this.cookieName.startsWith(HOST_PREFIX)) return undefined;
    const callback = meta.callbackURL === undefined ? undefined : URL.parse(meta.callbackURL);
    if (!callback) return `a ${HOST_PREFIX} cookie needs an absolute callbackURL (https, or http on localhost)`;
    if (callback.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(callback.hostname)) return undefined;
    return `a ${HOST_PREFIX} cookie is Secure, and browsers drop it over plain http (${callback.protocol}//${callback.hostname}): use an https callbackURL, or another cookieName`;
  }
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'passport-fattureincloud', 'oauth state cookie', 32));
}

function appOf(meta: StateMeta): string {
  return `${meta.clientID ?? ''} ${meta.callbackURL ?? ''}`;
}

function parseSealed(text: string | undefined): SealedState | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SealedState>;
    return typeof value.state === 'string' && typeof value.app === 'string' && typeof value.expiresAt === 'number' ? (value as SealedState) : undefined;
  } catch {
    return undefined;
  }
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
