import { createServer } from 'node:http';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const webhooks = new FattureInCloudWebhooks({ sink: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/fattureincloud`, keys: standIn.webhookPublicKey });
server.on('request', webhooks.handler);
const profile = { id: userID };

// SNIPPET

expectTrue(created && verified, 'the subscription is made and verified');
const again = await ensureSubscription({ tokens, key: profile.id, companyID, sink: webhooks.sink, types: ['it.fattureincloud.webhooks.entities.clients.create'] });
expectTrue(!again.created && standIn.subscriptions().length === 1, 'run again, it makes nothing');
server.close();
await standIn.close();
