import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { createApp, type ExampleAppOptions } from './app';
import { ConfigError, type ExampleConfig, readConfig } from './config';

/**
 * `npm start`: without FIC_CLIENT_ID and FIC_CLIENT_SECRET the example logs in
 * against the embedded stand-in on loopback; with them, against Fatture in Cloud.
 */
async function main(): Promise<void> {
  const config = readConfig(process.env);
  const server = createServer();
  const port = await listen(server, config.port);
  const appURL = `http://localhost:${port}`;
  const { options, close } = await appOptions(config, appURL);
  server.on('request', createApp(options));
  console.log(`passport-fattureincloud example (${options.providerLabel}) at ${appURL}`);
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function appOptions(config: ExampleConfig, appURL: string): Promise<{ options: ExampleAppOptions; close: () => Promise<void> }> {
  const scope = config.scopes;
  if (config.credentials) {
    return { options: { strategy: { ...config.credentials, scope }, providerLabel: 'Fatture in Cloud' }, close: () => Promise.resolve() };
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
