// The SDK binding from the tarball, against the stand-in: a revoked access token recovers with one refresh.
const { ClientsApi } = require('@fattureincloud/fattureincloud-ts-sdk');
const { FattureInCloudTokens, tokenSetFromParams } = require('passport-fattureincloud');
const { fattureInCloudSDK } = require('passport-fattureincloud/sdk');
const { startFattureInCloudStandIn } = require('passport-fattureincloud/testing');

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

async function grant(standIn) {
  const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: REDIRECT, scope: 'entity.clients:r', decision: 'approve' });
  const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(decision.headers.get('location')).searchParams.get('code');
  const response = await fetch(`${standIn.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: standIn.clientID, client_secret: standIn.clientSecret, redirect_uri: REDIRECT, code }),
  });
  return tokenSetFromParams(await response.json());
}

async function main() {
  const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
  try {
    const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL });
    const set = await grant(standIn);
    await tokens.save('user-1', set);
    standIn.revokeAccessToken(set.accessToken);
    const { data } = await fattureInCloudSDK({ tokens, key: 'user-1' }).api(ClientsApi).listClients(12345);
    console.log(JSON.stringify({ clients: data.data.length, tokenRequests: standIn.stats.tokenRequests, unauthorized: standIn.stats.faults.unauthorized }));
  } finally {
    await standIn.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
