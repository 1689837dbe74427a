/**
 * `passport-fattureincloud/sdk`: the official SDK (`@fattureincloud/fattureincloud-ts-sdk`)
 * bound to a FattureInCloudTokens. Kept out of the main entry, which never loads the SDK or axios.
 */
export { fattureInCloudSDK } from './binding';
export type { FattureInCloudAPIClass, FattureInCloudSDK, OnlyAPIClass, FattureInCloudSDKOptions, SDKAxiosInstance } from './binding';
export type { RetryNotice, RetryOptions, RetryReason } from '../http/call-policy';
