import { createServer } from 'node:http';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const webhooks = new FattureInCloudWebhooks({ sink: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/fattureincloud`, keys: standIn.webhookPublicKey });
server.on('request', webhooks.handler);
const CLIENT_EVENTS = ['it.fattureincloud.webhooks.entities.clients.create'];
/** The app's own query: who is subscribed to what. */
const subscribedCompanies = async () => [{ key: userID, companyID }, { key: 'user-who-revoked', companyID }];

// SNIPPET

expectTrue(result.created.length === 1 && result.failed.length === 1, 'the lost subscription is made again; the revoked user is reported');
await standIn.webhooksIdle();
expectTrue(standIn.subscriptions()[0]?.verified === true, 'and verified');
server.close();
await standIn.close();
