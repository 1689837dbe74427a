import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();

// SNIPPET

expectTrue(data.data?.length === 3 && fic.axios.defaults.baseURL === standIn.baseURL, 'the clients are listed, from the base URL of tokens');
await standIn.close();
