import type { FattureInCloudTokenSet } from '../../lib/index';
import type { FattureInCloudStandIn } from '../../lib/testing/index';
import { tokenSetFromParams } from '../../lib/index';

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
