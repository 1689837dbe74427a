import { FattureInCloudTokens } from 'passport-fattureincloud';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { grantAtStandIn } from './stand-in-login';

/** What a docs snippet assumes is around it: a signed-in user's tokens, against a stand-in. */
export interface SnippetContext {
  standIn: FattureInCloudStandIn;
  clientID: string;
  clientSecret: string;
  baseURL: string;
  callbackURL: string;
  tokens: FattureInCloudTokens;
  userID: string;
  companyID: number;
}

export async function snippetContext(): Promise<SnippetContext> {
  const callbackURL = 'http://localhost:3000/auth/fattureincloud/callback';
  const standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL });
  const credentials = { clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL };
  // As a reader sets it for the stand-in: every block passes baseURL: process.env.FIC_BASE_URL.
  process.env.FIC_BASE_URL = standIn.baseURL;
  const tokens = new FattureInCloudTokens(credentials);
  await tokens.save('user-1', await grantAtStandIn(standIn, callbackURL));
  return { standIn, ...credentials, callbackURL, tokens, userID: 'user-1', companyID: 12345 };
}

/** Fails the snippet's run, with what was expected. */
export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new Error(`the snippet did not do what its docs say: ${what}`);
}
