import { FattureInCloudStrategy } from './strategy';

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
} from './strategy';
export { CookieStateStore, STATE_REFUSALS } from './cookie-state-store';
export type { CookieStateStoreOptions } from './cookie-state-store';
export { Scope, isFattureInCloudScope } from './scopes';
export type { FattureInCloudScope, ScopeInput } from './scopes';
export {
  FattureInCloudAPIError,
  FattureInCloudError,
  FattureInCloudTokenError,
} from './errors';
export type { RateLimitInfo, TransportErrorCode } from './errors';
export { parseProfile } from './profile';
export type {
  FattureInCloudCompaniesResponse,
  FattureInCloudCompany,
  FattureInCloudPlan,
  FattureInCloudProfile,
  FattureInCloudUser,
  FattureInCloudUserInfoResponse,
  ParseProfileOptions,
} from './profile';
export { ensureFreshToken, refreshAccessToken } from './refresh';
export { FattureInCloudTokens } from './tokens/manager';
export type { AbortOptions } from './abort';
export type { RefreshIdleOptions, RefreshIdleReport } from './tokens/refresh-idle';
export { CHANNELS } from './events';
export type { APIRetryEvent, DeadGrantEvent, LoginEvent, LoginFailedEvent, StoreErrorEvent, TokenRefreshEvent } from './events';
export type { FattureInCloudTokensOptions, SeenTokenSet } from './tokens/manager';
export { MemoryTokenStore } from './tokens/stores/memory';
export type { StoredTokenSet, TokenStore } from './tokens/store';
export { tokenSetFingerprint, tokenSetFromParams } from './tokens/token-set';
export type { EnsureFreshOptions, FattureInCloudTokenSet } from './refresh';
export type { ClientOptions } from './config';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './config';
export type {
  AuthenticateOptionsFor,
  FattureInCloudPassportOptions,
} from './passport-augmentation';
