import type { KeyObject } from 'node:crypto';
import { checkDuration, describeValue } from '../config';
import { channels, publish } from '../events';
import { type Expected, appIDOf, verifyWebhookToken, WebhookRefusal } from './authenticity';
import { type CloudEvent, MalformedEvent, parseCloudEvent } from './cloud-event';
import { deliverOnce, type Handling } from './delivery';
import { expandEventType, type ReceivedEventType } from './event-types';
import { type WebhookKey, webhookKeys } from './keys';
import { isWebhookLog, type WebhookLog } from './log';
import { MemoryWebhookLog } from './logs/memory';
import type { WebhookAnswer, WebhookRequest } from './exchange';
import { type FastifyPlugin, type KoaMiddleware, koaMiddleware, type NodeHandler, nodeHandler, fastifyPlugin } from './mounts';

export interface FattureInCloudWebhooksOptions {
  /** The public URL Fatture in Cloud posts to, as registered in the subscription: what the JWT's `aud` must hold. */
  sink: string;
  /** One or a list of public keys (PEM, base64 of a PEM, or KeyObject). Default: Fatture in Cloud's published key. */
  keys?: WebhookKey | readonly WebhookKey[] | undefined;
  /** The app's Fatture in Cloud id: when given, a JWT whose `aid` differs is refused. */
  appID?: string | number | undefined;
  /** Where handled event ids are kept, so each runs once: default a MemoryWebhookLog (one process). */
  dedupe?: WebhookLog | undefined;
  /** The longest a handling may take before the answer is a 503 (Fatture in Cloud retries), in ms. Default 10000. */
  handlerTimeout?: number | undefined;
  /** Called with what a handler threw (the answer is then a 500, and Fatture in Cloud retries): for the app's own logs. */
  onError?: ((error: unknown, event: WebhookEvent) => void) | undefined;
  /** The path the handler serves. Default: the sink's path (set it when a proxy rewrites the path). */
  path?: string | undefined;
}

/** An event as the app's handlers get it: ids only, the records are read with the API. */
export interface WebhookEvent<T extends string = ReceivedEventType> {
  id: string;
  type: T;
  companyID: number;
  /** The records the event is about (none for the welcome event). */
  ids: number[];
  /** When it happened, as Fatture in Cloud wrote it (ISO 8601 with an offset). */
  time: string;
  /** The app the subscription belongs to (the JWT's `aid`). */
  appID: string | undefined;
  /** Answer 410 Gone: Fatture in Cloud deletes the subscription this event came from. */
  unsubscribe(): void;
}

export type WebhookHandler<T extends string = ReceivedEventType> = (event: WebhookEvent<T>) => unknown;

const CHALLENGE_HEADER = 'x-fic-verification-challenge';
const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

/**
 * Fatture in Cloud's webhooks, received: the verification handshake, each
 * notification's JWT checked, deduplicated across processes, handed to the
 * app's handlers, answered as Fatture in Cloud needs (2xx once handled, 5xx
 * to be retried, never a 4xx for a genuine event, 410 only on request).
 * Mount it with `handler` (node:http, Express, NestJS), `fastify` or `koa()`.
 */
export class FattureInCloudWebhooks {
  readonly sink: string;
  readonly path: string;
  readonly handlerTimeout: number;
  /** `(req, res, next?)` for node:http, Express and NestJS: `app.use(webhooks.handler)`; other paths go to `next`. */
  readonly handler: NodeHandler;
  /** A Fastify plugin: `app.register(webhooks.fastify)` (options `{ path? }`). */
  readonly fastify: FastifyPlugin;
  private readonly audience: readonly string[];
  private readonly appID: string | undefined;
  private readonly log: WebhookLog;
  private readonly typed = new Map<string, WebhookHandler<string>[]>();
  private readonly any: WebhookHandler<string>[] = [];
  private readonly onError: ((error: unknown, event: WebhookEvent) => void) | undefined;
  declare private readonly keys: readonly KeyObject[];

