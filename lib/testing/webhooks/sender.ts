import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestText } from '../../http/request';
import { ISSUER, loadJose } from '../../webhooks/authenticity';
import { WELCOME_EVENT } from '../../webhooks/event-types';
import { MAX_VERIFY_ATTEMPTS, type StoredSubscription, type SubscriptionBook } from './subscriptions';

/**
 * The stand-in's side of webhooks: the verification request, the welcome
 * event and an event for every change, sent as Fatture in Cloud sends them
 * (binary or structured CloudEvents, `Authorization: Bearer` an ES256 JWT of
 * the stand-in's own key, with the real time in it). A 5xx (or no answer) is
 * retried, 4 attempts in all; any other status drops the event and starts
 * the 10-day expiration clock (the stand-in's, which tests move); 410
 * deletes the subscription.
 */

export type WebhookFault = 'duplicate' | 'out-of-order' | 'bad-signature' | 'expired-token' | 'wrong-audience';
export const WEBHOOK_FAULTS: readonly WebhookFault[] = ['duplicate', 'out-of-order', 'bad-signature', 'expired-token', 'wrong-audience'];

/** One attempt to deliver, as the stand-in logs it for tests. */
export interface WebhookAttempt {
  subscriptionID: string;
  /** The event's id; `verification` for the handshake. */
  eventID: string;
  type: string;
  attempt: number;
  /** The sink's status; 0 when it did not answer. */
  status: number;
}

export interface SenderOptions {
  appID: string;
  retryDelays: readonly number[];
  /** The stand-in's clock: expiration only. */
  now(): number;
  book: SubscriptionBook;
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 4000, 16000];
const EXPIRES_AFTER_MS = 10 * 24 * 60 * 60 * 1000;
const ATTEMPT_TIMEOUT_MS = 10_000;
const USER_AGENT = 'FattureInCloud/API-WEBHOOK';
/** How long an out-of-order event waits for the one it is to follow. */
const HOLD_MS = 1_000;
const MAX_ATTEMPTS_LOGGED = 1_000;

interface Outgoing {
  id: string;
  type: string;
  companyID: number;
  ids: number[];
  time: string;
}

export class WebhookSender {
  /** The public half of the stand-in's signing key (PEM): what a receiver is configured with. */
  readonly publicKey: string;
  readonly attempts: WebhookAttempt[] = [];
  private readonly privateKey: KeyObject;
  /** Signs what `bad-signature` sends: a key nobody configured. */
  private readonly strangerKey: KeyObject;
  private readonly faults: WebhookFault[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopped = new AbortController();
  private held: (() => void) | undefined;
  private sequence = 0;

  constructor(private readonly options: SenderOptions) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.publicKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.privateKey = privateKey;
    this.strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }

  /** The next event delivered gets `fault`. */
  failNext(fault: WebhookFault): void {
    if (!WEBHOOK_FAULTS.includes(fault)) throw new TypeError(`failNextWebhook: fault must be one of ${WEBHOOK_FAULTS.join(', ')}`);
    this.faults.push(fault);
  }

