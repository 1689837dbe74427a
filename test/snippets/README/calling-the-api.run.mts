import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const req = { user: { id: userID } };

// SNIPPET

expectTrue(data.data?.length === 3, 'the clients are listed');
await standIn.close();
