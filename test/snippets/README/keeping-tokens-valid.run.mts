import passport from 'passport';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { grantAtStandIn } from '../../../test/support/stand-in-login.ts';

const { standIn, clientID, clientSecret, baseURL, callbackURL } = await snippetContext();
const userID = 'someone-who-never-logged-in';

// SNIPPET

expectTrue(set === undefined, 'nothing is stored before a login');
await tokens.save(userID, await grantAtStandIn(standIn, callbackURL));
expectTrue((await tokens.get(userID))?.accessToken.startsWith('a/') === true, 'get hands back the saved set');
await standIn.close();
