/**
 * What makes an event run once across every process of an app: a log of the
 * event ids being handled and handled. Fatture in Cloud delivers at least
 * once, retries a 5xx, and may send one event to two processes at once.
 *
 * - `claim` takes an id for handling for `leaseMs` (a crashed process's claim
 *   lapses, so a retry can run the event again), or says it is `done` or
 *   `busy` (another process holds a live claim);
 * - `renew` keeps a claim alive while its handler runs;
 * - `complete` marks it done, for `keepMs` (at least the JWT's 3 hours: a
 *   replay after that is refused by its `exp` anyway);
 * - `release` gives up a claim whose handler failed, so the retry runs it.
 *
 * `owner` is a random id per delivery: only its owner renews or releases a claim.
 */
export interface WebhookLog {
  claim(id: string, owner: string, leaseMs: number): Promise<ClaimResult>;
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  complete(id: string, keepMs: number): Promise<void>;
  release(id: string, owner: string): Promise<void>;
}

export type ClaimResult = 'claimed' | 'busy' | 'done';

/** How long a handled id is remembered: the JWT's 3 hours, and a margin for clocks. */
export const KEEP_HANDLED_MS = 3 * 60 * 60 * 1000 + 10 * 60 * 1000;

export function isWebhookLog(value: unknown): value is WebhookLog {
  const log = value as Partial<WebhookLog> | null | undefined;
  return typeof log?.claim === 'function' && typeof log.renew === 'function' && typeof log.complete === 'function' && typeof log.release === 'function';
}
