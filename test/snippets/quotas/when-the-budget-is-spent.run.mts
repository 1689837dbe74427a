import { FattureInCloudQuota } from 'passport-fattureincloud';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const quota = new FattureInCloudQuota({ perHour: 1 });

// SNIPPET

expectTrue((await clientsPage()).status === 200, 'the first call is served');
const refused = await clientsPage();
expectTrue(refused.status === 503 && refused.text.includes('try again in'), 'the second is told when to come back');
await standIn.close();
