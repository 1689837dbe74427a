import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { STATE_REFUSALS } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { freePort } from '../test/support/ports';
import { type NodeProcess, spawnNode } from '../test/support/processes';
import { consumerProject, shell, tsc } from './tarball';
import { expectWebhooksReceived } from './webhooks';

/**
 * NestJS 12 through @nestjs/passport, as docs/nestjs.md shows it: the packed package,
 * compiled with decorators under strict TypeScript, run over HTTP against the
 * stand-in with the cookie state store and no session.
 */
describe('a NestJS 12 app, from the packed tarball', () => {
  let project: string;
  let standIn: FattureInCloudStandIn;
  let app: NodeProcess | undefined;
  let appURL: string;

  before(async () => {
    project = await consumerProject(
      'nest',
      ['@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-express@^12', '@nestjs/passport', 'passport@^0.7', 'reflect-metadata', 'rxjs', '@types/express@^5', '@types/passport', '@types/node@^20', 'jose@^6'],
      { type: 'commonjs' },
    );
    const port = await freePort();
    appURL = `http://localhost:${port}`;
    standIn = await startFattureInCloudStandIn({ redirectURI: [`${appURL}/auth/fattureincloud/callback`, `${appURL}/auth/params/callback`] });
  });

  after(async () => {
    await app?.stop();
    await standIn.close();
  });

  it('uses the guard of docs/nestjs.md, word for word', () => {
    const documented = /## The guard[\s\S]*?```ts\n([\s\S]*?)```/.exec(readFileSync(join(__dirname, '..', 'docs', 'nestjs.md'), 'utf8'))?.[1];
    expect(documented).to.be.a('string');
    expect(readFileSync(join(__dirname, 'nest', 'src', 'guard.ts'), 'utf8')).to.include(documented);
  });

  it('compiles with decorators under strict TypeScript', async () => {
    const result = await shell(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    expect(result.output).to.equal('');
    expect(result.code).to.equal(0);
  });

  it('reports a bad scope literal as a scope error, with `satisfies`', async () => {
    const result = await shell(process.execPath, [tsc, '-p', 'tsconfig.invalid-scope.json'], project);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`Type '"emails:a"' is not assignable to type 'FattureInCloudScope'. Did you mean '"emails:r"'?`);
    // As docs/nestjs.md says: Nest's own check (TS2345) comes first, then the scope error (TS2820).
    const codes = result.output.split('\n').map((line) => /error (TS\d+)/.exec(line)?.[1]).filter(Boolean);
    expect(codes).to.deep.equal(['TS2345', 'TS2820']);
  });

  it('starts, with no session middleware', async () => {
    const webhookSettings = { FIC_WEBHOOK_PUBLIC_KEY: Buffer.from(standIn.webhookPublicKey).toString('base64'), FIC_APP_ID: standIn.appID };
    const env = { PORT: new URL(appURL).port, APP_URL: appURL, FIC_CLIENT_ID: standIn.clientID, FIC_CLIENT_SECRET: standIn.clientSecret, FIC_BASE_URL: standIn.baseURL, STATE_SECRET: 'a-nest-state-secret-of-at-least-32-bytes', ...webhookSettings };
    app = spawnNode([join(project, 'dist', 'app.js')], { cwd: project, env });
    await app.waitFor(/listening/);
  });

  /** The browser's part: start, consent, and the callback with the state cookie. */
  async function login(path: string, decision: 'approve' | 'deny', tamper?: (callback: URL) => void) {
    const start = await fetch(`${appURL}${path}`, { redirect: 'manual' });
    expect(start.status).to.equal(302);
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const authorize = new URL(start.headers.get('location')!);
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision });
    const consent = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    tamper?.(callback);
    const response = await fetch(callback, { headers: { cookie } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, callback, cookie };
  }

  it('receives the stand-in\'s webhooks through app.use(webhooks.handler), after Nest\'s own body parser', async () => {
    await expectWebhooksReceived(standIn, appURL, `${appURL}/auth/fattureincloud/callback`);
  });

  it('logs in: the 4-argument validate gets the tokens and the profile', async () => {
    const { status, body } = await login('/auth/fattureincloud', 'approve');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ user: { id: '12345', name: 'Mario Rossi', accessToken: true, refreshToken: true } });
  });

  it('logs in: the 5-argument validate, declared with callbackArity, gets params right', async () => {
    const { status, body } = await login('/auth/params', 'approve');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ user: { id: '12345', expiresIn: 86400, tokenType: 'bearer', accessToken: true, refreshToken: true } });
  });

  it('a denied consent reaches the client as 401 with our message', async () => {
    const { status, body } = await login('/auth/fattureincloud', 'deny');
    expect(status).to.equal(401);
    expect(body).to.include({ message: 'You did not allow access to Fatture in Cloud.' });
  });

  it('a forged state reaches the client as 403 with the reason', async () => {
    const { status, body } = await login('/auth/fattureincloud', 'approve', (callback) => callback.searchParams.set('state', 'forged-state-value'));
    expect(status).to.equal(403);
    expect(body).to.include({ message: STATE_REFUSALS.mismatch });
  });

  it('an invalid_grant (a code used twice) reaches the client as 401 with the reason, not a 500', async () => {
    const first = await login('/auth/fattureincloud', 'approve');
    expect(first.status).to.equal(200);
    // A fresh, valid state, with the code already spent.
    const second = await login('/auth/fattureincloud', 'approve', (callback) => callback.searchParams.set('code', first.callback.searchParams.get('code')!));
    expect(second.status).to.equal(401);
    expect(second.body).to.include({ code: 'invalid_grant' });
    expect(second.body.message).to.match(/^Fatture in Cloud refused the authorization code exchange .*: The authorization code has expired or has already been used; the authorization code is invalid/);
  });
});
