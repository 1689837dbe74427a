import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { publishStoreError } from '../events';
import { withTimeout } from '../http/deadline';
import type { CloudEvent } from './cloud-event';
import { KEEP_HANDLED_MS, type WebhookLog } from './log';

/**
 * One event handled once across processes. The process that claims it runs
 * the handlers, renewing its claim while they run; one that finds it claimed
 * waits for the outcome (never acknowledging what is not handled yet) until
 * `handlerTimeout`, then answers 503 so Fatture in Cloud sends it again. A
 * handling that fails releases the claim, so that retry runs it; one that
 * succeeds after its timeout still marks the event done.
 */

export type Handling =
  | { outcome: 'handled'; unsubscribed: boolean; durationMs: number }
  | { outcome: 'failed' | 'timeout' | 'busy' | 'duplicate'; unsubscribed?: undefined; durationMs: number };

type Run = () => Promise<{ unsubscribed: boolean }>;

/** The handling is still running: the answer is a 503, and a late success still completes the event. Compared by identity, made once. */
const TIMED_OUT = new Error('The handlers did not finish within handlerTimeout');

/** Waits between looks at a claim another process holds: short at first, as most handlers are. */
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

export async function deliverOnce(log: WebhookLog, event: CloudEvent, handlerTimeout: number, run: Run): Promise<Handling> {
  const started = Date.now();
  const deadline = started + handlerTimeout;
  const owner = randomUUID();
  const lease = leaseFor(handlerTimeout);
  for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
    const claim = await log.claim(event.id, owner, lease).catch((error: unknown) => {
      throw publishStoreError({ key: event.id, operation: 'webhook-claim' }, error);
    });
    if (claim === 'done') return { outcome: 'duplicate', durationMs: Date.now() - started };
    if (claim === 'claimed') return runClaimed(log, event, { owner, lease, deadline, started }, run);
    if (Date.now() + poll > deadline) return { outcome: 'busy', durationMs: Date.now() - started };
    await sleep(poll);
  }
}

/** Long enough that renewing it a third of the way through is cheap; short enough that a crashed process's claim lapses before most retries. */
function leaseFor(handlerTimeout: number): number {
  return Math.min(Math.max(handlerTimeout, 1_000), 30_000);
}

interface Claim {
  owner: string;
  lease: number;
  deadline: number;
  started: number;
}

async function runClaimed(log: WebhookLog, event: CloudEvent, claim: Claim, run: Run): Promise<Handling> {
  const renewal = setInterval(() => void log.renew(event.id, claim.owner, claim.lease).catch(() => undefined), claim.lease / 3);
  renewal.unref();
  // Called inside a promise: a handler that throws synchronously fails like one that rejects.
  const settled = Promise.resolve().then(run).then(
    async (result) => {
      // Handled is handled: a log that fails now only risks one more run, after the claim lapses.
      await log.complete(event.id, KEEP_HANDLED_MS).catch((error: unknown) => publishStoreError({ key: event.id, operation: 'webhook-complete' }, error));
      return result;
    },
    async (error: unknown) => {
      await log.release(event.id, claim.owner).catch(() => undefined);
      throw error;
    },
  );
  void settled.finally(() => clearInterval(renewal)).catch(() => undefined);
  try {
    const { unsubscribed } = await withTimeout(settled, Math.max(0, claim.deadline - Date.now()), () => TIMED_OUT);
    return { outcome: 'handled', unsubscribed, durationMs: Date.now() - claim.started };
  } catch (error) {
    return { outcome: error === TIMED_OUT ? 'timeout' : 'failed', durationMs: Date.now() - claim.started };
  }
}