  constructor(options: FattureInCloudWebhooksOptions) {
    const settings = settingsOf(options);
    this.sink = settings.sink;
    this.audience = settings.audience;
    this.path = settings.path;
    this.appID = settings.appID;
    this.log = settings.log;
    this.onError = settings.onError;
    this.handlerTimeout = settings.handlerTimeout;
    // Non-enumerable, as the stores' clients: a logged receiver does not print keys.
    Object.defineProperty(this, 'keys', { value: settings.keys });
    this.handler = nodeHandler(this);
    this.fastify = fastifyPlugin(this);
  }

  /** Koa middleware serving the sink's path: `app.use(webhooks.koa())`. */
  koa(): KoaMiddleware {
    return koaMiddleware(this);
  }

  /** Runs `handler` for events of `type` (or any of a list; a group type stands for its members). */
  on<T extends ReceivedEventType>(type: T | readonly T[], handler: WebhookHandler<T>): this {
    if (typeof handler !== 'function') throw new TypeError(`FattureInCloudWebhooks.on: the handler must be a function, got ${describeValue(handler)}`);
    const types = (Array.isArray(type) ? type : [type]) as readonly string[];
    if (types.length === 0 || !types.every((each) => typeof each === 'string' && each !== '')) throw new TypeError(`FattureInCloudWebhooks.on: type must be an event type or a list of them, got ${describeValue(type)}`);
    for (const each of types.flatMap(expandEventType)) this.typed.set(each, [...(this.typed.get(each) ?? []), handler as WebhookHandler<string>]);
    return this;
  }

  /** Runs `handler` for every event, known type or not, after the typed handlers. */
  onAny(handler: WebhookHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`FattureInCloudWebhooks.onAny: the handler must be a function, got ${describeValue(handler)}`);
    this.any.push(handler);
    return this;
  }

  /** The answer to one request at the sink, whatever the framework: what the mounts use. */
  async receive(request: WebhookRequest): Promise<WebhookAnswer> {
    try {
      if (request.method === 'GET') return await this.verification(request);
      if (request.method !== 'POST') return answer(405, { error: { message: 'The sink takes GET (verification) and POST (events)' } }, { Allow: 'GET, POST' });
      return await this.notification(request);
    } catch (error) {
      return refusal(error);
    }
  }

  /** The handshake: the challenge back, once the JWT is Fatture in Cloud's and for this sink. */
  private async verification(request: WebhookRequest): Promise<WebhookAnswer> {
    const sent = request.headers[CHALLENGE_HEADER];
    const challenge = typeof sent === 'string' ? sent : URL.parse(request.url, 'http://sink')?.searchParams.get(CHALLENGE_HEADER) ?? undefined;
    if (!challenge || challenge.length > 256) throw new MalformedEvent(`No ${CHALLENGE_HEADER}: a GET at the sink is Fatture in Cloud's verification`);
    await verifyWebhookToken(authorization(request), this.keys, this.expected());
    return answer(200, { verification: challenge });
  }

  private async notification(request: WebhookRequest): Promise<WebhookAnswer> {
    const event = parseCloudEvent(request.headers, request.body);
    const claims = await verifyWebhookToken(authorization(request), this.keys, this.expected(event));
    const handling = await deliverOnce(this.log, event, this.handlerTimeout, () => this.handle(event, appIDOf(claims)));
    return this.answerFor(event, handling);
  }

  private expected(event?: CloudEvent): Expected {
    return { audience: this.audience, appID: this.appID, ...(event ? { id: event.id, subject: event.subject } : {}) };
  }

  /** The typed handlers in order, then onAny's: the first that throws fails the handling (and the retry runs them all again). */
  private async handle(event: CloudEvent, appID: string | undefined): Promise<{ unsubscribed: boolean }> {
    let unsubscribed = false;
    const view: WebhookEvent<string> = { id: event.id, type: event.type, companyID: event.companyID, ids: event.ids, time: event.time, appID, unsubscribe: () => void (unsubscribed = true) };
    try {
      for (const handler of [...(this.typed.get(event.type) ?? []), ...this.any]) await handler(view);
    } catch (error) {
      this.onError?.(error, view);
      throw error;
    }
    return { unsubscribed };
  }

  private answerFor(event: CloudEvent, handling: Handling): WebhookAnswer {
    const { id, type, companyID } = event;
    if (handling.outcome === 'duplicate') {
      publish(channels.webhookDuplicate, () => ({ id, type, companyID }));
      return answer(200, { received: true, duplicate: true });
    }
    const outcome = handling.outcome === 'handled' && handling.unsubscribed ? 'unsubscribed' : handling.outcome;
    publish(channels.webhookReceived, () => ({ id, type, companyID, outcome, durationMs: handling.durationMs }));
    switch (outcome) {
      case 'handled':
        return answer(200, { received: true });
      case 'unsubscribed':
        return answer(410, { unsubscribed: true });
      case 'busy':
      case 'timeout':
        return answer(503, { error: { message: 'Not handled yet: send it again later' } }, { 'Retry-After': '10' });
      default:
        return answer(500, { error: { message: 'The handler failed: send it again later' } });
    }
  }
}

