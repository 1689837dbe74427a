import { FattureInCloudQuota } from 'passport-fattureincloud';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const quota = new FattureInCloudQuota();

// SNIPPET

expectTrue(page.data.data?.length === 3, 'the job lists the clients');
await standIn.close();
