import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Where Fatture in Cloud lives, and how long the package waits for it. */
export const DEFAULT_BASE_URL = 'https://api-v2.fattureincloud.it';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** setTimeout's ceiling: longer values fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** What every request to Fatture in Cloud needs to know. */
export interface ClientOptions {
  clientID: string;
  clientSecret: string;
  /** Default `https://api-v2.fattureincloud.it`. */
  baseURL?: string | undefined;
  /** Milliseconds for each request, body included. Default 10000. */
  timeout?: number | undefined;
  /** Headers sent on every request the package makes to Fatture in Cloud. */
  customHeaders?: Readonly<Record<string, string | number>> | undefined;
}

export interface ClientConfig {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly baseURL: string;
  readonly authorizationURL: string;
  readonly tokenURL: string;
  readonly timeout: number;
  /** `customHeaders`, checked and as strings. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Validates the options every entry point shares; `where` names the caller in errors. */
export function resolveClientConfig(options: unknown, where: string): ClientConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object with clientID and clientSecret`);
  }
  const { clientID, clientSecret, baseURL, timeout, customHeaders } = options as Partial<ClientOptions>;
  const missing = [
    ['clientID', clientID],
    ['clientSecret', clientSecret],
  ].filter(([, value]) => typeof value !== 'string' || value === '');
  if (missing.length > 0) {
    const names = missing.map(([name]) => name).join(' and ');
    throw new TypeError(`${where} requires ${names} (${missing.length > 1 ? 'non-empty strings' : 'a non-empty string'})`);
  }
  const base = resolveBaseURL(baseURL, where);
  return {
    clientID: clientID as string,
    clientSecret: clientSecret as string,
    baseURL: base,
    authorizationURL: `${base}/oauth/authorize`,
    tokenURL: `${base}/oauth/token`,
    timeout: resolveTimeout(timeout, where),
    headers: resolveHeaders(customHeaders, where),
  };
}

/** `baseURL` checked (http(s), no credentials, query or fragment), without a trailing slash. */
export function resolveBaseURL(baseURL: unknown, where: string): string {
  if (baseURL === undefined) return DEFAULT_BASE_URL;
  const parsed = typeof baseURL === 'string' ? URL.parse(baseURL) : null;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new TypeError(`${where}: baseURL must be an http(s) URL, got ${describeValue(baseURL)}`);
  }
  // Credentials would reach every user's browser in the authorize redirect; the
  // message names the part, never its value.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError(`${where}: baseURL must not hold credentials (user:password@); pass clientID and clientSecret instead`);
  }
  const text = baseURL as string;
  if (text.includes('?') || text.includes('#')) {
    throw new TypeError(`${where}: baseURL must not have a query or a fragment: the package appends paths to it`);
  }
  return text.replace(/\/+$/, '');
}

function resolveHeaders(headers: unknown, where: string): Readonly<Record<string, string>> {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new TypeError(`${where}: customHeaders must be an object of header names and values, got ${describeValue(headers)}`);
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError(`${where}: customHeaders["${name}"] must be a string, got ${describeValue(value)}`);
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(value));
    } catch {
      throw new TypeError(`${where}: customHeaders holds a header Node cannot send (name or value with invalid characters)`);
    }
    checked[name] = String(value);
  }
  return Object.freeze(checked);
}

function resolveTimeout(timeout: unknown, where: string): number {
  return timeout === undefined ? DEFAULT_TIMEOUT_MS : checkDuration(timeout, `${where}: timeout`);
}

/** A duration something waits for (a timeout, a lock, a cookie): positive, and no longer than setTimeout can wait. */
export function checkDuration(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMEOUT_MS) {
    throw new TypeError(`${what} must be a positive number of milliseconds, got ${describeValue(value)}`);
  }
  return value;
}

/** A margin before expiry: zero or more milliseconds. */
export function checkMargin(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new TypeError(`${what} must be a number of milliseconds >= 0, got ${describeValue(value)}`);
  }
  return value;
}

/** Names a value's kind for an error message without echoing what might be a secret. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