function authorization(request: WebhookRequest): string | undefined {
  const value = request.headers.authorization;
  return typeof value === 'string' ? value : undefined;
}

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): WebhookAnswer {
  return { status, headers: { 'Cache-Control': 'no-store', ...headers }, body };
}

/** A forged or unreadable request: 401 or 400, never handed on; a failing log: 503, so the event comes again. */
function refusal(error: unknown): WebhookAnswer {
  if (error instanceof WebhookRefusal) {
    publish(channels.webhookRefused, () => ({ reason: error.reason, status: 401 }));
    return answer(401, { error: { message: error.message, code: error.reason } }, { 'WWW-Authenticate': 'Bearer' });
  }
  if (error instanceof MalformedEvent) {
    publish(channels.webhookRefused, () => ({ reason: 'malformed', status: 400 }));
    return answer(400, { error: { message: error.message, code: 'malformed' } });
  }
  publish(channels.webhookRefused, () => ({ reason: 'unavailable', status: 503 }));
  return answer(503, { error: { message: 'The receiver could not take the event now: send it again later' } }, { 'Retry-After': '10' });
}

/** The options, checked: a TypeError naming what is wrong, at start-up rather than at the first event. */
function settingsOf(options: FattureInCloudWebhooksOptions) {
  const where = 'FattureInCloudWebhooks';
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError(`${where} needs options ({ sink }), got ${describeValue(options)}`);
  const sink = typeof (options.sink as unknown) === 'string' ? URL.parse(options.sink) : null;
  if (!sink || !/^https?:$/.test(sink.protocol)) throw new TypeError(`${where}: sink must be the public http(s) URL Fatture in Cloud posts to, got ${describeValue(options.sink)}`);
  const { dedupe, onError, handlerTimeout } = options;
  if (dedupe !== undefined && !isWebhookLog(dedupe)) throw new TypeError(`${where}: dedupe must be a MemoryWebhookLog, RedisWebhookLog or PostgresWebhookLog, got ${describeValue(dedupe)}`);
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError(`${where}: onError must be a function, got ${describeValue(onError)}`);
  return {
    sink: options.sink,
    // As registered, and as the URL parser writes it: a JWT for either is for this sink.
    audience: [...new Set([options.sink, sink.href])],
    path: checkPath(options.path ?? sink.pathname, where),
    appID: options.appID === undefined ? undefined : checkAppID(options.appID, where),
    log: dedupe ?? new MemoryWebhookLog(),
    onError,
    handlerTimeout: handlerTimeout === undefined ? DEFAULT_HANDLER_TIMEOUT_MS : checkDuration(handlerTimeout, `${where}: handlerTimeout`),
    keys: webhookKeys(options.keys, where),
  };
}

function checkPath(path: unknown, where: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError(`${where}: path must start with /, got ${describeValue(path)}`);
  return path;
}

function checkAppID(appID: unknown, where: string): string {
  if ((typeof appID !== 'string' || appID === '') && !Number.isSafeInteger(appID)) throw new TypeError(`${where}: appID must be the app's Fatture in Cloud id, got ${describeValue(appID)}`);
  return String(appID);
}
