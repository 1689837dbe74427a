import { type Client, ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { FattureInCloudError, type FattureInCloudTokens } from 'passport-fattureincloud';
import { fattureInCloudSDK } from 'passport-fattureincloud/sdk';

/**
 * A page of the company's clients, through the official SDK bound to the user's
 * token set: a 401 recovers by itself, a 429 is waited out. An error is a
 * message to show (the package's, scrubbed of every token); a grant that ended
 * is the caller's to handle, by ending the session.
 */
export type ClientsResult = { clients: Client[]; total: number } | { error: string };

const PER_PAGE = 50;

export async function listClients(tokens: FattureInCloudTokens, userID: string, companyID: number): Promise<ClientsResult> {
  const clients = fattureInCloudSDK({ tokens, key: userID }).api(ClientsApi);
  try {
    const { data } = await clients.listClients(companyID, undefined, undefined, undefined, 1, PER_PAGE);
    return { clients: data.data ?? [], total: data.total ?? 0 };
  } catch (error) {
    if (grantEnded(error)) throw error;
    return { error: describe(error) };
  }
}

/** Creates a client through the API: Fatture in Cloud (or the stand-in) then sends the clients.create event. */
export async function addClient(tokens: FattureInCloudTokens, userID: string, companyID: number, name: string): Promise<{ id: number } | { error: string }> {
  const clients = fattureInCloudSDK({ tokens, key: userID }).api(ClientsApi);
  try {
    const { data } = await clients.createClient(companyID, { data: { name } });
    return { id: data.data?.id ?? 0 };
  } catch (error) {
    if (grantEnded(error)) throw error;
    return { error: describe(error) };
  }
}

/** The user must authorize the app again: Fatture in Cloud refused the grant, or no set is stored. */
export function grantEnded(error: unknown): boolean {
  return error instanceof FattureInCloudError && (error.code === 'invalid_grant' || error.code === 'no_token_set');
}

/** The package's errors say what happened and hold no token; anything else is not shown. */
function describe(error: unknown): string {
  if (!(error instanceof FattureInCloudError)) return 'The clients could not be listed.';
  const advice = error.status === 403 ? ' The app needs the entity.clients:r scope (entity.clients:a to add one), and the company must be one of yours.' : '';
  return `${error.message}.${advice}`;
}
