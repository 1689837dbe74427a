import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { createApp, type ExampleAppOptions } from './app';
import { ConfigError, type ExampleConfig, readConfig } from './config';
import { openStores } from './stores';

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
  server.on('request', createApp({ ...provider.options, sessionSecret: config.sessionSecret, sessionStore: stores.sessions, tokenStore: stores.tokens }));
  console.log(`passport-fattureincloud example (${provider.options.providerLabel}) at ${appURL}`);
  console.log(stores.description);
  if (stores.warning) console.warn(stores.warning);
  if (!config.sessionSecret) console.log('SESSION_SECRET is not set: a random one is used, so sessions end with the process.');
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void Promise.all([provider.close(), stores.close()]);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function providerOptions(config: ExampleConfig, appURL: string): Promise<{ options: Omit<ExampleAppOptions, 'sessionSecret'>; close: () => Promise<void> }> {
  const scope = config.scopes;
  if (config.credentials) {
    const label = config.credentials.baseURL.startsWith('https://api-v2.fattureincloud.it') ? 'Fatture in Cloud' : config.credentials.baseURL;
    return { options: { strategy: { ...config.credentials, scope }, providerLabel: label }, close: () => Promise.resolve() };
  }
  const callbackURL = `${appURL}/auth/fattureincloud/callback`;
  const standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL, appName: 'passport-fattureincloud example' });
  const strategy = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, callbackURL, baseURL: standIn.baseURL, scope };
  return { options: { strategy, providerLabel: `offline stand-in at ${standIn.baseURL}` }, close: () => standIn.close() };
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
