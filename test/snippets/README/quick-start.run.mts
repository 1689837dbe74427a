// The quick start as a reader runs it: against a stand-in, with the settings it prints.
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { freePort } from '../../../test/support/ports.ts';
import { signIn } from '../../../test/support/login-client.ts';

const appPort = await freePort();
const standIn = await startFattureInCloudStandIn({ redirectURI: `http://localhost:${appPort}/auth/fattureincloud/callback` });
Object.assign(process.env, { FIC_CLIENT_ID: standIn.clientID, FIC_CLIENT_SECRET: standIn.clientSecret, FIC_BASE_URL: standIn.baseURL, SESSION_SECRET: 'a-session-secret-for-the-snippet-check', PORT: String(appPort) });

// SNIPPET

const signedIn = await signIn(`http://localhost:${appPort}`);
const clients = await signedIn.open('/clients');
const names: unknown = await clients.json();
if (!signedIn.ok || !Array.isArray(names) || names.length !== 3) throw new Error(`the quick start did not list the clients: ${JSON.stringify(names)}`);
console.log(`logged in and listed ${names.length} clients; token requests: ${standIn.stats.tokenRequests}`);
// The app listens until the process ends: end it now that the check is done.
Reflect.apply(process.exit, process, [0]);
