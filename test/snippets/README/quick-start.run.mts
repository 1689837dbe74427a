// The quick start as a reader runs it: against a stand-in, with the settings it prints; then the
// failure paths it promises to handle: a refused login, a dead grant, and the request limit.
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { freePort } from '../../../test/support/ports.ts';
import { signIn } from '../../../test/support/login-client.ts';

const appPort = await freePort();
const standIn = await startFattureInCloudStandIn({ redirectURI: `http://localhost:${appPort}/auth/fattureincloud/callback` });
Object.assign(process.env, { FIC_CLIENT_ID: standIn.clientID, FIC_CLIENT_SECRET: standIn.clientSecret, FIC_BASE_URL: standIn.baseURL, SESSION_SECRET: 'a-session-secret-for-the-snippet-check', PORT: String(appPort) });
const printed: string[] = [];
const log = console.log;
console.log = (...args: unknown[]) => void printed.push(args.join(' '));

// SNIPPET

await new Promise((resolve) => setTimeout(resolve, 100));
console.log = log;
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`the quick start did not do what it says: ${what}`);
}
const origin = `http://localhost:${appPort}`;
check(printed.includes(`Open ${origin}`), 'it prints its URL at start');
check((await (await fetch(`${origin}/`)).text()).includes('Log in with Fatture in Cloud'), 'the home page offers to log in');

const signedIn = await signIn(origin);
const names: unknown = await (await signedIn.open('/clients')).json();
check(signedIn.ok && Array.isArray(names) && names.length === 3, `it lists the clients: ${JSON.stringify(names)}`);
check((await (await signedIn.open('/')).text()).includes('Hello, Mario Rossi'), 'the home page says who is logged in');

// A 429 that outlasts the retries, then a quota 403: a page that says when to come back, no stack trace.
for (const fault of [{ type: 'rate-limited', retryAfter: 120 }, { type: 'quota-exceeded' }] as const) {
  standIn.failNext(1, fault);
  const limited = await signedIn.open('/clients');
  const text = await limited.text();
  check(limited.status === 503 && text.includes('try again in') && !text.includes(' at '), `${fault.type}: a page that says when to come back: ${limited.status} ${text}`);
}

// The user disconnects the app: the stored grant is dead, and the app sends them to log in again.
for await (const key of tokens.store.keys?.() ?? []) {
  const stored = await tokens.store.read(key);
  standIn.revokeRefreshToken(stored?.tokens.refreshToken ?? '');
  standIn.expireAccessToken(stored?.tokens.accessToken ?? '');
}
const dead = await signedIn.open('/clients');
check(dead.status === 302 && dead.headers.get('location') === '/auth/fattureincloud', `a dead grant sends the user to log in again: ${dead.status} ${dead.headers.get('location')}`);

// A refused consent: back home, with the message.
const start = await fetch(`${origin}/auth/fattureincloud`, { redirect: 'manual' });
const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const consent = new URL(start.headers.get('location') ?? '');
const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: consent.searchParams.get('redirect_uri') ?? '', scope: consent.searchParams.get('scope') ?? '', state: consent.searchParams.get('state') ?? '', decision: 'deny' });
const denied = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
await fetch(denied.headers.get('location') ?? '', { headers: { cookie }, redirect: 'manual' });
const home = await (await fetch(`${origin}/`, { headers: { cookie } })).text();
check(home.includes('You did not allow access to Fatture in Cloud.'), `a refused login's message is on the home page: ${home}`);
console.log('the quick start logged in, listed the clients, and handled the limit, a dead grant and a refusal');
// The app listens until the process ends: end it now that the check is done.
Reflect.apply(process.exit, process, [0]);
