import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID } = await snippetContext();

// SNIPPET

expectTrue(set?.accessToken.startsWith('a/') === true, 'get answers within its signal');
await standIn.close();
