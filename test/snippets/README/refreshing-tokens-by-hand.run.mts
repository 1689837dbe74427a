import { FattureInCloudStrategy, type FattureInCloudTokenSet } from 'passport-fattureincloud';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { grantAtStandIn } from '../../../test/support/stand-in-login.ts';

const { standIn, clientID, clientSecret, baseURL, callbackURL } = await snippetContext();
const strategy = new FattureInCloudStrategy({ clientID, clientSecret, baseURL, callbackURL }, (_a, _r, profile, done) => done(null, { id: profile.id }));
const user = { id: 'user-1', tokens: await grantAtStandIn(standIn, callbackURL) };
const saved: FattureInCloudTokenSet[] = [];
async function saveTokens(_userID: string, tokenSet: FattureInCloudTokenSet): Promise<void> {
  saved.push(tokenSet);
}

// SNIPPET

expectTrue(saved.length === 1 && saved[0]?.refreshToken === standIn.currentRefreshToken(user.tokens.refreshToken), 'the rotated set is saved, once');
await standIn.close();
