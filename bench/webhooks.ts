import { fork } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { RedisServer } from '../test/support/redis-server';
import { percentile, perSecond, writeSection } from './results';

/**
 * `npm run bench:webhooks`: notifications per second through the receiver
 * (the JWT checked with jose, the event claimed and completed in a private
 * redis-server, an empty handler) against a bare Express route that answers
 * 200 to the same requests, each server in its own process, in one run.
 * Every request is a distinct event with its own signed token, made before
 * the clock starts. Alternating rounds, medians. Goal: at least 0.5×.
 */
const EVENTS = 4_000;
const CONCURRENCY = 32;
const ROUNDS = 5;
const SINK = 'https://app.example/hooks';

interface Notification {
  headers: Record<string, string>;
  body: string;
}

async function notifications(count: number, privateKey: Parameters<SignJWT['sign']>[0]): Promise<Notification[]> {
  const now = Math.floor(Date.now() / 1000);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const id = `198:${randomUUID()}`;
      const subject = 'company:12345';
      const token = await new SignJWT({ aid: 'bench' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://api-v2.fattureincloud.it').setAudience([SINK]).setSubject(subject).setJti(id).setIssuedAt(now).setExpirationTime(now + 3 * 3600).sign(privateKey);
      const body = JSON.stringify({ data: { ids: [1] } });
      const headers = { Authorization: `Bearer ${token}`, 'ce-id': id, 'ce-type': 'it.fattureincloud.webhooks.entities.clients.create', 'ce-time': new Date().toISOString(), 'ce-subject': subject, 'ce-specversion': '1.0', 'Content-Type': 'application/json', 'Content-Length': String(body.length) };
      return { headers, body };
    }),
  );
}

interface Server {
  port: number;
  /** The process's CPU time so far, user and system, in µs. */
  cpu(): Promise<number>;
  stop(): void;
}

async function start(args: string[]): Promise<Server> {
  const child = fork(join(__dirname, 'webhook-server.ts'), args, { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const cpu = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
      child.send('cpu');
    });
  return { port, cpu, stop: () => child.kill() };
}

/** Notifications per second, and the server's CPU µs per notification. */
async function measure(server: Server, batch: readonly Notification[]): Promise<{ rate: number; cpu: number }> {
  const before = await server.cpu();
  const perSecond = await rate(server.port, batch);
  return { rate: perSecond, cpu: ((await server.cpu()) - before) / batch.length };
}

/** Sends every notification, CONCURRENCY at a time, on keep-alive sockets; notifications per second. */
async function rate(port: number, batch: readonly Notification[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let failed = 0;
  const send = ({ headers, body }: Notification): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/hooks', method: 'POST', headers, agent }, (res) => {
        if (res.statusCode !== 200) failed += 1;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  const notificationsPerSecond = await perSecond(batch.length, CONCURRENCY, (index) => send(batch[index] as Notification)).finally(() => agent.destroy());
  if (failed > 0) throw new Error(`${failed} notifications were not answered 200`);
  return notificationsPerSecond;
}

async function main(): Promise<void> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }).toString()).toString('base64');
  const redis = await RedisServer.start();
  const receiver = await start(['receiver', pem, redis.url, SINK]);
  const bare = await start(['bare']);
  try {
    const warmUp = await notifications(1_000, privateKey);
    await rate(receiver.port, warmUp);
    await rate(bare.port, warmUp);
    const rounds: { bare: number; receiver: number; bareCPU: number; receiverCPU: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = await notifications(EVENTS, privateKey);
      const plain = await measure(bare, batch);
      const checked = await measure(receiver, batch);
      rounds.push({ bare: plain.rate, receiver: checked.rate, bareCPU: plain.cpu, receiverCPU: checked.cpu });
    }
    const bareRate = percentile(rounds.map((r) => r.bare), 0.5);
    const receiverRate = percentile(rounds.map((r) => r.receiver), 0.5);
    const bareCPU = percentile(rounds.map((r) => r.bareCPU), 0.5);
    const receiverCPU = percentile(rounds.map((r) => r.receiverCPU), 0.5);
    const rows = [
      [`notifications through \`webhooks.handler\` (ES256 JWT + RedisWebhookLog dedupe) under Express, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds of ${EVENTS}`, `${receiverRate.toFixed(0)}/s (${(receiverRate / bareRate).toFixed(2)}× the bare route)`, '≥ 0.5× the bare route'],
      ['the same requests to a bare Express route answering 200 (the reference)', `${bareRate.toFixed(0)}/s`, 'n/a'],
      ['server CPU per notification, receiver / bare route', `${receiverCPU.toFixed(0)} / ${bareCPU.toFixed(0)} µs`, 'n/a'],
    ];
    const table = ['| measure | result | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(table);
    const perRound = rounds.map((r) => `${r.bare.toFixed(0)}/${r.receiver.toFixed(0)}`).join(', ');
    writeSection(
      'webhooks',
      `## Webhook notifications (\`npm run bench:webhooks\`)\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}, loopback, each server in its own process, a private redis-server; every request a distinct event signed before the clock starts.\nRounds (bare/receiver, notifications per second): ${perRound}.\n\n${table}`,
    );
  } finally {
    receiver.stop();
    bare.stop();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
