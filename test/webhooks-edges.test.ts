import { generateKeyPairSync, createSecretKey } from 'node:crypto';
import { request } from 'node:http';
import { expect } from 'chai';
import { FattureInCloudAPIError, FattureInCloudTokens } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { ensureSubscription, FattureInCloudWebhooks, MemoryWebhookLog, reconcileSubscriptions, type WebhookEvent } from '../lib/webhooks/index';
import { grantAtStandIn } from './support/stand-in-login';
import { type Handler, serve, type Served } from './support/loopback';
import { CLIENTS_CREATE, signFor, testEvent, testKey } from './support/webhooks';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const COMPANY = 12345;

/** The stand-in's subscription endpoints, called as an app would, with a user's token. */
async function api(standIn: FattureInCloudStandIn, tokens: FattureInCloudTokens, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const token = (await tokens.get('user'))!.accessToken;
  const response = await fetch(`${standIn.baseURL}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('webhooks: the edges', function () {
  this.timeout(20_000);
  let standIn: FattureInCloudStandIn;
  let tokens: FattureInCloudTokens;
  let receiver: Served;
  /** When set, what the sink answers instead of the receiver. */
  let sinkAnswers: Handler | undefined;
  let sink: string;
  let received: WebhookEvent[];

  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, webhookRetryDelays: [5, 5, 5] });
    tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
    await tokens.save('user', await grantAtStandIn(standIn, REDIRECT, 'entity.clients:a'));
    const mounted: { webhooks?: FattureInCloudWebhooks } = {};
    sinkAnswers = undefined;
    receiver = await serve((req, res) => (sinkAnswers ? sinkAnswers(req, res) : mounted.webhooks?.handler(req, res)));
    sink = `${receiver.baseURL}/hooks`;
    received = [];
    mounted.webhooks = new FattureInCloudWebhooks({ sink, keys: standIn.webhookPublicKey }).onAny((event) => void received.push(event));
  });
  afterEach(async () => {
    await standIn.close();
    await receiver.close();
  });

  describe('the stand-in\'s subscription endpoints refuse what Fatture in Cloud refuses', () => {
    it('unknown routes, methods and subscriptions; another company; bad bodies', async () => {
      const created = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: [CLIENTS_CREATE], config: { mapping: 'structured' } } });
      const id = (created.body?.data as { id: string }).id;
      const cases: [string, string, unknown, number][] = [
        ['PUT', `/c/${COMPANY}/subscriptions`, { data: {} }, 405],
        ['PATCH', `/c/${COMPANY}/subscriptions/${id}`, { data: {} }, 405],
        ['GET', `/c/${COMPANY}/subscriptions/${id}/verify`, undefined, 405],
        ['GET', `/c/${COMPANY}/subscriptions/${id}/extra`, undefined, 404],
        ['GET', `/c/${COMPANY}/subscriptions/SUB999`, undefined, 404],
        ['POST', `/c/${COMPANY}/subscriptions/SUB999/verify`, { data: {} }, 404],
        ['GET', '/c/999/subscriptions', undefined, 403],
        ['POST', `/c/${COMPANY}/subscriptions`, { data: 'sink' }, 422],
        ['POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: 'all' } }, 422],
        ['POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: [CLIENTS_CREATE.replace('create', 'update')], verification_method: 'email' } }, 422],
        ['POST', `/c/${COMPANY}/subscriptions`, { data: { sink: 'not a url', types: [CLIENTS_CREATE] } }, 422],
      ];
      for (const [method, path, body, status] of cases) expect((await api(standIn, tokens, method, path, body)).status, `${method} ${path}`).to.equal(status);
      await standIn.webhooksIdle();
      // Verified already: asking again is a 200 that does nothing.
      expect((await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions/${id}/verify`, { data: {} })).status).to.equal(200);
    });

    it('a PUT with a new sink starts a new verification; one with a new mapping keeps the subscription verified', async () => {
      const created = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: [CLIENTS_CREATE] } });
      const id = (created.body?.data as { id: string }).id;
      await standIn.webhooksIdle();
      await api(standIn, tokens, 'PUT', `/c/${COMPANY}/subscriptions/${id}`, { data: { config: { mapping: 'structured' } } });
      expect(standIn.subscriptions()[0]).to.deep.include({ verified: true, config: { mapping: 'structured' } });
      await api(standIn, tokens, 'PUT', `/c/${COMPANY}/subscriptions/${id}`, { data: { sink: `${sink}?v=2` } });
      await standIn.webhooksIdle();
      const verifications = standIn.webhookAttempts.filter((attempt) => attempt.type === 'verification');
      expect(verifications.map((attempt) => attempt.status)).to.deep.equal([200, 200]);
    });
  });

  it('scopes: a type needs its resource\'s scope (stock too for stock_update); the verify call takes the query mode', async () => {
    const refused = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: ['it.fattureincloud.webhooks.products.stock_update'] } });
    expect([refused.status, (refused.body?.error as { message: string }).message]).to.deep.equal([403, "The 'it.fattureincloud.webhooks.products.stock_update' event needs the products:r scope"]);
    const documents = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: ['it.fattureincloud.webhooks.issued_documents.e_invoices.status_update'] } });
    expect(documents.status).to.equal(403);
    sinkAnswers = (_req, res) => void res.writeHead(500).end();
    const created = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: [CLIENTS_CREATE] } });
    await standIn.webhooksIdle();
    standIn.advanceClock(10 * 60 * 1000);
    const id = (created.body?.data as { id: string }).id;
    expect((await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions/${id}/verify`, { data: { verification_method: 'query' } })).status).to.equal(200);
    expect(standIn.subscriptions()[0]).to.deep.include({ verification_method: 'query', verified: false });
  });

  it('reconcile asks an unverified subscription to verify again, once 10 minutes have passed', async () => {
    sinkAnswers = (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    const first = await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 100 });
    expect(first.verified, 'a sink that answers text is not verified').to.equal(false);
    standIn.advanceClock(10 * 60 * 1000);
    const result = await reconcileSubscriptions({ tokens, sink, types: [CLIENTS_CREATE], targets: [{ key: 'user', companyID: COMPANY }] });
    expect(result.reverified.map(({ subscriptionID }) => subscriptionID)).to.deep.equal([first.subscription.id]);
  });

  it('an event with no subscription to take it goes nowhere; a subscription with no type left is a 409', async () => {
    standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
    await standIn.webhooksIdle();
    expect(standIn.webhookAttempts).to.deep.equal([]);
    const empty = await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink, types: [] } });
    expect([empty.status, (empty.body?.error as { message: string }).message]).to.deep.equal([409, 'No event type to subscribe to']);
    await ensureSubscription(undefined as never).then(() => expect.fail('accepted'), (error: unknown) => expect(String(error)).to.match(/needs options/));
  });

  it('from another process: POST /stand-in/webhooks queues a fault or sends an event', async () => {
    await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 5_000 });
    const control = (body: unknown) => fetch(`${standIn.baseURL}/stand-in/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await control({ fault: 'duplicate' })).status).to.equal(204);
    expect((await control({ type: CLIENTS_CREATE, ids: [5] })).status).to.equal(204);
    expect((await control({ fault: 'late' })).status).to.equal(400);
    await standIn.webhooksIdle();
    const deliveries = standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE);
    expect([deliveries.length, received.filter((event) => event.type === CLIENTS_CREATE).map((event) => event.ids)]).to.deep.equal([2, [[5]]]);
  });

  describe('the stand-in\'s deliveries', () => {
    it('a sink that does not answer: the attempts are retried, then the expiration clock starts', async () => {
      await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 5_000 });
      await receiver.close();
      standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
      await standIn.webhooksIdle();
      expect(standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE).map((attempt) => attempt.status)).to.deep.equal([0, 0, 0, 0]);
      expect(standIn.subscriptions()).to.have.length(1);
    });

    it('an out-of-order event with nothing after it is sent anyway, after a second', async () => {
      await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 5_000 });
      standIn.failNextWebhook('out-of-order');
      standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
      await standIn.webhooksIdle();
      expect(received.filter((event) => event.type === CLIENTS_CREATE).map((event) => event.ids)).to.deep.equal([[1]]);
    });
  });

  describe('ensureSubscription when the API fails', () => {
    it('an API that keeps failing is the caller\'s error, never a silent false', async () => {
      standIn.failNext(20, { type: 'unavailable', status: 503 });
      await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 100 }).then(
        () => expect.fail('resolved'),
        (error: unknown) => expect([error instanceof FattureInCloudAPIError, (error as FattureInCloudAPIError).status]).to.deep.equal([true, 503]),
      );
    });

    it('the types a subscription lacks are added with a PUT, and the warnings come back as they are', async () => {
      await api(standIn, tokens, 'POST', `/c/${COMPANY}/subscriptions`, { data: { sink: `${sink}/elsewhere`, types: [CLIENTS_CREATE.replace('create', 'delete')] } });
      await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE], verifyTimeout: 5_000 });
      const extended = await ensureSubscription({ tokens, key: 'user', companyID: COMPANY, sink, types: [CLIENTS_CREATE, CLIENTS_CREATE.replace('create', 'delete')], verifyTimeout: 5_000 });
      expect(extended.updated).to.equal(true);
      expect(extended.warnings).to.deep.equal([`The '${CLIENTS_CREATE.replace('create', 'delete')}' event is already registered for this application`]);
    });
  });

  describe('the receiver', () => {
    it('refuses a challenge over 256 characters, and a key that is not P-256', async () => {
      const key = testKey();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
      const token = await signFor(key.privateKey, 'https://app.example/hooks', { id: 'x', subject: 'company:1' });
      const answer = await webhooks.receive({ method: 'GET', url: '/hooks', headers: { authorization: `Bearer ${token}`, 'x-fic-verification-challenge': 'a'.repeat(257) }, body: undefined });
      expect(answer.status).to.equal(400);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
      expect(() => new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: rsa })).to.throw(TypeError, /EC P-256/);
      expect(() => new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: createSecretKey(Buffer.alloc(32)) })).to.throw(TypeError, /PEM public key/);
      expect(() => new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: 42 as never })).to.throw(TypeError, /keys\[0\] must be a PEM public key/);
    });

    it('a Content-Length over the bound is 413 before the body is read; a request cut short goes to next(error)', async () => {
      const key = testKey();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
      const errors: unknown[] = [];
      const listening = await serve((req, res) => webhooks.handler(req, res, (error) => void errors.push(error)));
      try {
        const { port } = new URL(listening.baseURL);
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', headers: { 'Content-Length': String(1024 * 1024), 'Content-Type': 'application/json' } }, (res) => resolve(res.statusCode ?? 0));
          req.on('error', reject);
          req.write('{');
        });
        expect(status).to.equal(413);
        await new Promise<void>((resolve) => {
          const req = request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', headers: { 'Content-Length': '100', 'Content-Type': 'application/json' } });
          req.on('error', () => resolve());
          req.write('{"data":', () => setTimeout(() => req.destroy(), 50));
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(errors).to.have.length(1);
      } finally {
        await listening.close();
      }
    });

    it('another process still on the event past handlerTimeout: 503, so it comes again', async () => {
      const key = testKey();
      const log = new MemoryWebhookLog();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey, dedupe: log, handlerTimeout: 60 });
      const event = testEvent();
      await log.claim(event.id, 'another-process', 10_000);
      const token = await signFor(key.privateKey, 'https://app.example/hooks', event);
      const headers = { authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject };
      expect((await webhooks.receive({ method: 'POST', url: '/hooks', headers, body: '{}' })).status).to.equal(503);
    });

    it('a numeric app id, a token without aid, and a token that cannot be read', async () => {
      const key = testKey();
      const sinkURL = 'https://app.example/hooks';
      const post = async (webhooks: FattureInCloudWebhooks, token: string, event = testEvent()) => {
        const seen: (string | undefined)[] = [];
        webhooks.onAny((each) => void seen.push(each.appID));
        const headers = { authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject };
        return { status: (await webhooks.receive({ method: 'POST', url: '/hooks', headers, body: '{}' })).status, seen };
      };
      const numeric = testEvent();
      expect(await post(new FattureInCloudWebhooks({ sink: sinkURL, keys: key.publicKey, appID: 4242 }), await signFor(key.privateKey, sinkURL, numeric, { aid: 4242 }), numeric)).to.deep.equal({ status: 200, seen: ['4242'] });
      const anonymous = testEvent();
      expect(await post(new FattureInCloudWebhooks({ sink: sinkURL, keys: key.publicKey }), await signFor(key.privateKey, sinkURL, anonymous, { aid: undefined }), anonymous)).to.deep.equal({ status: 200, seen: [undefined] });
      expect((await post(new FattureInCloudWebhooks({ sink: sinkURL, keys: key.publicKey }), 'abc.def.ghi')).status).to.equal(401);
      expect(() => new FattureInCloudWebhooks({ sink: 5 as never })).to.throw(TypeError, /sink must be/);
    });

    it('a chunked body past 256 KiB is 413 as it streams; a cut request with no next() is destroyed', async () => {
      const key = testKey();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
      const listening = await serve((req, res) => webhooks.handler(req, res));
      try {
        const { port } = new URL(listening.baseURL);
        const status = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', headers: { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' } }, (res) => resolve(res.statusCode ?? 0));
          req.on('error', reject);
          const chunk = 'x'.repeat(64 * 1024);
          for (let index = 0; index < 5; index++) req.write(chunk);
        });
        expect(status).to.equal(413);
        const cut = await new Promise<string>((resolve) => {
          const req = request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', headers: { 'Content-Length': '100', 'Content-Type': 'application/json' } }, () => resolve('answered'));
          req.on('error', () => resolve('closed'));
          req.write('{"data":', () => setTimeout(() => req.destroy(), 50));
        });
        expect(cut).to.equal('closed');
      } finally {
        await listening.close();
      }
    });

    it('forgets handled ids once their time is past (MemoryWebhookLog)', async () => {
      let now = 0;
      const log = new MemoryWebhookLog(() => now);
      await log.complete('old', 100);
      await log.claim('claimed', 'owner', 50);
      now = 200;
      expect(await log.claim('new', 'owner', 100)).to.equal('claimed');
      expect(log.size).to.equal(1);
    });

    it('an attribute past 256 characters is malformed (400)', async () => {
      const key = testKey();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
      const answer = await webhooks.receive({ method: 'POST', url: '/hooks', headers: { 'ce-id': 'x'.repeat(300), 'ce-type': CLIENTS_CREATE, 'ce-time': 'now', 'ce-subject': 'company:1' }, body: undefined });
      expect(answer.status).to.equal(400);
    });

    it('an event with no ids (the welcome) and one with ids that are not numbers', async () => {
      const key = testKey();
      const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: key.publicKey });
      const event = testEvent();
      const token = await signFor(key.privateKey, 'https://app.example/hooks', event);
      const headers = { authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject };
      expect((await webhooks.receive({ method: 'POST', url: '/hooks', headers, body: { data: { ids: ['1'] } } })).status).to.equal(400);
      expect((await webhooks.receive({ method: 'POST', url: '/hooks', headers, body: '' })).status).to.equal(200);
    });
  });
});
