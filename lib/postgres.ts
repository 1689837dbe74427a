/**
 * `passport-fattureincloud/postgres`: token sets in PostgreSQL, shared by every
 * process of an app. Kept out of the main entry; it only uses the pool you pass.
 */
export { DEFAULT_POSTGRES_TIMEOUT_MS, PostgresTokenStore } from './tokens/stores/postgres';
export type { PostgresPoolLike, PostgresTokenStoreOptions } from './tokens/stores/postgres';
export { PostgresQuotaStore } from './quota/stores/postgres';
export type { PostgresQuotaStoreOptions } from './quota/stores/postgres';
export { PostgresWebhookLog } from './webhooks/logs/postgres';
export type { PostgresWebhookLogOptions } from './webhooks/logs/postgres';
