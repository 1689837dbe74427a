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
}

export interface ClientConfig {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly baseURL: string;
  readonly authorizationURL: string;
  readonly tokenURL: string;
  readonly timeout: number;
}

/** Validates the options every entry point shares; `where` names the caller in errors. */
export function resolveClientConfig(options: unknown, where: string): ClientConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object with clientID and clientSecret`);
  }
  const { clientID, clientSecret, baseURL, timeout } = options as Partial<ClientOptions>;
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
  };
}

function resolveBaseURL(baseURL: unknown, where: string): string {
  if (baseURL === undefined) return DEFAULT_BASE_URL;
  const parsed = typeof baseURL === 'string' ? URL.parse(baseURL) : null;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new TypeError(`${where}: baseURL must be an http(s) URL, got ${describeValue(baseURL)}`);
  }
  return (baseURL as string).replace(/\/+$/, '');
}

function resolveTimeout(timeout: unknown, where: string): number {
  if (timeout === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_TIMEOUT_MS) {
    throw new TypeError(
      `${where}: timeout must be a positive number of milliseconds, got ${describeValue(timeout)}`,
    );
  }
  return timeout;
}

/** Names a value's kind for an error message without echoing what might be a secret. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
