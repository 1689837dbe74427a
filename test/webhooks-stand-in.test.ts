import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientsApi, IssuedDocumentsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { CHANNELS, FattureInCloudTokens, type SubscriptionEvent } from '../lib/index';
import { fattureInCloudSDK } from '../lib/sdk/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn, type StandInOptions } from '../lib/testing/index';
import { ensureSubscription, FattureInCloudWebhooks, reconcileSubscriptions, type WebhookEvent, WELCOME_EVENT } from '../lib/webhooks/index';
import { OpenAPISpec } from './support/openapi';
import { grantAtStandIn } from './support/stand-in-login';
import { serve, type Served } from './support/loopback';
import { CLIENTS_CREATE } from './support/webhooks';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const COMPANY = 12345;
const KEY = 'user-1';
const CLIENT_TYPES = ['it.fattureincloud.webhooks.entities.clients.create', 'it.fattureincloud.webhooks.entities.clients.update', 'it.fattureincloud.webhooks.entities.clients.delete'];
const DAY = 24 * 60 * 60 * 1000;

interface World {
  standIn: FattureInCloudStandIn;
  tokens: FattureInCloudTokens;
  receiver: Served;
  sink: string;
  webhooks: FattureInCloudWebhooks;
  received: WebhookEvent[];
  /** What the receiver's node:http answers before the webhooks see the request: a status to force, or undefined. */
  force: { status: number | undefined };
}

/** A stand-in that retries fast, a user signed in, and a receiver on loopback configured with the stand-in's key. */
async function world(options: Partial<StandInOptions> = {}, scope = 'entity.clients:a issued_documents.invoices:a'): Promise<World> {
  const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, webhookRetryDelays: [20, 40, 80], ...options });
  const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
  await tokens.save(KEY, await grantAtStandIn(standIn, REDIRECT, scope));
  const force: World['force'] = { status: undefined };
  const mounted: { webhooks?: FattureInCloudWebhooks } = {};
  const receiver = await serve((req, res) => {
    if (force.status !== undefined) return void res.writeHead(force.status).end();
    mounted.webhooks?.handler(req, res);
  });
  const sink = `${receiver.baseURL}/hooks`;
  const webhooks = (mounted.webhooks = new FattureInCloudWebhooks({ sink, keys: standIn.webhookPublicKey, appID: standIn.appID }));
  const received: WebhookEvent[] = [];
  webhooks.onAny((event) => void received.push(event));
  return { standIn, tokens, receiver, sink, webhooks, received, force };
}

async function stop(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.standIn.close();
  await w.receiver.close();
}

function clientsAPI(w: World): ClientsApi {
  return fattureInCloudSDK({ tokens: w.tokens, key: KEY }).api(ClientsApi);
}

async function subscribe(w: World, extra: Partial<Parameters<typeof ensureSubscription>[0]> = {}) {
  return ensureSubscription({ tokens: w.tokens, key: KEY, companyID: COMPANY, sink: w.sink, types: CLIENT_TYPES, verifyTimeout: 5_000, ...extra });
}

/** The events of a channel while `body` runs. */
async function published<T>(channel: string, body: () => Promise<unknown>): Promise<T[]> {
  const seen: T[] = [];
  const listener = (message: unknown): void => void seen.push(message as T);
  diagnosticsChannel.subscribe(channel, listener);
  try {
    await body();
  } finally {
    diagnosticsChannel.unsubscribe(channel, listener);
  }
  return seen;
}

