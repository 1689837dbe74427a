import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { expiring } from '../../../test/support/stand-in-login.ts';

const { standIn, tokens, userID } = await snippetContext();

// SNIPPET

const stored = await tokens.store.read(userID);
await tokens.save(userID, expiring(stored!.tokens));
await tokens.get(userID);
expectTrue(counters.get('token_refresh_refreshed') === 1, 'the refresh is counted');
await standIn.close();
