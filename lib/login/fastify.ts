import { FASTIFY_REPLY } from './cookie-writer';

/**
 * `passport-fattureincloud/fastify`: a Fastify plugin that gives the
 * CookieStateStore the reply of each request, so the state cookie goes out
 * through Fastify's own headers (with any the app sets). Register it before
 * @fastify/passport: `app.register(fattureInCloudFastify)`. Fastify is not loaded here.
 */

interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: object, reply: object, done: () => void) => void): unknown;
}

export function fattureInCloudFastify(app: FastifyLike, _options: unknown, done: () => void): void {
  app.addHook('onRequest', (request, reply, next) => {
    Object.defineProperty(request, FASTIFY_REPLY, { value: reply, configurable: true });
    next();
  });
  done();
}

// As fastify-plugin does: the hook applies to the whole app, not only to this plugin's scope.
Object.assign(fattureInCloudFastify, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'passport-fattureincloud' });
