import diagnosticsChannel from 'node:diagnostics_channel';
import { createPublicKey } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import express from 'express';
import { SignJWT } from 'jose';
import { CHANNELS, type WebhookReceivedEvent, type WebhookRefusedEvent } from '../lib/index';
import { EVENT_TYPES, FATTURE_IN_CLOUD_WEBHOOK_KEY, FattureInCloudWebhooks, MemoryWebhookLog, type WebhookEvent, WELCOME_EVENT } from '../lib/webhooks/index';
import { serve, type Served } from './support/loopback';
import { CLIENTS_CREATE, type Claims, type Mode, postEvent, signFor, testEvent, type TestEvent, testKey, unsignedToken } from './support/webhooks';

const key = testKey();
const SINK_PATH = '/webhooks/fattureincloud';

/** A receiver on node:http at a free port, its sink the URL it listens at. */
async function startReceiver(options: Partial<ConstructorParameters<typeof FattureInCloudWebhooks>[0]> = {}) {
  const mounted: { webhooks?: FattureInCloudWebhooks } = {};
  const listening = await serve((req, res) => mounted.webhooks?.handler(req, res));
  const sink = `${listening.baseURL}${SINK_PATH}`;
  const webhooks = (mounted.webhooks = new FattureInCloudWebhooks({ sink, keys: key.publicPEM, appID: 'app-1', ...options }));
  const received: WebhookEvent[] = [];
  webhooks.onAny((event) => void received.push(event));
  return { webhooks, sink, received, listening };
}

