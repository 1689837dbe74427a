import type { AddressInfo } from 'node:net';
import express from 'express';
import { createClient } from 'redis';
import { RedisWebhookLog } from 'passport-fattureincloud/redis';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';

/**
 * One side of `bench/webhooks.ts`, in its own process: `receiver` (the
 * webhooks handler with a RedisWebhookLog, a handler that does nothing) or
 * `bare` (an Express route that answers 200 to the same requests).
 * Sends its port to the parent, and its CPU time whenever asked.
 */
process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
const [kind = 'bare', publicKey = '', redisURL = '', sink = ''] = process.argv.slice(2);

async function main(): Promise<void> {
  const app = express();
  if (kind === 'receiver') {
    const client = await createClient({ url: redisURL }).connect();
    const webhooks = new FattureInCloudWebhooks({ sink, keys: Buffer.from(publicKey, 'base64').toString('utf8'), dedupe: new RedisWebhookLog({ client }) });
    webhooks.onAny(() => undefined);
    app.use(webhooks.handler);
  } else {
    app.post('/hooks', (_req, res) => void res.sendStatus(200));
  }
  const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

void main();
