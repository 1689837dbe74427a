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
export { CookieStateStore, STATE_REFUSALS } from './login/cookie-state-store';
export type { CookieStateStoreOptions } from './login/cookie-state-store';
export { Scope, isFattureInCloudScope } from './oauth/scopes';
export type { FattureInCloudScope, ScopeInput } from './oauth/scopes';
export {
  FattureInCloudAPIError,
  FattureInCloudError,
  FattureInCloudTokenError,
} from './errors';
export type { RateLimitInfo, TransportErrorCode } from './errors';
export { parseProfile } from './login/profile';
export type {
  FattureInCloudCompaniesResponse,
  FattureInCloudCompany,
  FattureInCloudPlan,
  FattureInCloudProfile,
  FattureInCloudUser,
  FattureInCloudUserInfoResponse,
  ParseProfileOptions,
} from './login/profile';
export { ensureFreshToken, refreshAccessToken } from './oauth/refresh';
export { FattureInCloudTokens } from './tokens/manager';
export type { AbortOptions } from './http/abort';
export type { RefreshIdleOptions, RefreshIdleReport } from './tokens/refresh-idle';
export { CHANNELS } from './events';
export type { APIRetryEvent, DeadGrantEvent, LoginEvent, LoginFailedEvent, StoreErrorEvent, TokenRefreshEvent } from './events';
export type { FattureInCloudTokensOptions, SeenTokenSet } from './tokens/manager';
export { MemoryTokenStore } from './tokens/stores/memory';
export type { StoredTokenSet, TokenStore } from './tokens/store';
export { tokenSetFingerprint, tokenSetFromParams } from './tokens/token-set';
export type { EnsureFreshOptions, FattureInCloudTokenSet } from './oauth/refresh';
export type { ClientOptions } from './config';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './config';
export type {
  AuthenticateOptionsFor,
  FattureInCloudPassportOptions,
} from './login/passport-augmentation';
