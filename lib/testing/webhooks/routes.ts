import { type APIAnswer, ok, refusal } from '../api/company-api';
import type { WebhookSender } from './sender';
import { InvalidSubscription, type SubscriptionBook, subscriptionView, VERIFY_INTERVAL_MS } from './subscriptions';

/**
 * `/c/{company_id}/subscriptions…`: list, create, get, modify, delete and
 * verify again, with the spec's answers. A new subscription (or a new sink)
 * is verified in the background, as Fatture in Cloud does right after
 * answering; `…/verify` answers once its attempt is over.
 */

export interface SubscriptionRequest {
  method: string;
  companyID: number;
  /** After `/c/{company_id}`. */
  path: string;
  body: Record<string, unknown>;
  scopes: readonly string[];
  now: number;
}

const ROUTE = /^\/subscriptions(?:\/(SUB\d{1,15}|[^/]+))?(\/verify)?$/;

export function isSubscriptionPath(path: string): boolean {
  return path === '/subscriptions' || path.startsWith('/subscriptions/');
}

export async function subscriptionAnswer(book: SubscriptionBook, sender: WebhookSender, request: SubscriptionRequest): Promise<APIAnswer> {
  const match = ROUTE.exec(request.path);
  if (!match) return refusal(404, 'NOT_FOUND', `No route ${request.method} /c/{company_id}${request.path}`);
  try {
    const [, id, verify] = match;
    if (id === undefined) return collection(book, sender, request);
    const subscription = book.get(request.companyID, id);
    if (!subscription) return refusal(404, 'NOT_FOUND', `No subscription ${id} in this company`);
    if (verify) {
      if (request.method !== 'POST') return refusal(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on …/verify`);
      if (subscription.verified) return { status: 200, body: undefined };
      if (request.now - subscription.lastVerifyAt < VERIFY_INTERVAL_MS) return refusal(409, 'CONFLICT', 'A subscription may be verified again at most once every 10 minutes');
      const method = (request.body.data as { verification_method?: unknown } | undefined)?.verification_method;
      subscription.verificationMethod = method === 'query' ? 'query' : 'header';
      await sender.verify(subscription);
      return { status: 200, body: undefined };
    }
    switch (request.method) {
      case 'GET':
        return ok({ data: subscriptionView(subscription) });
      case 'PUT': {
        const { sinkChanged, warnings } = book.modify(subscription, request.body.data, request.scopes);
        if (sinkChanged) sender.verifySoon(subscription);
        return ok({ data: subscriptionView(subscription), warnings: warnings.length > 0 ? warnings : null });
      }
      case 'DELETE':
        book.delete(subscription.id);
        return { status: 200, body: undefined };
      default:
        return refusal(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on /c/{company_id}/subscriptions/{subscription_id}`);
    }
  } catch (error) {
    if (error instanceof InvalidSubscription) return refusal(error.status, error.code, error.message);
    throw error;
  }
}

function collection(book: SubscriptionBook, sender: WebhookSender, request: SubscriptionRequest): APIAnswer {
  if (request.method === 'GET') return ok({ data: book.list(request.companyID).map(subscriptionView) });
  if (request.method !== 'POST') return refusal(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on /c/{company_id}/subscriptions`);
  const { subscription, warnings } = book.create(request.companyID, request.body.data, request.scopes);
  sender.verifySoon(subscription);
  return ok({ data: subscriptionView(subscription), warnings: warnings.length > 0 ? warnings : null });
}