describe('FattureInCloudWebhooks: the receiver', function () {
  this.timeout(20_000);
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.listening.close());

  const send = async (event: TestEvent, claims: Claims = {}, mode: Mode = 'binary') => postEvent(receiver.sink, event, await signFor(key.privateKey, receiver.sink, event, claims), mode);

  for (const mode of ['binary', 'structured', 'structured-as-json'] as const) {
    it(`hands on an event sent in ${mode} mode, typed, and answers 200`, async () => {
      const event = testEvent({ ids: [7, 8] });
      const answer = await send(event, {}, mode);
      expect(answer.status).to.equal(200);
      expect(receiver.received).to.have.length(1);
      const [received] = receiver.received;
      expect({ ...received, unsubscribe: undefined }).to.deep.equal({ id: event.id, type: CLIENTS_CREATE, companyID: 12345, ids: [7, 8], time: event.time, appID: 'app-1', unsubscribe: undefined });
    });
  }

  it('answers the verification GET in header and in query mode, once its JWT checks out', async () => {
    const verification = { id: 'any-fresh-jti', subject: 'company:12345' };
    const token = await signFor(key.privateKey, receiver.sink, verification);
    const challenge = 'a'.repeat(64);
    const byHeader = await fetch(receiver.sink, { headers: { Authorization: `Bearer ${token}`, 'x-fic-verification-challenge': challenge } });
    expect([byHeader.status, await byHeader.json()]).to.deep.equal([200, { verification: challenge }]);
    const byQuery = await fetch(`${receiver.sink}?x-fic-verification-challenge=${challenge}`, { headers: { Authorization: `Bearer ${token}` } });
    expect([byQuery.status, await byQuery.json()]).to.deep.equal([200, { verification: challenge }]);
    const unsigned = await fetch(receiver.sink, { headers: { 'x-fic-verification-challenge': challenge } });
    expect(unsigned.status).to.equal(401);
    const noChallenge = await fetch(receiver.sink, { headers: { Authorization: `Bearer ${token}` } });
    expect(noChallenge.status).to.equal(400);
  });

  describe('refuses with 401, before any handler, every request whose JWT does not hold', () => {
    const now = Math.floor(Date.now() / 1000);
    const otherKey = testKey();
    const cases: [string, (event: TestEvent, sink: string) => Promise<string | undefined>, string][] = [
      ['no Authorization', () => Promise.resolve(undefined), 'no_token'],
      ['signed with another key', (event, sink) => signFor(otherKey.privateKey, sink, event), 'bad_signature'],
      ['alg none', (event, sink) => Promise.resolve(unsignedToken({ alg: 'none', typ: 'JWT' }, { iss: 'https://api-v2.fattureincloud.it', aud: [sink], sub: event.subject, jti: event.id, iat: now, exp: now + 3600 })), 'bad_signature'],
      [
        'HS256 signed with the public key as the secret',
        (event, sink) =>
          new SignJWT({ iss: 'https://api-v2.fattureincloud.it', aud: [sink], sub: event.subject, jti: event.id, iat: now, exp: now + 3600 })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(Buffer.from(key.publicPEM)),
        'bad_signature',
      ],
      ['expired', (event, sink) => signFor(key.privateKey, sink, event, { iat: now - 4 * 3600, exp: now - 3600 }), 'expired'],
      ['issued in the future, beyond the tolerance', (event, sink) => signFor(key.privateKey, sink, event, { iat: now + 600, exp: now + 3 * 3600 }), 'not_yet_valid'],
      ['a wrong iss', (event, sink) => signFor(key.privateKey, sink, event, { iss: 'https://evil.example' }), 'wrong_issuer'],
      ['the aud of another sink', (event, sink) => signFor(key.privateKey, sink, event, { aud: [`${sink}/other`] }), 'wrong_audience'],
      ['jti that is not ce-id', (event, sink) => signFor(key.privateKey, sink, event, { jti: 'another-event' }), 'wrong_id'],
      ['sub that is not ce-subject', (event, sink) => signFor(key.privateKey, sink, event, { sub: 'company:999' }), 'wrong_subject'],
      ['another app id', (event, sink) => signFor(key.privateKey, sink, event, { aid: 'app-2' }), 'wrong_app'],
      ['a token replayed on another event', (event, sink) => signFor(key.privateKey, sink, testEvent()), 'wrong_id'],
    ];
    for (const [name, token, reason] of cases) {
      it(name, async () => {
        const refused: WebhookRefusedEvent[] = [];
        const listener = (message: unknown): void => void refused.push(message as WebhookRefusedEvent);
        diagnosticsChannel.subscribe(CHANNELS.webhookRefused, listener);
        try {
          const event = testEvent();
          const sent = await token(event, receiver.sink);
          const answer = await postEvent(receiver.sink, event, sent);
          expect(answer.status).to.equal(401);
          // The answer and the event say why, never the token.
          if (sent) expect(JSON.stringify([answer.body, refused])).not.to.include(sent.split('.')[2] || sent.split('.')[1]);
          expect(receiver.received).to.deep.equal([]);
          expect(refused).to.deep.equal([{ reason, status: 401 }]);
        } finally {
          diagnosticsChannel.unsubscribe(CHANNELS.webhookRefused, listener);
        }
      });
    }
  });

  it('hands on a duplicate once: the second delivery is acknowledged, not handed on', async () => {
    const event = testEvent();
    const duplicates: unknown[] = [];
    const received: WebhookReceivedEvent[] = [];
    const onDuplicate = (message: unknown): void => void duplicates.push(message);
    const onReceived = (message: unknown): void => void received.push(message as WebhookReceivedEvent);
    diagnosticsChannel.subscribe(CHANNELS.webhookDuplicate, onDuplicate);
    diagnosticsChannel.subscribe(CHANNELS.webhookReceived, onReceived);
    try {
      expect((await send(event)).status).to.equal(200);
      expect((await send(event)).status).to.equal(200);
      expect(receiver.received).to.have.length(1);
      expect(duplicates).to.deep.equal([{ id: event.id, type: CLIENTS_CREATE, companyID: 12345 }]);
      expect(received.map(({ id, type, companyID, outcome }) => ({ id, type, companyID, outcome }))).to.deep.equal([{ id: event.id, type: CLIENTS_CREATE, companyID: 12345, outcome: 'handled' }]);
      expect(received[0]?.durationMs).to.be.a('number');
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.webhookDuplicate, onDuplicate);
      diagnosticsChannel.unsubscribe(CHANNELS.webhookReceived, onReceived);
    }
  });

  it('two deliveries of one event at once: the handler runs once, and neither is acknowledged before it is handled', async () => {
    let runs = 0;
    let handled = false;
    receiver.webhooks.on(CLIENTS_CREATE, async () => {
      runs += 1;
      await sleep(200);
      handled = true;
    });
    const event = testEvent();
    const answers = await Promise.all([send(event).then((answer) => ({ ...answer, handled })), send(event).then((answer) => ({ ...answer, handled }))]);
    expect(runs).to.equal(1);
    expect(answers.map((answer) => [answer.status, answer.handled])).to.deep.equal([[200, true], [200, true]]);
  });

  it('a handler that throws: 500 (Fatture in Cloud retries), and the retry runs it again; onError sees what it threw', async () => {
    await receiver.listening.close();
    const errors: unknown[] = [];
    receiver = await startReceiver({ onError: (error) => void errors.push(error) });
    let calls = 0;
    receiver.webhooks.on(CLIENTS_CREATE, () => {
      calls += 1;
      if (calls === 1) throw new Error('database down');
    });
    const event = testEvent();
    expect((await send(event)).status).to.equal(500);
    expect((await send(event)).status).to.equal(200);
    expect((await send(event)).status).to.equal(200);
    expect(calls).to.equal(2);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['database down']);
  });

  it('a handler past handlerTimeout: 503; when it ends in success, the retry is a duplicate', async () => {
    await receiver.listening.close();
    receiver = await startReceiver({ handlerTimeout: 100 });
    let calls = 0;
    receiver.webhooks.on(CLIENTS_CREATE, async () => {
      calls += 1;
      await sleep(300);
    });
    const event = testEvent();
    expect((await send(event)).status).to.equal(503);
    await sleep(400);
    expect((await send(event)).status).to.equal(200);
    expect(calls).to.equal(1);
  });

  it('unsubscribe() makes the answer 410', async () => {
    receiver.webhooks.on(CLIENTS_CREATE, (event) => event.unsubscribe());
    expect((await send(testEvent())).status).to.equal(410);
  });

  it('an unknown type and the welcome event are still 200, handed to onAny; typed handlers get only their types, group types expanded', async () => {
    const typed: string[] = [];
    receiver.webhooks.on('it.fattureincloud.webhooks.entities.all.create', (event) => void typed.push(event.type));
    receiver.webhooks.on([WELCOME_EVENT], (event) => void typed.push(event.type));
    for (const type of ['it.fattureincloud.webhooks.something.new', WELCOME_EVENT, 'it.fattureincloud.webhooks.entities.suppliers.create', CLIENTS_CREATE]) {
      expect((await send(testEvent({ type }))).status).to.equal(200);
    }
    expect(typed).to.deep.equal([WELCOME_EVENT, 'it.fattureincloud.webhooks.entities.suppliers.create', CLIENTS_CREATE]);
    expect(receiver.received.map((event) => event.type)).to.have.length(4);
  });

  it('a body over 256 KiB is 413 and a malformed one 400, neither handed on; other methods 405', async () => {
    const event = testEvent();
    const token = await signFor(key.privateKey, receiver.sink, event);
    const headers = { Authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject, 'ce-specversion': '1.0', 'Content-Type': 'application/json' };
    const big = await fetch(receiver.sink, { method: 'POST', headers, body: JSON.stringify({ data: { ids: [1] }, pad: 'x'.repeat(300 * 1024) }) });
    expect(big.status).to.equal(413);
    const malformed = await fetch(receiver.sink, { method: 'POST', headers, body: '{"data":' });
    expect(malformed.status).to.equal(400);
    const noSubject = await fetch(receiver.sink, { method: 'POST', headers: { ...headers, 'ce-subject': 'user:1' }, body: '{}' });
    expect(noSubject.status).to.equal(400);
    const put = await fetch(receiver.sink, { method: 'PUT', headers, body: '{}' });
    expect(put.status).to.equal(405);
    expect(receiver.received).to.deep.equal([]);
  });

  it('serves only the sink path: others go to next(), or 404 on a bare server', async () => {
    expect((await fetch(`${receiver.listening.baseURL}/elsewhere`)).status).to.equal(404);
  });

  it('takes keys as a PEM, the base64 of one, a KeyObject, or a list (rotation); Fatture in Cloud\'s by default', async () => {
    const next = testKey();
    for (const keys of [Buffer.from(key.publicPEM).toString('base64'), key.publicKey, [next.publicPEM, key.publicPEM]]) {
      await receiver.listening.close();
      receiver = await startReceiver({ keys });
      expect((await send(testEvent())).status).to.equal(200);
    }
    await receiver.listening.close();
    receiver = await startReceiver({ keys: undefined });
    expect((await send(testEvent())).status).to.equal(401);
    expect(createPublicKey(FATTURE_IN_CLOUD_WEBHOOK_KEY).asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
  });

  it('refuses bad options early, with a clear error', () => {
    const sink = 'https://example.com/hooks';
    expect(() => new FattureInCloudWebhooks(undefined as never)).to.throw(TypeError, /needs options/);
    expect(() => new FattureInCloudWebhooks({ sink: 'ftp://x' })).to.throw(TypeError, /sink must be/);
    expect(() => new FattureInCloudWebhooks({ sink, keys: 'not a key' })).to.throw(TypeError, /PEM public key/);
    expect(() => new FattureInCloudWebhooks({ sink, keys: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace('P-256', '') })).not.to.throw();
    expect(() => new FattureInCloudWebhooks({ sink, keys: [] })).to.throw(TypeError, /at least one/);
    expect(() => new FattureInCloudWebhooks({ sink, handlerTimeout: -1 })).to.throw(TypeError, /handlerTimeout/);
    expect(() => new FattureInCloudWebhooks({ sink, dedupe: {} as never })).to.throw(TypeError, /dedupe/);
    expect(() => new FattureInCloudWebhooks({ sink, appID: '' })).to.throw(TypeError, /appID/);
    expect(() => new FattureInCloudWebhooks({ sink, path: 'hooks' })).to.throw(TypeError, /path/);
    expect(() => new FattureInCloudWebhooks({ sink }).on([], () => undefined)).to.throw(TypeError, /type/);
    expect(() => new FattureInCloudWebhooks({ sink }).on(CLIENTS_CREATE, 'x' as never)).to.throw(TypeError, /function/);
    expect(() => new FattureInCloudWebhooks({ sink }).onAny(undefined as never)).to.throw(TypeError, /function/);
    expect(() => new FattureInCloudWebhooks({ sink, onError: 1 as never })).to.throw(TypeError, /onError/);
  });

  it('a log that fails: 503, so Fatture in Cloud sends the event again; the key material is not enumerable', async () => {
    await receiver.listening.close();
    const failing = new MemoryWebhookLog();
    failing.claim = () => Promise.reject(new Error('store down'));
    receiver = await startReceiver({ dedupe: failing });
    expect((await send(testEvent())).status).to.equal(503);
    expect(Object.keys(receiver.webhooks)).not.to.include('keys');
  });

  it('exports the spec\'s 78 event types', () => {
    expect(EVENT_TYPES).to.have.length(78);
    expect(new Set(EVENT_TYPES).size).to.equal(78);
  });
});

