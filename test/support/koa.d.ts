/**
 * What the tests use of Koa 3, which ships no types of its own; @types/koa
 * does not compile against the content-disposition that Koa 3 installs.
 */
declare module 'koa' {
  import type { RequestListener, Server } from 'node:http';
  // The members the receiver's middleware takes are the ones the tests use.
  import type { KoaContextLike as Context } from 'passport-fattureincloud/webhooks';

  class Koa {
    use(middleware: (ctx: Context, next: () => Promise<unknown>) => unknown): this;
    callback(): RequestListener;
    listen(port: number, host: string): Server;
  }

  export default Koa;
}
