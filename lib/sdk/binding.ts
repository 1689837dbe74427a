import { Configuration, type UserApi } from '@fattureincloud/fattureincloud-ts-sdk';
import axios, { type AxiosError } from 'axios';
import { type RetryNotice, type RetryOptions, resolveRetry } from '../http/call-policy';
import { checkDuration, DEFAULT_TIMEOUT_MS, describeValue, resolveBaseURL } from '../config';
import { FattureInCloudTokenError, type RateLimitInfo } from '../errors';
import type { FattureInCloudTokens } from '../tokens/manager';
import type { FattureInCloudQuota, QuotaPriority, QuotaWait } from '../quota/quota';
import { policyAdapter, type QuotaSettings } from './adapter';
import { contextOf, toPackageError } from './errors';

export interface FattureInCloudSDKOptions {
  /** Where the user's token set lives and is kept fresh. */
  tokens: FattureInCloudTokens;
  /** The key the set was saved under (`profile.id`). */
  key: string;
  /** Default: the one `tokens` was made with. */
  baseURL?: string | undefined;
  /** The longest one attempt may take, in ms. Default 10000. */
  timeout?: number | undefined;
  /** How 429s are waited out. Default `{ rateLimited: 2, maxWait: 30000 }`. */
  retry?: RetryOptions | undefined;
  /** Called with the `RateLimit-*` counters of every answer that carries them. */
  onRateLimit?: ((info: RateLimitInfo) => void) | undefined;
  /** Called before every retry: why, and how long the call waits first. */
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  /** The company's request budget, shared with every process that shares its store: each attempt takes one unit before it is sent. */
  quota?: FattureInCloudQuota | undefined;
  /** `interactive` (default: a person waits) may spend the whole hour; `background` (jobs) stops at the quota's reserve. */
  priority?: QuotaPriority | undefined;
  /** For jobs: wait for the window to turn if that is within `maxWait` ms, instead of FattureInCloudQuotaError at once. */
  wait?: QuotaWait | undefined;
}

/**
 * The axios instance as the SDK's own declarations resolve it: under some
 * resolutions axios has two declaration files, and only the SDK's one fits its classes.
 */
export type SDKAxiosInstance = NonNullable<ConstructorParameters<typeof UserApi>[2]>;

type APIConstructorParameters = ConstructorParameters<typeof UserApi>;

/** Any of the SDK's API classes (`ClientsApi`, `IssuedDocumentsApi`, …): they share one constructor. */
export type FattureInCloudAPIClass<T> = new (...args: APIConstructorParameters) => T;

/**
 * A class whose constructor is exactly the API classes' `(configuration?,
 * basePath?, axios?)`: what takes those arguments among others (`Date`, a
 * class of `...args: any[]`) is `never`, a type error at the call.
 */
export type OnlyAPIClass<C> = C extends new (...args: infer P) => unknown ? (APIConstructorParameters extends P ? (P extends APIConstructorParameters ? C : never) : never) : never;

export interface FattureInCloudSDK {
  /** `new ApiClass(configuration, undefined, axios)`: every call with a fresh token and the call policy. */
  api<C extends FattureInCloudAPIClass<object>>(ApiClass: OnlyAPIClass<C>): InstanceType<C>;
  /** Its `accessToken` is a fresh token per call; `basePath` is the base URL. */
  readonly configuration: Configuration;
  /** The instance `api` builds with: for requests the SDK does not cover. */
  readonly axios: SDKAxiosInstance;
}

/**
 * The official SDK bound to a user's stored token set: a fresh token on every
 * call (refreshed first when it is about to expire, once for every caller in
 * every process), a 401 recovered once, 429s waited, 502/503/504 retried for
 * GET and HEAD, and only the package's errors, which hold no token.
 */