describe('FattureInCloudWebhooks under Express 5', function () {
  this.timeout(20_000);
  for (const parsed of [false, true]) {
    it(`${parsed ? 'after express.json()' : 'reading the body itself'}: both modes, the handshake, other routes untouched`, async () => {
      const app = express();
      let webhooks: FattureInCloudWebhooks | undefined;
      if (parsed) app.use(express.json());
      app.all(SINK_PATH, (req, res, next) => webhooks?.handler(req, res, next));
      app.get('/other', (_req, res) => void res.send('other'));
      const listening: Served = await serve(app);
      try {
        const sink = `${listening.baseURL}${SINK_PATH}`;
        webhooks = new FattureInCloudWebhooks({ sink, keys: key.publicKey });
        const received: string[] = [];
        webhooks.onAny((event) => void received.push(event.id));
        for (const mode of ['binary', 'structured', 'structured-as-json'] as const) {
          const event = testEvent();
          expect((await postEvent(sink, event, await signFor(key.privateKey, sink, event), mode)).status, mode).to.equal(200);
          expect(received.at(-1)).to.equal(event.id);
        }
        expect(await (await fetch(`${listening.baseURL}/other`)).text()).to.equal('other');
      } finally {
        await listening.close();
      }
    });
  }

  it('mounted with app.use(webhooks.handler), other paths reach the next route', async () => {
    const app = express();
    let webhooks: FattureInCloudWebhooks | undefined;
    app.use((req, res, next) => webhooks?.handler(req, res, next));
    app.get('/other', (_req, res) => void res.send('other'));
    const listening = await serve(app);
    try {
      const sink = `${listening.baseURL}${SINK_PATH}`;
      webhooks = new FattureInCloudWebhooks({ sink, keys: key.publicKey });
      const event = testEvent();
      expect((await postEvent(sink, event, await signFor(key.privateKey, sink, event))).status).to.equal(200);
      expect(await (await fetch(`${listening.baseURL}/other`)).text()).to.equal('other');
    } finally {
      await listening.close();
    }
  });
});

describe('webhooks.receive() and the body as a framework leaves it', () => {
  const sink = 'https://app.example/hooks';
  for (const [name, body] of [
    ['bytes', (json: string) => Buffer.from(json)],
    ['text', (json: string) => json],
    ['parsed JSON', (json: string) => JSON.parse(json) as unknown],
  ] as const) {
    it(`takes ${name}`, async () => {
      const webhooks = new FattureInCloudWebhooks({ sink, keys: key.publicKey });
      const seen: number[][] = [];
      webhooks.onAny((event) => void seen.push(event.ids));
      const event = testEvent({ ids: [42] });
      const token = await signFor(key.privateKey, sink, event);
      const headers = { authorization: `Bearer ${token}`, 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject };
      const answer = await webhooks.receive({ method: 'POST', url: '/hooks', headers, body: body(JSON.stringify({ data: { ids: [42] } })) });
      expect([answer.status, seen]).to.deep.equal([200, [[42]]]);
    });
  }
});
