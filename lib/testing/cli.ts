#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ACCOUNTANT_COMPANIES } from './data';
import { isLoopbackHost } from './loopback';
import { startFattureInCloudStandIn } from './stand-in';

/**
 * `fattureincloud-stand-in`: the offline Fatture in Cloud on its own, so that
 * several processes (or apps in other languages) can share one.
 */

const USAGE = `Usage: fattureincloud-stand-in [--port N] [--host H] [--redirect-uri URL]... [--client-id ID] [--client-secret S] [--accountant] [--allow-remote]

Starts an offline Fatture in Cloud (OAuth consent page, token endpoint, /user/info,
/user/companies, and company info, clients, suppliers, products and issued documents
under /c/{company_id}) and prints the settings to give the apps that log in through it:

  FIC_CLIENT_ID=…  FIC_CLIENT_SECRET=…  FIC_BASE_URL=…

and what a webhook receiver checks the stand-in's webhooks with:

  FIC_WEBHOOK_PUBLIC_KEY=… (base64 of the PEM)  FIC_APP_ID=…

Options:
  --port N            port to listen on (default 0: any free port, printed)
  --host H            address to listen on (default 127.0.0.1); one that is not loopback
                      needs --allow-remote
  --allow-remote      listen on a --host other machines reach; the client secret is then a
                      random one (printed) unless --client-secret is given, and the control
                      endpoints (/stand-in/…) need it: Authorization: Bearer <client secret>
  --redirect-uri URL  a registered redirect URL, compared as a plain string; repeat it for
                      several apps (default http://localhost:3000/auth/fattureincloud/callback)
  --client-id ID      default stand-in-client-id
  --client-secret S   default stand-in-client-secret
  --accountant        the user is an accountant with two controlled companies (default: one company)
  --auto-approve      approve every valid authorization at once, with no consent page (for tests)
  --quota-per-hour N  requests an hour per company before a 403 (default 1000)
  --quota-per-month N requests a month per company before a 403 (default 40000)
  --app-id ID         the app id its webhook JWTs carry as aid (default stand-in-app)
  --help              this text

Stop it with Ctrl+C.`;

const DEFAULT_REDIRECT_URI = 'http://localhost:3000/auth/fattureincloud/callback';

class UsageError extends Error {}

function readOptions(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        accountant: { type: 'boolean' },
        'allow-remote': { type: 'boolean' },
        'auto-approve': { type: 'boolean' },
        'quota-per-hour': { type: 'string' },
        'quota-per-month': { type: 'string' },
        'app-id': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
  const redirectURIs = values['redirect-uri'] ?? [DEFAULT_REDIRECT_URI];
  const invalid = redirectURIs.find((uri) => !URL.canParse(uri));
  if (invalid !== undefined) throw new UsageError(`--redirect-uri must be a URL, got "${invalid}"`);
  const remote = values.host !== undefined && !isLoopbackHost(values.host);
  if (remote && values['allow-remote'] !== true) {
    throw new UsageError(`--host ${values.host} is not a loopback address: anyone who reaches it could mint tokens. Pass --allow-remote to mean it`);
  }
  // Reachable from elsewhere, the printed default secret would let anyone mint tokens.
  const clientSecret = values['client-secret'] ?? (remote ? randomBytes(24).toString('base64url') : undefined);
  const quota = { perHour: requests(values['quota-per-hour'], '--quota-per-hour'), perMonth: requests(values['quota-per-month'], '--quota-per-month') };
  return { help: values.help === true, accountant: values.accountant === true, autoApprove: values['auto-approve'] === true, port, host: values.host, redirectURIs, clientID: values['client-id'], clientSecret, quota, appID: values['app-id'] };
}

function requests(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new UsageError(`${flag} must be a whole number of requests, at least 1, got "${value}"`);
  return number;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const standIn = await startFattureInCloudStandIn({
    redirectURI: options.redirectURIs,
    port: options.port,
    host: options.host,
    clientID: options.clientID,
    clientSecret: options.clientSecret,
    companies: options.accountant ? ACCOUNTANT_COMPANIES : undefined,
    quota: options.quota,
    autoApprove: options.autoApprove,
    appID: options.appID,
    appName: 'your app',
  });
  console.log(`Fatture in Cloud stand-in at ${standIn.baseURL}, for the redirect URIs ${options.redirectURIs.join(', ')}.`);
  console.log('Give the apps that use it:');
  console.log(`FIC_CLIENT_ID=${standIn.clientID}`);
  console.log(`FIC_CLIENT_SECRET=${standIn.clientSecret}`);
  console.log(`FIC_BASE_URL=${standIn.baseURL}`);
  console.log(`FIC_WEBHOOK_PUBLIC_KEY=${Buffer.from(standIn.webhookPublicKey).toString('base64')}`);
  console.log(`FIC_APP_ID=${standIn.appID}`);
  const stop = (): void => void standIn.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof UsageError
    ? `${error.message}\n\n${USAGE}`
    : code === 'EADDRINUSE' ? 'The port is in use: pass --port with a free port, or 0 for any.' : String(error);
  console.error(`fattureincloud-stand-in: ${message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