export function fattureInCloudSDK(options: FattureInCloudSDKOptions): FattureInCloudSDK {
  const { tokens, key, baseURL, timeout, retry, onRateLimit, onRetry, quota } = checkOptions(options);
  const accessToken = async (): Promise<string> => (await tokens.get(key) ?? noTokenSet()).accessToken;
  const recover = async (used: string): Promise<string> => (await tokens.refresh(key, { accessToken: used }) ?? noTokenSet()).accessToken;
  const instance = axios.create({ baseURL, timeout, maxRedirects: 0 });
  const adapter = policyAdapter({
    origin: new URL(baseURL).origin,
    timeout,
    retry,
    accessToken,
    recover,
    onRateLimit,
    onRetry,
    quota,
  });
  instance.defaults.adapter = adapter;
  // Whatever axios rejects with on its own (a cancellation it saw first) carries the request's headers: replaced too.
  instance.interceptors.response.use(undefined, (error: unknown) => Promise.reject(toPackageError(error, contextOf((error as AxiosError | undefined)?.config, timeout))));
  // Handed to an API class on its own (`new ClientsApi(fic.configuration)`, the SDK's documented
  // pattern), it still sends through the policy: the SDK merges baseOptions into every request.
  const configuration = new Configuration({ accessToken, basePath: baseURL, baseOptions: { adapter, timeout, maxRedirects: 0 } });
  return {
    api: <C extends FattureInCloudAPIClass<object>>(ApiClass: OnlyAPIClass<C>) => {
      if (typeof ApiClass !== 'function') throw new TypeError(`fattureInCloudSDK: api() needs one of the SDK's API classes (such as ClientsApi), got ${describeValue(ApiClass)}`);
      return new (ApiClass as C)(configuration, undefined, instance) as InstanceType<C>;
    },
    configuration,
    axios: instance,
  };
}

function noTokenSet(): never {
  throw new FattureInCloudTokenError('No token set is stored for this user: the user must log in with Fatture in Cloud (authorize the app) again', {
    code: 'no_token_set',
    description: undefined,
  });
}

function checkOptions(options: FattureInCloudSDKOptions) {
  const where = 'fattureInCloudSDK';
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError(`${where} needs options ({ tokens, key }), got ${describeValue(options)}`);
  const { tokens, key } = options;
  if (typeof (tokens as Partial<FattureInCloudTokens> | undefined)?.get !== 'function' || typeof tokens.refresh !== 'function') {
    throw new TypeError(`${where}: tokens must be a FattureInCloudTokens, got ${describeValue(tokens)}`);
  }
  if (typeof (key as unknown) !== 'string' || key === '') throw new TypeError(`${where}: key must be the non-empty key the token set was saved under (such as profile.id), got ${describeValue(key)}`);
  for (const name of ['onRateLimit', 'onRetry'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`${where}: ${name} must be a function, got ${describeValue(options[name])}`);
  }
  return {
    tokens,
    key,
    baseURL: resolveBaseURL(options.baseURL ?? tokens.baseURL, where),
    timeout: options.timeout === undefined ? DEFAULT_TIMEOUT_MS : checkDuration(options.timeout, `${where}: timeout`),
    retry: resolveRetry(options.retry, where),
    onRateLimit: options.onRateLimit,
    onRetry: options.onRetry,
    quota: quotaSettings(options, where),
  };
}

function quotaSettings(options: FattureInCloudSDKOptions, where: string): QuotaSettings | undefined {
  const { quota, priority = 'interactive', wait } = options;
  if (quota === undefined) {
    if (options.priority !== undefined || wait !== undefined) throw new TypeError(`${where}: priority and wait need a quota (new FattureInCloudQuota(…))`);
    return undefined;
  }
  if (typeof (quota as Partial<FattureInCloudQuota> | null)?.acquire !== 'function') throw new TypeError(`${where}: quota must be a FattureInCloudQuota, got ${describeValue(quota)}`);
  if (!(['interactive', 'background'] as unknown[]).includes(priority)) throw new TypeError(`${where}: priority must be 'interactive' or 'background', got ${describeValue(priority)}`);
  if (wait !== undefined) checkDuration((wait as Partial<QuotaWait> | null)?.maxWait, `${where}: wait.maxWait`);
  return { quota, priority, wait };
}
