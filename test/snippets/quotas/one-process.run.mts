import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();

// SNIPPET

expectTrue(data.data?.length === 3, 'the clients are listed');
expectTrue((await quota.remaining(companyID)).hour.remaining === 999, 'the call took one unit of the hour');
await standIn.close();