  /** One verification attempt: the challenge sent, the same value expected back as `{"verification": …}`. */
  async verify(subscription: StoredSubscription): Promise<boolean> {
    subscription.verifyAttempts += 1;
    subscription.lastVerifyAt = this.options.now();
    const challenge = randomBytes(32).toString('hex');
    const sink = new URL(subscription.sink);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Authorization: `Bearer ${await this.sign(subscription, `company:${subscription.companyID}`, randomUUID(), undefined)}` };
    if (subscription.verificationMethod === 'header') headers['x-fic-verification-challenge'] = challenge;
    else sink.searchParams.set('x-fic-verification-challenge', challenge);
    const answer = await this.send('GET', sink.href, headers, undefined);
    this.log({ subscriptionID: subscription.id, eventID: 'verification', type: 'verification', attempt: subscription.verifyAttempts, status: answer.status });
    subscription.verified = answer.status === 200 && verificationOf(answer.text) === challenge;
    if (subscription.verified) this.track(this.deliver(subscription, this.event(subscription.companyID, WELCOME_EVENT, []), undefined));
    else if (subscription.verifyAttempts >= MAX_VERIFY_ATTEMPTS) this.options.book.delete(subscription.id);
    return subscription.verified;
  }

  /** A verification attempt in the background (after a subscription is created or its sink changed). */
  verifySoon(subscription: StoredSubscription): void {
    this.track(this.verify(subscription).then(() => undefined));
  }

  /** An event for every verified subscription of the company that takes its type. */
  notify(companyID: number, type: string, ids: number[]): void {
    const receivers = this.options.book.receivers(companyID, type);
    if (receivers.length === 0) return;
    const event = this.event(companyID, type, ids);
    const fault = this.faults.shift();
    for (const subscription of receivers) this.track(this.deliverWith(subscription, event, fault));
  }

  /** Resolves once every delivery under way (retries included) has ended. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retries and holds: the stand-in is closing. */
  stop(): void {
    this.stopped.abort();
    this.held?.();
  }

  private event(companyID: number, type: string, ids: number[]): Outgoing {
    this.sequence += 1;
    return { id: `${this.sequence}:${randomUUID()}`, type, companyID, ids, time: new Date(this.options.now()).toISOString() };
  }

  private track(delivery: Promise<void>): void {
    const tracked = delivery.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async deliverWith(subscription: StoredSubscription, event: Outgoing, fault: WebhookFault | undefined): Promise<void> {
    if (fault === 'out-of-order') return this.holdThenDeliver(subscription, event);
    const release = this.held;
    this.held = undefined;
    await this.deliver(subscription, event, fault);
    release?.();
    if (fault === 'duplicate') await this.deliver(subscription, event, undefined);
  }

  /** Sent after the next event has been delivered (or after HOLD_MS, if none comes). */
  private async holdThenDeliver(subscription: StoredSubscription, event: Outgoing): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), HOLD_MS);
      this.held = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    await this.deliver(subscription, event, undefined);
  }

  /** Up to 1 + retryDelays.length attempts while the sink answers 5xx or nothing; then the outcome on the expiration clock. */
  private async deliver(subscription: StoredSubscription, event: Outgoing, fault: WebhookFault | undefined): Promise<void> {
    const delays = this.options.retryDelays;
    for (let attempt = 1; ; attempt += 1) {
      const status = await this.attempt(subscription, event, fault, attempt);
      if ((status >= 200 && status <= 204) || status === 102) return void (subscription.expiresAt = undefined);
      if (status === 410) return void this.options.book.delete(subscription.id);
      const delay = delays[attempt - 1];
      if (!(status === 0 || status >= 500) || delay === undefined || this.stopped.signal.aborted) break;
      await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    }
    this.failed(subscription);
  }

  /** The first failure sets the 10-day date; the first failure after it deletes the subscription. */
  private failed(subscription: StoredSubscription): void {
    const now = this.options.now();
    if (subscription.expiresAt === undefined) subscription.expiresAt = now + EXPIRES_AFTER_MS;
    else if (now > subscription.expiresAt) this.options.book.delete(subscription.id);
  }

  private async attempt(subscription: StoredSubscription, event: Outgoing, fault: WebhookFault | undefined, attempt: number): Promise<number> {
    const subject = `company:${event.companyID}`;
    const token = await this.sign(subscription, subject, event.id, fault);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Authorization: `Bearer ${token}` };
    const data = event.ids.length > 0 || event.type !== WELCOME_EVENT ? { ids: event.ids } : {};
    let body: string;
    if (subscription.mapping === 'structured') {
      headers['Content-Type'] = 'application/cloudevents+json';
      body = JSON.stringify({ id: event.id, source: ISSUER, specversion: '1.0', type: event.type, subject, time: event.time, datacontenttype: 'application/json', data });
    } else {
      Object.assign(headers, { 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': subject, 'ce-source': ISSUER, 'ce-specversion': '1.0', 'Content-Type': 'application/json' });
      body = JSON.stringify({ data });
    }
    const { status } = await this.send('POST', subscription.sink, headers, body);
    this.log({ subscriptionID: subscription.id, eventID: event.id, type: event.type, attempt, status });
    return status;
  }

  private async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
    try {
      return await requestText({ method, url, headers, ...(body === undefined ? {} : { body }), timeout: ATTEMPT_TIMEOUT_MS, secrets: [] });
    } catch {
      return { status: 0, text: '' };
    }
  }

  /** The JWT Fatture in Cloud sends: `aud` the sink without its query, `sub` the subject, `jti` the event's id, 3 hours. */
  private async sign(subscription: StoredSubscription, subject: string, id: string, fault: WebhookFault | undefined): Promise<string> {
    const { SignJWT } = await loadJose();
    const sink = new URL(subscription.sink);
    sink.search = '';
    const audience = fault === 'wrong-audience' ? `${sink.origin}/another-sink` : sink.href;
    const issuedAt = Math.floor(Date.now() / 1000) - (fault === 'expired-token' ? 4 * 60 * 60 : 0);
    return new SignJWT({ aid: this.options.appID })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience([audience])
      .setSubject(subject)
      .setJti(id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3 * 60 * 60)
      .sign(fault === 'bad-signature' ? this.strangerKey : this.privateKey);
  }

  private log(attempt: WebhookAttempt): void {
    this.attempts.push(attempt);
    if (this.attempts.length > MAX_ATTEMPTS_LOGGED) this.attempts.shift();
  }
}

function verificationOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { verification?: unknown } | null)?.verification;
  } catch {
    return undefined;
  }
}
