/**
 * What the tests use of Koa 3, which ships no types of its own; @types/koa
 * does not compile against the content-disposition that Koa 3 installs.
 */
declare module 'koa' {
  import type { IncomingHttpHeaders, IncomingMessage, RequestListener, Server } from 'node:http';

  interface Context {
    path: string;
    method: string;
    url: string;
    originalUrl: string;
    headers: IncomingHttpHeaders;
    req: IncomingMessage;
    request: { body?: unknown };
    status: number;
    body: unknown;
    set(headers: Record<string, string>): void;
  }

  class Koa {
    use(middleware: (ctx: Context, next: () => Promise<unknown>) => unknown): this;
    callback(): RequestListener;
    listen(port: number, host: string): Server;
  }

  export default Koa;
}
