/**
 * `passport-fattureincloud/webhooks`: Fatture in Cloud's webhooks received
 * (verified, deduplicated, answered as it needs) and subscriptions kept alive.
 * Kept out of the main entry; jose loads at the first request, the official
 * SDK at the first subscription call.
 */
export { FattureInCloudWebhooks } from './receiver';
export type { FattureInCloudWebhooksOptions, WebhookEvent, WebhookHandler } from './receiver';
export { MAX_WEBHOOK_BODY_BYTES } from './exchange';
export type { WebhookAnswer, WebhookRequest } from './exchange';
export type { FastifyPlugin, FastifyWebhookOptions, KoaContextLike, KoaMiddleware, NodeHandler } from './mounts';
export { EVENT_TYPES, EventType, WELCOME_EVENT, expandEventType, isEventType } from './event-types';
export type { ReceivedEventType, WelcomeEventType } from './event-types';
export { FATTURE_IN_CLOUD_WEBHOOK_KEY } from './keys';
export type { WebhookKey } from './keys';
export { KEEP_HANDLED_MS } from './log';
export type { ClaimResult, WebhookLog } from './log';
export { MemoryWebhookLog } from './logs/memory';
export { ensureSubscription, reconcileSubscriptions } from './subscriptions';
export type { EnsureSubscriptionOptions, EnsuredSubscription, ReconcileOptions, ReconcileResult, ReconcileTarget, ReconciledTarget, SubscriptionMapping, SubscriptionSDKOptions, VerificationMethod, WebhookSubscription } from './subscriptions';
