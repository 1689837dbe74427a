import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { createApp, type ExampleAppOptions } from './app';
import { ConfigError, type ExampleConfig, readConfig } from './config';
import { openStores, type Stores } from './stores';
import { ExampleWebhooks } from './webhooks';

const WEBHOOK_PATH = '/webhooks/fattureincloud';

/**
 * `npm start`: without FIC_CLIENT_ID and FIC_CLIENT_SECRET the example logs in
 * against the embedded stand-in on loopback; with them, against Fatture in Cloud
 * (or a stand-in shared through `fattureincloud-stand-in`). With REDIS_URL,
 * sessions and tokens live in Redis, shared by every instance.
 */
async function main(): Promise<void> {
  const config = readConfig(process.env);
  const stores = await openStores(config);
  const server = createServer();
  const port = await listen(server, config.port);
  const appURL = `http://localhost:${port}`;
  const provider = await providerOptions(config, appURL);
  const webhooks = exampleWebhooks(config, appURL, provider.standIn, stores);
  server.on('request', createApp({ ...provider.options, sessionSecret: config.sessionSecret, sessionStore: stores.sessions, tokenStore: stores.tokens, webhooks }));
  console.log(`passport-fattureincloud example (${provider.options.providerLabel}) at ${appURL}`);
  console.log(stores.description);
  if (stores.warning) console.warn(stores.warning);
  console.log(webhooks ? `Webhooks arrive at ${webhooks.receiver.sink}.` : 'Webhooks are off: set FIC_WEBHOOK_SINK to the public https URL of this app\'s /webhooks/fattureincloud.');
  if (!config.sessionSecret) console.log('SESSION_SECRET is not set: a random one is used, so sessions end with the process.');
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void Promise.all([provider.close(), stores.close()]);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Offline, the stand-in sends its webhooks to this app, signed with its own key; online, only where FIC_WEBHOOK_SINK says they arrive. */
function exampleWebhooks(config: ExampleConfig, appURL: string, standIn: FattureInCloudStandIn | undefined, stores: Stores): ExampleWebhooks | undefined {
  const dedupe = stores.webhookLog;
  if (standIn) return new ExampleWebhooks({ sink: `${appURL}${WEBHOOK_PATH}`, keys: standIn.webhookPublicKey, appID: standIn.appID, dedupe });
  if (!config.webhooks) return undefined;
  const { sink = `${appURL}${WEBHOOK_PATH}`, publicKey, appID } = config.webhooks;
  return new ExampleWebhooks({ sink, keys: publicKey, appID, dedupe });
}

interface Provider {
  options: Omit<ExampleAppOptions, 'sessionSecret'>;
  /** The embedded stand-in, when no credentials are set. */
  standIn?: FattureInCloudStandIn;
  close: () => Promise<void>;
}

async function providerOptions(config: ExampleConfig, appURL: string): Promise<Provider> {
  const scope = config.scopes;
  if (config.credentials) {
    const label = config.credentials.baseURL.startsWith('https://api-v2.fattureincloud.it') ? 'Fatture in Cloud' : config.credentials.baseURL;
    return { options: { strategy: { ...config.credentials, scope }, providerLabel: label }, close: () => Promise.resolve() };
  }
  const callbackURL = `${appURL}/auth/fattureincloud/callback`;
  const standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL, appName: 'passport-fattureincloud example' });
  const strategy = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, callbackURL, baseURL: standIn.baseURL, scope };
  return { options: { strategy, providerLabel: `offline stand-in at ${standIn.baseURL}` }, standIn, close: () => standIn.close() };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Port ${port} is in use: set PORT to a free port.`) : error),
    );
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

main().catch((error: unknown) => {
  // Configuration mistakes (ours or the strategy's) get one line, not a stack trace.
  const known = error instanceof ConfigError || error instanceof TypeError;
  console.error(known ? `Cannot start the example: ${error.message}` : error);
  process.exit(1);
});
