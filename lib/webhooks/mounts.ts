import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBounded } from '../http/body';
import { MAX_WEBHOOK_BODY_BYTES, type WebhookAnswer, type WebhookRequest } from './exchange';

/**
 * The receiver mounted in each framework. Each reads the body itself unless
 * a body parser already did (Express's `express.json()`, NestJS, a Koa body
 * parser), refusing one over MAX_WEBHOOK_BODY_BYTES (413) before it is read
 * whole. No framework is loaded here: each is met by the shape of its objects.
 */

interface Receiver {
  readonly path: string;
  receive(request: WebhookRequest): Promise<WebhookAnswer>;
}

const TOO_LARGE: WebhookAnswer = {
  status: 413,
  headers: { Connection: 'close', 'Cache-Control': 'no-store' },
  body: { error: { message: `A notification is never over ${MAX_WEBHOOK_BODY_BYTES} bytes`, code: 'too_large' } },
};

/** `(req, res, next?)` for node:http, Express and NestJS: serves the sink's path, hands every other to `next` (or 404s it). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

export function nodeHandler(receiver: Receiver): NodeHandler {
  return (req, res, next) => {
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    if (pathOf(url) !== receiver.path) {
      if (next) next();
      else send(res, { status: 404, headers: { 'Cache-Control': 'no-store' }, body: { error: { message: 'Not the webhook sink' } } });
      return;
    }
    serveNode(receiver, req, res, url).catch((error: unknown) => {
      if (next) next(error);
      else res.destroy();
    });
  };
}

async function serveNode(receiver: Receiver, req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
  let body: unknown;
  try {
    body = parsedBody(req) ?? (req.method === 'POST' ? await readBounded(req, req.headers, MAX_WEBHOOK_BODY_BYTES) : undefined);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    send(res, TOO_LARGE);
    res.once('finish', () => req.destroy());
    return;
  }
  send(res, await receiver.receive({ method: req.method ?? 'GET', url, headers: req.headers, body }));
}

/** What a body parser left on the request; undefined when none read the stream. */
function parsedBody(req: IncomingMessage): unknown {
  const body = (req as { body?: unknown }).body;
  // body-parser sets `_body` once it read the stream; Express 4 leaves `{}` on a request it did not parse.
  const read = (req as { _body?: unknown })._body === true || req.readableEnded;
  return read ? (body ?? Buffer.alloc(0)) : undefined;
}

function send(res: ServerResponse, answer: WebhookAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The few members of Koa's context the middleware uses. */
export interface KoaContextLike {
  path: string;
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  req: IncomingMessage;
  request: { body?: unknown };
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>;

export function koaMiddleware(receiver: Receiver): KoaMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== receiver.path) return next();
    let answer: WebhookAnswer;
    try {
      const body = ctx.request.body ?? (ctx.method === 'POST' ? await readBounded(ctx.req, ctx.headers, MAX_WEBHOOK_BODY_BYTES) : undefined);
      answer = await receiver.receive({ method: ctx.method, url: ctx.originalUrl, headers: ctx.headers, body });
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      answer = TOO_LARGE;
    }
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
    return undefined;
  };
}

/** The few members of a Fastify instance, request and reply the plugin uses (methods: Fastify's own types fit them). */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(type: string, options: { parseAs: 'buffer'; bodyLimit: number }, parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void): unknown;
  route(options: { method: string[]; url: string; bodyLimit: number; handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown> }): unknown;
}

export interface FastifyRequestLike {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(headers: Record<string, string>): FastifyReplyLike;
  send(body?: unknown): FastifyReplyLike;
}

export interface FastifyWebhookOptions {
  /** Default: the sink's path. */
  path?: string | undefined;
}

export type FastifyPlugin = (instance: FastifyInstanceLike, options?: FastifyWebhookOptions) => Promise<void>;

/**
 * A Fastify plugin (register it as it is, encapsulated): its own route at the
 * sink's path, every content type taken as bytes so that both CloudEvents
 * modes reach the receiver as sent, and Fastify's 413 past the bound.
 */
export function fastifyPlugin(receiver: Receiver): FastifyPlugin {
  // Async, as Fastify takes a plugin that does not call `done`.
  // eslint-disable-next-line @typescript-eslint/require-await
  return async (instance, options = {}) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY_BYTES }, (_request, body, done) => done(null, body));
    instance.route({
      method: ['GET', 'POST'],
      url: options.path ?? receiver.path,
      bodyLimit: MAX_WEBHOOK_BODY_BYTES,
      handler: async (request, reply) => {
        const answer = await receiver.receive({ method: request.method, url: request.url, headers: request.headers, body: request.body });
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
  };
}
