import { hkdfSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkDuration, describeValue } from './config';
import { createSealer, type Sealer } from './seal';

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
    const res = responseOf(req);
    if (!res) return callback(missingResponseError());
    const state = randomBytes(24).toString('base64url');
    const sealed: SealedState = { state, app: appOf(meta), expiresAt: Date.now() + this.maxAge };
    if (appState !== undefined) sealed.appState = appState;
    setCookie(res, this.cookie(this.sealer.seal(JSON.stringify(sealed), SEAL_CONTEXT), meta, this.maxAge));
    callback(null, state);
  }

  /** passport-oauth2 calls this at the callback, before any token request: the state must be the sealed one. */
  verify(req: IncomingMessage, providedState: unknown, meta: StateMeta, callback: VerifyCallback): void {
    const res = responseOf(req);
    if (!res) return callback(missingResponseError());
    const value = readCookie(req, this.cookieName);
    // Single use: whatever it held, it is spent now.
    if (value !== undefined) setCookie(res, this.cookie(USED, meta, this.maxAge));
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
    const attributes = [`${this.cookieName}=${value}`, `Max-Age=${Math.ceil(maxAge / 1000)}`, `Path=${callback?.pathname ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
    if (callback?.protocol === 'https:') attributes.push('Secure');
    return attributes.join('; ');
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

/** What the store needs of a response: to read and set headers. */
type CookieResponse = Pick<ServerResponse, 'getHeader' | 'setHeader'>;

/** Express puts the response on `req.res`; a bare node:http request has none. */
function responseOf(req: IncomingMessage): CookieResponse | undefined {
  const res = (req as IncomingMessage & { res?: Partial<CookieResponse> }).res;
  return typeof res?.setHeader === 'function' && typeof res.getHeader === 'function' ? (res as CookieResponse) : undefined;
}

function missingResponseError(): TypeError {
  return new TypeError('CookieStateStore needs the response on req.res to set its cookie (Express puts it there); with another framework, set req.res before passport.authenticate');
}

function setCookie(res: CookieResponse, cookie: string): void {
  const current = res.getHeader('Set-Cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
