import { lazyExports } from './lazy';
import { FattureInCloudStrategy } from './login/strategy';

export { FattureInCloudStrategy, FattureInCloudStrategy as Strategy };
export type {
  FattureInCloudAuthenticateOptions,
  FattureInCloudStrategyOptions,
  FattureInCloudStrategyOptionsBase,
  FattureInCloudStrategyOptionsWithRequest,
  FattureInCloudTokenParams,
  FattureInCloudVerify,
  FattureInCloudVerifyCallback,
  FattureInCloudVerifyFunction,
  FattureInCloudVerifyFunctionWithRequest,
  FattureInCloudVerifyWithParams,
  FattureInCloudVerifyWithRequest,
  FattureInCloudVerifyWithRequestAndParams,
} from './login/strategy';
export type { CookieStateStoreOptions } from './login/cookie-state-store';
export { Scope, isFattureInCloudScope } from './oauth/scopes';
export type { FattureInCloudScope, ScopeInput } from './oauth/scopes';
export {
  FattureInCloudAPIError,
  FattureInCloudError,
  FattureInCloudQuotaError,
  FattureInCloudTokenError,
  isRateLimited,
} from './errors';
export type { RateLimitInfo, TransportErrorCode } from './errors';
export type {
  FattureInCloudCompaniesResponse,
  FattureInCloudCompany,
  FattureInCloudPlan,
  FattureInCloudProfile,
  FattureInCloudUser,
  FattureInCloudUserInfoResponse,
  ParseProfileOptions,
} from './login/profile';
export type { AbortOptions } from './http/abort';
export type { RefreshIdleOptions, RefreshIdleReport } from './tokens/refresh-idle';
export { CHANNELS } from './events';
export type { APIRetryEvent, DeadGrantEvent, LoginEvent, LoginFailedEvent, QuotaEvent, StoreErrorEvent, SubscriptionEvent, TokenRefreshEvent, WebhookDuplicateEvent, WebhookReceivedEvent, WebhookRefusedEvent } from './events';
export type { FattureInCloudQuotaOptions, QuotaAnswer, QuotaPriority, QuotaRemaining, QuotaWait, QuotaWindowState } from './quota/quota';
export type { QuotaCounts, QuotaStore, QuotaTake, QuotaTaken } from './quota/store';
export type { FattureInCloudTokensOptions, SeenTokenSet } from './tokens/manager';
export type { StoredTokenSet, TokenStore } from './tokens/store';
export type { EnsureFreshOptions, FattureInCloudTokenSet } from './oauth/refresh';
export type { ClientOptions } from './config';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './config';
export type {
  AuthenticateOptionsFor,
  FattureInCloudPassportOptions,
} from './login/passport-augmentation';

/*
 * Loaded at first use: starting a login needs none of these. Each is declared
 * here for TypeScript and for Node's ESM loader, and defined by lazyExports.
 */
type CookieStateStoreModule = typeof import('./login/cookie-state-store');
type ProfileModule = typeof import('./login/profile');
type RefreshModule = typeof import('./oauth/refresh');
type ManagerModule = typeof import('./tokens/manager');
type MemoryStoreModule = typeof import('./tokens/stores/memory');
type TokenSetModule = typeof import('./tokens/token-set');
type QuotaModule = typeof import('./quota/quota');
type MemoryQuotaStoreModule = typeof import('./quota/stores/memory');

export let CookieStateStore: CookieStateStoreModule['CookieStateStore'];
export type CookieStateStore = import('./login/cookie-state-store').CookieStateStore;
export let STATE_REFUSALS: CookieStateStoreModule['STATE_REFUSALS'];
export let parseProfile: ProfileModule['parseProfile'];
export let ensureFreshToken: RefreshModule['ensureFreshToken'];
export let refreshAccessToken: RefreshModule['refreshAccessToken'];
export let FattureInCloudTokens: ManagerModule['FattureInCloudTokens'];
export type FattureInCloudTokens = import('./tokens/manager').FattureInCloudTokens;
export let MemoryTokenStore: MemoryStoreModule['MemoryTokenStore'];
export type MemoryTokenStore = import('./tokens/stores/memory').MemoryTokenStore;
export let tokenSetFingerprint: TokenSetModule['tokenSetFingerprint'];
export let tokenSetFromParams: TokenSetModule['tokenSetFromParams'];
export let FattureInCloudQuota: QuotaModule['FattureInCloudQuota'];
export type FattureInCloudQuota = import('./quota/quota').FattureInCloudQuota;
export let MemoryQuotaStore: MemoryQuotaStoreModule['MemoryQuotaStore'];
export type MemoryQuotaStore = import('./quota/stores/memory').MemoryQuotaStore;

interface LazyExports {
  CookieStateStore: typeof CookieStateStore;
  STATE_REFUSALS: typeof STATE_REFUSALS;
  parseProfile: typeof parseProfile;
  ensureFreshToken: typeof ensureFreshToken;
  refreshAccessToken: typeof refreshAccessToken;
  FattureInCloudTokens: typeof FattureInCloudTokens;
  MemoryTokenStore: typeof MemoryTokenStore;
  tokenSetFingerprint: typeof tokenSetFingerprint;
  tokenSetFromParams: typeof tokenSetFromParams;
  FattureInCloudQuota: typeof FattureInCloudQuota;
  MemoryQuotaStore: typeof MemoryQuotaStore;
}

const cookieStateStore = (): CookieStateStoreModule => require('./login/cookie-state-store') as CookieStateStoreModule;
const refresh = (): RefreshModule => require('./oauth/refresh') as RefreshModule;
const tokenSet = (): TokenSetModule => require('./tokens/token-set') as TokenSetModule;

lazyExports<LazyExports>(
  module.exports as object,
  {
    CookieStateStore: () => cookieStateStore().CookieStateStore,
    STATE_REFUSALS: () => cookieStateStore().STATE_REFUSALS,
    parseProfile: () => (require('./login/profile') as ProfileModule).parseProfile,
    ensureFreshToken: () => refresh().ensureFreshToken,
    refreshAccessToken: () => refresh().refreshAccessToken,
    FattureInCloudTokens: () => (require('./tokens/manager') as ManagerModule).FattureInCloudTokens,
    MemoryTokenStore: () => (require('./tokens/stores/memory') as MemoryStoreModule).MemoryTokenStore,
    tokenSetFingerprint: () => tokenSet().tokenSetFingerprint,
    tokenSetFromParams: () => tokenSet().tokenSetFromParams,
    FattureInCloudQuota: () => (require('./quota/quota') as QuotaModule).FattureInCloudQuota,
    MemoryQuotaStore: () => (require('./quota/stores/memory') as MemoryQuotaStoreModule).MemoryQuotaStore,
  },
  (values) => ({ CookieStateStore, STATE_REFUSALS, parseProfile, ensureFreshToken, refreshAccessToken, FattureInCloudTokens, MemoryTokenStore, tokenSetFingerprint, tokenSetFromParams, FattureInCloudQuota, MemoryQuotaStore } = values),
);
