import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How a cookie reaches the response in each framework, through the framework's
 * own response where there is one, so that its cookie handling cannot drop ours:
 * Express's `req.res`, Koa's context (koa-passport puts it on `req.ctx`), and
 * Fastify's reply (which `fattureInCloudFastify` from
 * `passport-fattureincloud/fastify` puts on the request).
 */
export interface CookieWriter {
  setCookie(cookie: string): void;
}

/** Where the Fastify plugin keeps the reply on a request. */
export const FASTIFY_REPLY = Symbol.for('passport-fattureincloud.reply');

type Headers = Pick<ServerResponse, 'getHeader' | 'setHeader'>;

export function cookieWriterOf(req: IncomingMessage): CookieWriter | undefined {
  const reply = (req as unknown as Record<symbol, { header?: unknown } | undefined>)[FASTIFY_REPLY];
  if (typeof reply?.header === 'function') {
    // Fastify collects set-cookie values, its own and @fastify/cookie's, and sends them all.
    const header = reply.header as (name: string, value: string) => unknown;
    return { setCookie: (cookie) => void header.call(reply, 'set-cookie', cookie) };
  }
  const ctx = (req as { ctx?: { append?: unknown } }).ctx;
  if (typeof ctx?.append === 'function') {
    const append = ctx.append as (name: string, value: string) => void;
    return { setCookie: (cookie) => append.call(ctx, 'Set-Cookie', cookie) };
  }
  const res = (req as IncomingMessage & { res?: Partial<Headers> }).res;
  if (typeof res?.setHeader === 'function' && typeof res.getHeader === 'function') {
    const headers = res as Headers;
    return { setCookie: (cookie) => appendHeader(headers, cookie) };
  }
  return undefined;
}

export function missingResponseError(): TypeError {
  return new TypeError(
    'CookieStateStore cannot reach the response to set its cookie: Express and koa-passport give it; under Fastify, register fattureInCloudFastify from passport-fattureincloud/fastify (see docs/fastify.md)',
  );
}

function appendHeader(res: Headers, cookie: string): void {
  const current = res.getHeader('Set-Cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
