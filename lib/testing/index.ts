/** `passport-fattureincloud/testing`: an offline Fatture in Cloud for development and tests. */
export { startFattureInCloudStandIn } from './stand-in';
export type { FattureInCloudStandIn, StandInOptions, StandInSeed, StandInSeeded, StandInStats } from './stand-in';
export type { StandInQuotaOptions } from './limits';
export { ACCOUNTANT_COMPANIES, SAMPLE_USER, SINGLE_COMPANY } from './data';
export type { FaultStats, FaultType, StandInFault } from './faults';
export { checkTokenStore, TOKEN_STORE_PROPERTIES } from './store-contract';
export type { MakeTokenStore, TokenStoreProperty } from './store-contract';
export { WEBHOOK_FAULTS } from './webhooks/sender';
export type { WebhookAttempt, WebhookFault } from './webhooks/sender';
