import { FattureInCloudTokens, type FattureInCloudTokenSet, tokenSetFromParams } from '../../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../../lib/testing/index';

/** A real token set from the stand-in, by approving its consent form and exchanging the code. */
export async function grantAtStandIn(standIn: FattureInCloudStandIn, redirectURI: string, scope = 'entity.clients:r'): Promise<FattureInCloudTokenSet> {
  const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: redirectURI, scope, decision: 'approve' });
  const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(decision.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`the stand-in gave no code (HTTP ${decision.status})`);
  const response = await fetch(`${standIn.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: standIn.clientID, client_secret: standIn.clientSecret, redirect_uri: redirectURI, code }),
  });
  return tokenSetFromParams((await response.json()) as Parameters<typeof tokenSetFromParams>[0]);
}

/** The same set, expiring now: the next `get` must refresh it. */
export function expiring(tokenSet: FattureInCloudTokenSet): FattureInCloudTokenSet {
  return { ...tokenSet, expiresAt: Date.now() - 1000 };
}

/** A user signed in at a stand-in: their set saved under `key` in a FattureInCloudTokens on it, for the SDK binding's tests. */
export async function signedInUser(redirectURI: string, key: string, scope = 'entity.clients:a') {
  const standIn = await startFattureInCloudStandIn({ redirectURI });
  // A short timeout: a refused refresh waits this long for another process's successor.
  const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, timeout: 300 });
  const initial = await grantAtStandIn(standIn, redirectURI, scope);
  await tokens.save(key, initial);
  return { standIn, tokens, initial };
}
