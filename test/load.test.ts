import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createApp } from '../example/app';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { loginThroughExample, runBounded } from './support/login-client';
import { scaled } from './support/scale';

const LOGINS = scaled(100, 1000);
const CONCURRENCY = 50;

describe(`load: ${LOGINS} logins through the example and its token store at concurrency ${CONCURRENCY}`, () => {
  let server: Server;
  let standIn: FattureInCloudStandIn;
  let appURL: string;

  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    appURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const callbackURL = `${appURL}/auth/fattureincloud/callback`;
    standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL });
    const strategy = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, callbackURL, baseURL: standIn.baseURL, scope: 'entity.clients:r' };
    server.on('request', createApp({ strategy, providerLabel: 'stand-in' }));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await standIn.close();
  });

  it('has zero failures', async function () {
    this.timeout(120_000);
    const started = Date.now();
    const results = await runBounded(LOGINS, CONCURRENCY, () =>
      loginThroughExample(appURL).catch((error: unknown) => ({ ok: false, detail: String(error) })),
    );
    const failures = results.filter((result) => !result.ok);
    const seconds = (Date.now() - started) / 1000;
    console.log(`      ${LOGINS} logins in ${seconds.toFixed(1)} s (${Math.round(LOGINS / seconds)}/s), ${failures.length} failures`);
    expect(failures.slice(0, 3)).to.deep.equal([]);
    expect(results).to.have.length(LOGINS);
    expect(standIn.stats.tokenRequests).to.equal(LOGINS);
    // The profile's two calls, then the clients list with the token from the store.
    expect(standIn.stats.apiRequests).to.equal(3 * LOGINS);
  });
});