describe('the stand-in sends webhooks, and ensureSubscription keeps them coming', function () {
  this.timeout(30_000);
  let w: World | undefined;
  afterEach(async () => {
    await stop(w);
    w = undefined;
  });

  for (const verificationMethod of ['header', 'query'] as const) {
    for (const mapping of ['binary', 'structured'] as const) {
      it(`verification in ${verificationMethod} mode, the welcome event, then an event for each client created, changed and deleted (${mapping})`, async () => {
        w = await world();
        const ensured = await subscribe(w, { verificationMethod, mapping });
        expect([ensured.created, ensured.verified, ensured.subscription.verified]).to.deep.equal([true, true, true]);
        const clients = clientsAPI(w);
        const { data } = await clients.createClient(COMPANY, { data: { name: 'Acme' } });
        const id = data.data?.id ?? 0;
        await clients.modifyClient(COMPANY, id, { data: { name: 'Acme S.p.A.' } });
        await clients.deleteClient(COMPANY, id);
        await w.standIn.webhooksIdle();
        const events = w.received.map((event) => [event.type, event.ids, event.companyID, event.appID]);
        expect(events.slice(0, 1)).to.deep.equal([[WELCOME_EVENT, [], COMPANY, 'stand-in-app']]);
        expect(events.slice(1).sort()).to.deep.equal(CLIENT_TYPES.map((type) => [type, [id], COMPANY, 'stand-in-app']).sort());
      });
    }
  }

  it('answers the subscription endpoints as the official spec describes them', async () => {
    w = await world({}, 'entity.clients:a entity.suppliers:r');
    const spec = new OpenAPISpec();
    const call = async (method: string, path: string, body?: unknown) => {
      const token = (await w!.tokens.get(KEY))!.accessToken;
      const response = await fetch(`${w!.standIn.baseURL}/c/${COMPANY}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    };
    const check = (template: string, method: string, answer: { status: number; body: unknown }) => {
      const { validate, source } = spec.response(`/c/{company_id}${template}`, method, answer.status);
      if (answer.body !== undefined) expect(validate(answer.body), `${source}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    };
    const created = await call('POST', '/subscriptions', { data: { sink: w.sink, types: ['it.fattureincloud.webhooks.entities.all.create'] } });
    expect(created.status, JSON.stringify(created.body)).to.equal(200);
    check('/subscriptions', 'POST', created);
    const id = (created.body?.data as { id: string }).id;
    expect((created.body?.data as { types: string[] }).types).to.deep.equal(['it.fattureincloud.webhooks.entities.clients.create', 'it.fattureincloud.webhooks.entities.suppliers.create']);
    check('/subscriptions', 'GET', await call('GET', '/subscriptions'));
    check('/subscriptions/{subscription_id}', 'GET', await call('GET', `/subscriptions/${id}`));
    const modified = await call('PUT', `/subscriptions/${id}`, { data: { types: [CLIENTS_CREATE, 'it.fattureincloud.webhooks.nope'] } });
    check('/subscriptions/{subscription_id}', 'PUT', modified);
    expect(modified.body?.warnings).to.deep.equal(["The 'it.fattureincloud.webhooks.nope' event does not exist"]);
    const again = await call('POST', '/subscriptions', { data: { sink: `${w.sink}2`, types: [CLIENTS_CREATE, 'it.fattureincloud.webhooks.entities.clients.update'] } });
    expect(again.body?.warnings).to.deep.equal([`The '${CLIENTS_CREATE}' event is already registered for this application`]);
    const conflict = await call('POST', '/subscriptions', { data: { sink: w.sink, types: [CLIENTS_CREATE] } });
    expect(conflict.status).to.equal(409);
    check('/subscriptions', 'POST', conflict);
    const remote = await call('POST', '/subscriptions', { data: { sink: 'http://example.com/hooks', types: ['it.fattureincloud.webhooks.entities.clients.delete'] } });
    expect(remote.status).to.equal(422);
    check('/subscriptions', 'POST', remote);
    const noScope = await call('POST', '/subscriptions', { data: { sink: w.sink, types: ['it.fattureincloud.webhooks.products.create'] } });
    expect(noScope.status).to.equal(403);
    const deleted = await call('DELETE', `/subscriptions/${id}`);
    expect([deleted.status, deleted.body]).to.deep.equal([200, undefined]);
    expect((await call('GET', `/subscriptions/${id}`)).status).to.equal(404);
  });

  it('ensureSubscription is idempotent: run again it makes nothing; with a new type it extends the subscription; two at once make one', async () => {
    w = await world();
    const created = await published<SubscriptionEvent>(CHANNELS.subscriptionCreated, () => subscribe(w!, { types: CLIENT_TYPES.slice(0, 1) }));
    expect(created).to.have.length(1);
    const again = await subscribe(w, { types: CLIENT_TYPES.slice(0, 1) });
    expect([again.created, again.updated, again.verified]).to.deep.equal([false, false, true]);
    const extended = await subscribe(w);
    expect([extended.created, extended.updated, extended.subscription.types]).to.deep.equal([false, true, CLIENT_TYPES]);
    expect(w.standIn.subscriptions()).to.have.length(1);
    await stop(w);
    w = await world();
    const both = await Promise.all([subscribe(w), subscribe(w)]);
    expect(both.filter((each) => each.created)).to.have.length(1);
    expect(w.standIn.subscriptions()).to.have.length(1);
    expect(both.every((each) => each.verified)).to.equal(true);
  });

  it('an issued document makes its type\'s event; seeding makes create events too', async () => {
    w = await world();
    await subscribe(w, { types: ['it.fattureincloud.webhooks.issued_documents.invoices.create', CLIENTS_CREATE] });
    const documents = fattureInCloudSDK({ tokens: w.tokens, key: KEY }).api(IssuedDocumentsApi);
    const { data } = await documents.createIssuedDocument(COMPANY, { data: { type: 'invoice' as never, entity: { name: 'Acme' }, items_list: [{ name: 'Work', net_price: 100, qty: 1 }] } });
    const [seeded] = w.standIn.seed({ clients: [{ name: 'Seeded' }] }).clients;
    await w.standIn.webhooksIdle();
    // Delivered side by side: in either order.
    expect(w.received.slice(1).map((event) => [event.type, event.ids])).to.have.deep.members([
      ['it.fattureincloud.webhooks.issued_documents.invoices.create', [data.data?.id]],
      [CLIENTS_CREATE, [seeded?.id]],
    ]);
  });

  it('a 5xx is retried (4 attempts in all) and the event handled once', async () => {
    w = await world();
    await subscribe(w);
    let calls = 0;
    w.webhooks.on(CLIENTS_CREATE, () => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
    });
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
    await w.standIn.webhooksIdle();
    const attempts = w.standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.status])).to.deep.equal([[1, 500], [2, 500], [3, 200]]);
    expect(w.received.filter((event) => event.type === CLIENTS_CREATE)).to.have.length(1);
  });

  it('a sink that fails: the 10-day clock starts, a success clears it, the first failure past it deletes the subscription; reconcile brings it back', async () => {
    w = await world();
    await subscribe(w);
    w.force.status = 404;
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
    await w.standIn.webhooksIdle();
    // A 4xx is not retried: one attempt, dropped.
    expect(w.standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE).map((attempt) => attempt.status)).to.deep.equal([404]);
    w.standIn.advanceClock(10 * DAY + 1000);
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [2] });
    await w.standIn.webhooksIdle();
    expect(w.standIn.subscriptions()).to.deep.equal([]);
    w.force.status = undefined;
    const lost = await published<SubscriptionEvent>(CHANNELS.subscriptionLost, async () => {
      const result = await reconcileSubscriptions({ tokens: w!.tokens, sink: w!.sink, types: CLIENT_TYPES, targets: [{ key: KEY, companyID: COMPANY }, { key: 'nobody', companyID: COMPANY }] });
      expect(result.created.map(({ key, companyID }) => [key, companyID])).to.deep.equal([[KEY, COMPANY]]);
      expect(result.failed.map(({ key }) => key)).to.deep.equal(['nobody']);
    });
    expect(lost.map((event) => event.companyID)).to.deep.equal([COMPANY]);
    await w.standIn.webhooksIdle();
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [3] });
    await w.standIn.webhooksIdle();
    expect(w.received.filter((event) => event.type === CLIENTS_CREATE).map((event) => event.ids)).to.deep.equal([[3]]);
  });

  it('a success clears the expiration clock', async () => {
    w = await world();
    await subscribe(w);
    w.force.status = 400;
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
    await w.standIn.webhooksIdle();
    w.force.status = undefined;
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [2] });
    await w.standIn.webhooksIdle();
    w.standIn.advanceClock(11 * DAY);
    w.force.status = 400;
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [3] });
    await w.standIn.webhooksIdle();
    expect(w.standIn.subscriptions()).to.have.length(1);
  });

  it('unsubscribe(): the 410 deletes the subscription', async () => {
    w = await world();
    await subscribe(w);
    w.webhooks.on(CLIENTS_CREATE, (event) => event.unsubscribe());
    w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
    await w.standIn.webhooksIdle();
    expect(w.standIn.subscriptions()).to.deep.equal([]);
  });

  it('a failed verification is asked again at most every 10 minutes; after the fifth failure the subscription is gone', async () => {
    w = await world();
    w.force.status = 500;
    const first = await subscribe(w, { verifyTimeout: 300 });
    expect([first.created, first.verified]).to.deep.equal([true, false]);
    const tooSoon = await subscribe(w, { verifyTimeout: 300 });
    expect([tooSoon.reverified, tooSoon.verified]).to.deep.equal([false, false]);
    for (let attempt = 2; attempt <= 4; attempt += 1) {
      w.standIn.advanceClock(10 * 60 * 1000);
      const again = await subscribe(w, { verifyTimeout: 300 });
      expect([again.reverified, again.verified]).to.deep.equal([true, false]);
    }
    w.standIn.advanceClock(10 * 60 * 1000);
    const fifth = await published<SubscriptionEvent>(CHANNELS.subscriptionLost, () => subscribe(w!, { verifyTimeout: 300 }));
    expect(fifth).to.have.length(1);
    expect(w.standIn.subscriptions()).to.deep.equal([]);
    w.force.status = undefined;
    const verified = await published<SubscriptionEvent>(CHANNELS.subscriptionVerified, () => subscribe(w!));
    expect(verified).to.have.length(1);
  });

  describe('faults for tests', () => {
    it('duplicate: delivered twice, handled once', async () => {
      w = await world();
      await subscribe(w);
      let calls = 0;
      w.webhooks.on(CLIENTS_CREATE, () => void (calls += 1));
      w.standIn.failNextWebhook('duplicate');
      w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
      await w.standIn.webhooksIdle();
      expect(w.standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE).map((attempt) => attempt.status)).to.deep.equal([200, 200]);
      expect(calls).to.equal(1);
    });

    it('out-of-order: the held event comes after the next one', async () => {
      w = await world();
      await subscribe(w);
      await w.standIn.webhooksIdle();
      w.standIn.failNextWebhook('out-of-order');
      w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
      await sleep(20);
      w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [2] });
      await w.standIn.webhooksIdle();
      expect(w.received.filter((event) => event.type === CLIENTS_CREATE).map((event) => event.ids[0])).to.deep.equal([2, 1]);
    });

    for (const fault of ['bad-signature', 'expired-token', 'wrong-audience'] as const) {
      it(`${fault}: refused with 401, never handed on`, async () => {
        w = await world();
        await subscribe(w);
        w.standIn.failNextWebhook(fault);
        w.standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [1] });
        await w.standIn.webhooksIdle();
        expect(w.standIn.webhookAttempts.filter((attempt) => attempt.type === CLIENTS_CREATE).map((attempt) => attempt.status)).to.deep.equal([401]);
        expect(w.received.filter((event) => event.type === CLIENTS_CREATE)).to.deep.equal([]);
      });
    }

    it('refuses a fault it does not know, and retry delays that are not 3 waits', async () => {
      w = await world();
      expect(() => w!.standIn.failNextWebhook('late' as never)).to.throw(TypeError, /fault must be one of/);
      await startFattureInCloudStandIn({ redirectURI: REDIRECT, webhookRetryDelays: [1, 2] }).then(
        () => expect.fail('accepted 2 delays'),
        (error: unknown) => expect(String(error)).to.match(/webhookRetryDelays/),
      );
    });
  });

  it('ensureSubscription and reconcileSubscriptions refuse bad options early', async () => {
    w = await world();
    const base = { tokens: w.tokens, key: KEY, companyID: COMPANY, sink: w.sink, types: CLIENT_TYPES };
    for (const [options, message] of [
      [{ ...base, companyID: 0 }, /companyID/],
      [{ ...base, sink: 'nope' }, /sink/],
      [{ ...base, types: [] }, /types/],
      [{ ...base, mapping: 'xml' }, /mapping/],
      [{ ...base, verificationMethod: 'post' }, /verificationMethod/],
      [{ ...base, verifyTimeout: -5 }, /verifyTimeout/],
    ] as const) {
      await ensureSubscription(options as never).then(() => expect.fail('accepted'), (error: unknown) => expect(String(error)).to.match(message));
    }
    await reconcileSubscriptions({ ...base, targets: 'all' as never }).then(() => expect.fail('accepted'), (error: unknown) => expect(String(error)).to.match(/targets/));
    const aborted = AbortSignal.abort();
    await reconcileSubscriptions({ ...base, targets: [{ key: KEY, companyID: COMPANY }], signal: aborted }).then(() => expect.fail('ran'), (error: unknown) => expect((error as Error).name).to.equal('AbortError'));
  });
});
