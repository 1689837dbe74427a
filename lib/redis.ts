/**
 * `passport-fattureincloud/redis`: token sets in Redis, shared by every process
 * of an app. Kept out of the main entry, which never loads it.
 */
export { RedisTokenStore, DEFAULT_REDIS_TIMEOUT_MS } from './tokens/stores/redis';
export type { RedisPersistence, RedisTokenStoreOptions } from './tokens/stores/redis';
export type { IORedisClientLike, NodeRedisClientLike, RedisClientLike } from './backends/redis-clients';
export { RedisQuotaStore } from './quota/stores/redis';
export type { RedisQuotaStoreOptions } from './quota/stores/redis';
export { RedisWebhookLog } from './webhooks/logs/redis';
export type { RedisWebhookLogOptions } from './webhooks/logs/redis';
