import { join } from 'node:path';
import { expect } from 'chai';
import { FattureInCloudWebhooks } from '../lib/webhooks/index';
import { type NodeProcess, printedSettings, spawnNode } from './support/processes';

const CLI = join(__dirname, '..', 'lib', 'testing', 'cli.ts');

function run(args: string[]): NodeProcess {
  return spawnNode(['--import', 'tsx', CLI, ...args]);
}

async function settings(started: NodeProcess): Promise<Record<string, string>> {
  await started.waitFor(/FIC_APP_ID=/);
  return printedSettings(started.output());
}

describe('the fattureincloud-stand-in command', () => {
  it('starts alone, prints the settings for the apps, and serves several redirect URIs', async () => {
    const first = 'http://localhost:3001/auth/fattureincloud/callback';
    const second = 'http://localhost:3002/auth/fattureincloud/callback';
    const started = run(['--port', '0', '--redirect-uri', first, '--redirect-uri', second, '--client-id', 'cli-id', '--client-secret', 'cli-secret']);
    try {
      const env = await settings(started);
      expect(env).to.include({ FIC_CLIENT_ID: 'cli-id', FIC_CLIENT_SECRET: 'cli-secret' });
      expect(env.FIC_BASE_URL).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const redirectURI of [first, second]) {
        const form = new URLSearchParams({ client_id: 'cli-id', redirect_uri: redirectURI, decision: 'approve' });
        const decision = await fetch(`${env.FIC_BASE_URL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
        expect(decision.headers.get('location')).to.match(new RegExp(`^${redirectURI}\\?code=c%2F`));
      }
      const stats = (await (await fetch(`${env.FIC_BASE_URL}/stand-in/stats`)).json()) as Record<string, number>;
      expect(stats).to.include({ tokenRequests: 0 });
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).to.equal(0);
    }
  });

  it('prints what a webhook receiver checks its webhooks with: the public key (base64 of the PEM) and the app id', async () => {
    const started = run(['--port', '0', '--app-id', 'my-app']);
    try {
      const env = await settings(started);
      expect(env.FIC_APP_ID).to.equal('my-app');
      const pem = Buffer.from(env.FIC_WEBHOOK_PUBLIC_KEY ?? '', 'base64').toString('utf8');
      expect(pem).to.match(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
      expect(() => new FattureInCloudWebhooks({ sink: 'https://app.example/hooks', keys: env.FIC_WEBHOOK_PUBLIC_KEY, appID: env.FIC_APP_ID })).not.to.throw();
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).to.equal(0);
    }
  });

  it('says how with --help', async () => {
    const started = run(['--help']);
    expect(await started.exited).to.equal(0);
    expect(started.output()).to.match(/^Usage: fattureincloud-stand-in \[--port N\]/);
    expect(started.output()).to.include('FIC_CLIENT_ID');
  });

  it('refuses a redirect URI that is not a URL, an unknown option, and a port in use', async () => {
    const notURL = run(['--redirect-uri', 'not a url']);
    expect(await notURL.exited).to.equal(2);
    expect(notURL.output()).to.match(/^fattureincloud-stand-in: --redirect-uri must be a URL, got "not a url"/);
    const unknown = run(['--frobnicate']);
    expect(await unknown.exited).to.equal(2);
    expect(unknown.output()).to.match(/^fattureincloud-stand-in: Unknown option '--frobnicate'/);
    const first = run(['--port', '0']);
    try {
      const port = new URL((await settings(first)).FIC_BASE_URL!).port;
      const second = run(['--port', port]);
      expect(await second.exited).to.equal(1);
      expect(second.output()).to.equal('fattureincloud-stand-in: The port is in use: pass --port with a free port, or 0 for any.\n');
    } finally {
      await first.stop();
    }
  });

  it('refuses a bad option in one line, with the usage', async () => {
    const started = run(['--port', 'eighty']);
    expect(await started.exited).to.equal(2);
    expect(started.output()).to.match(/^fattureincloud-stand-in: --port must be a port number \(0-65535\), got "eighty"/);
  });

  it('refuses a --host that is not loopback without --allow-remote', async () => {
    const started = run(['--host', '0.0.0.0']);
    expect(await started.exited).to.equal(2);
    expect(started.output()).to.match(/^fattureincloud-stand-in: --host 0\.0\.0\.0 is not a loopback address: anyone who reaches it could mint tokens\. Pass --allow-remote to mean it/);
  });

  it('with --allow-remote, makes up a client secret instead of printing the default', async () => {
    const started = run(['--host', '0.0.0.0', '--allow-remote', '--port', '0']);
    try {
      const env = await settings(started);
      expect(env.FIC_CLIENT_SECRET).to.match(/^[\w-]{32}$/).and.not.equal('stand-in-client-secret');
      const port = new URL(env.FIC_BASE_URL!).port;
      const refused = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', client_id: env.FIC_CLIENT_ID, client_secret: 'stand-in-client-secret', refresh_token: 'r/x' }),
      });
      expect(refused.status).to.equal(401);
    } finally {
      await started.stop();
    }
  });

  it('takes loopback hosts as they are: 127.0.0.1, ::1, localhost', async () => {
    for (const host of ['127.0.0.2', '::1', 'localhost']) {
      const started = run(['--host', host, '--port', '0', '--client-secret', 'given']);
      try {
        expect((await settings(started)).FIC_CLIENT_SECRET).to.equal('given');
      } finally {
        await started.stop();
      }
    }
  });
});
