import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const standIn = await startFattureInCloudStandIn({ redirectURI: 'http://localhost:3000/cb' });
const webhooks = new FattureInCloudWebhooks({ sink: 'http://127.0.0.1/webhooks/fattureincloud', keys: standIn.webhookPublicKey });

// SNIPPET

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const other = await fetch(`http://127.0.0.1:${port}/elsewhere`);
const unsigned = await fetch(`http://127.0.0.1:${port}/webhooks/fattureincloud?x-fic-verification-challenge=abc`);
expectTrue(other.status === 404 && unsigned.status === 401, 'the sink is served, every other path is a 404');
server.close();
await standIn.close();
