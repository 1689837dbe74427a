import { WebhooksApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { expect } from 'chai';
import { FattureInCloudTokens } from '../lib/index';
import { fattureInCloudSDK } from '../lib/sdk/index';
import type { FattureInCloudStandIn } from '../lib/testing/index';
import { ensureSubscription } from '../lib/webhooks/index';
import { grantAtStandIn } from '../test/support/stand-in-login';
import { CLIENTS_CREATE } from '../test/support/webhooks';

/**
 * What each framework's app from the packed tarball must do with the stand-in's
 * webhooks: verified in header and in query mode, events in binary and in
 * structured mode reaching its handler (which lists them at `/received`), a
 * forged one refused with 401 and never handed on.
 */
export async function expectWebhooksReceived(standIn: FattureInCloudStandIn, appURL: string, redirectURI: string): Promise<void> {
  const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
  await tokens.save('user', await grantAtStandIn(standIn, redirectURI, 'entity.clients:r'));
  const sink = `${appURL}/webhooks/fattureincloud`;
  const webhooksAPI = fattureInCloudSDK({ tokens, key: 'user' }).api(WebhooksApi);
  const received = async () => (await (await fetch(`${appURL}/received`)).json()) as { type: string; ids: number[] }[];
  let id = 100;
  for (const [verificationMethod, mapping] of [['header', 'binary'], ['query', 'structured']] as const) {
    const ensured = await ensureSubscription({ tokens, key: 'user', companyID: 12345, sink, types: [CLIENTS_CREATE], verificationMethod, mapping, verifyTimeout: 5_000 });
    expect(ensured.verified, `${verificationMethod} verification`).to.equal(true);
    standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [(id += 1)] });
    await standIn.webhooksIdle();
    expect((await received()).at(-1), mapping).to.deep.include({ type: CLIENTS_CREATE, ids: [id] });
    await webhooksAPI.deleteWebhooksSubscription(12345, ensured.subscription.id);
  }
  await ensureSubscription({ tokens, key: 'user', companyID: 12345, sink, types: [CLIENTS_CREATE], verifyTimeout: 5_000 });
  await standIn.webhooksIdle();
  const before = (await received()).length;
  standIn.failNextWebhook('bad-signature');
  standIn.sendWebhookEvent({ type: CLIENTS_CREATE, ids: [999] });
  await standIn.webhooksIdle();
  expect(standIn.webhookAttempts.at(-1)?.status).to.equal(401);
  expect(await received()).to.have.length(before);
}
