import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Fastify from 'fastify';
import Koa from 'koa';
import { FattureInCloudTokens } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { ensureSubscription, FattureInCloudWebhooks, type WebhookEvent } from '../lib/webhooks/index';
import { freePort } from './support/ports';
import { grantAtStandIn } from './support/stand-in-login';
import { serve } from './support/loopback';
import { CLIENTS_CREATE, postEvent, signFor, testEvent, testKey } from './support/webhooks';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const key = testKey();

/** Each framework with the receiver mounted its way, listening at `url`'s port. */
const FRAMEWORKS: { name: string; mount(webhooks: FattureInCloudWebhooks, port: number): Promise<() => Promise<void>> }[] = [
  {
    name: 'Fastify 5 (webhooks.fastify)',
    mount: async (webhooks, port) => {
      const app = Fastify();
      await app.register(webhooks.fastify);
      app.get('/other', () => Promise.resolve('other'));
      await app.listen({ port, host: '127.0.0.1' });
      return () => app.close();
    },
  },
  {
    name: 'Koa 3 (webhooks.koa())',
    mount: async (webhooks, port) => {
      const app = new Koa();
      app.use(webhooks.koa());
      app.use((ctx) => {
        ctx.body = 'other';
      });
      const server = app.listen(port, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
    },
  },
];

describe('the receiver under Fastify and Koa, with real HTTP from the stand-in', function () {
  this.timeout(30_000);
  let standIn: FattureInCloudStandIn;
  let tokens: FattureInCloudTokens;
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, webhookRetryDelays: [10, 20, 40] });
    tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
    await tokens.save('user', await grantAtStandIn(standIn, REDIRECT, 'entity.clients:a'));
  });
  afterEach(() => standIn.close());

  for (const framework of FRAMEWORKS) {
    describe(framework.name, () => {
      let close: () => Promise<void>;
      let received: WebhookEvent[];
      let url: string;
      let sink: string;
      beforeEach(async () => {
        received = [];
        const port = await freePort();
        url = `http://127.0.0.1:${port}`;
        sink = `${url}/hooks`;
        const webhooks = new FattureInCloudWebhooks({ sink, keys: standIn.webhookPublicKey, appID: standIn.appID }).onAny((event) => void received.push(event));
        close = await framework.mount(webhooks, port);
      });
      afterEach(() => close());

      for (const [verificationMethod, mapping] of [['header', 'binary'], ['query', 'structured']] as const) {
        it(`verification in ${verificationMethod} mode, then ${mapping} events; other paths untouched`, async () => {
          const ensured = await ensureSubscription({ tokens, key: 'user', companyID: 12345, sink, types: [CLIENTS_CREATE], verificationMethod, mapping, verifyTimeout: 5_000 });
          expect(ensured.verified).to.equal(true);
          standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [7] });
          await standIn.webhooksIdle();
          expect(received.map((event) => [event.type, event.ids])).to.deep.include([CLIENTS_CREATE, [7]]);
          expect(await (await fetch(`${url}/other`)).text()).to.equal('other');
        });
      }

      it('refuses a body over 256 KiB (413), a malformed one (400) and a forged token (401), none handed on', async () => {
        const event = testEvent();
        const forged = await postEvent(sink, event, await signFor(key.privateKey, sink, event));
        expect(forged.status).to.equal(401);
        const headers = { 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject, 'Content-Type': 'application/json' };
        const big = await fetch(sink, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) });
        expect(big.status).to.equal(413);
        const malformed = await fetch(sink, { method: 'POST', headers, body: '{"data":' });
        expect(malformed.status).to.equal(400);
        expect(received).to.deep.equal([]);
      });
    });
  }

  it('Koa after a body parser: takes the parsed body', async () => {
    const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
    const received: number[][] = [];
    webhooks.onAny((event) => void received.push(event.ids));
    const app = new Koa();
    app.use(async (ctx, next) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      ctx.request.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      await next();
    });
    app.use(webhooks.koa());
    const listening = await serve(app.callback());
    try {
      const event = testEvent({ ids: [9] });
      const answer = await postEvent(`${listening.baseURL}/hooks`, event, await signFor(key.privateKey, 'https://app.example/hooks', event));
      expect([answer.status, received]).to.deep.equal([200, [[9]]]);
    } finally {
      await listening.close();
    }
  });

  it('Fastify with { path }: the route where the proxy sends it', async () => {
    const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/public/hooks', keys: key.publicKey });
    const received: string[] = [];
    webhooks.onAny((event) => void received.push(event.id));
    const app = Fastify();
    await app.register(webhooks.fastify, { path: '/hooks' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const event = testEvent();
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/hooks`;
      const answer = await postEvent(url, event, await signFor(key.privateKey, 'https://app.example/public/hooks', event), 'structured');
      expect([answer.status, received]).to.deep.equal([200, [event.id]]);
    } finally {
      await app.close();
    }
  });
});
