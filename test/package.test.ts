import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = join(__dirname, '..');

/** Runs code in a fresh Node process from the package root, so `passport-fattureincloud` resolves to the build. */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: root });
  return stdout.trim();
}

describe('the built package', () => {
  it('works with require() from CommonJS, under both names', async () => {
    const output = await node([
      '-e',
      `const pkg = require('passport-fattureincloud');
       const testing = require('passport-fattureincloud/testing');
       console.log(JSON.stringify([pkg.Strategy === pkg.FattureInCloudStrategy, typeof pkg.Strategy, pkg.Scope.ENTITY_CLIENTS_READ, typeof pkg.refreshAccessToken, typeof testing.startFattureInCloudStandIn]));`,
    ]);
    expect(JSON.parse(output)).to.deep.equal([true, 'function', 'entity.clients:r', 'function', 'function']);
  });

  it('works with named and default import from ESM', async () => {
    const output = await node([
      '--input-type=module',
      '-e',
      `import pkg, { FattureInCloudStrategy, Strategy, Scope, parseProfile } from 'passport-fattureincloud';
       import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
       console.log(JSON.stringify([FattureInCloudStrategy === Strategy, pkg.Strategy === Strategy, Scope.SETTINGS_ALL, typeof parseProfile, typeof startFattureInCloudStandIn]));`,
    ]);
    expect(JSON.parse(output)).to.deep.equal([true, true, 'settings:a', 'function', 'function']);
  });

  it('loads no Redis code from the main entry, nor from /redis until a client is passed', async () => {
    const output = await node([
      '-e',
      `const pkg = require('passport-fattureincloud');
       const { RedisTokenStore } = require('passport-fattureincloud/redis');
       const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\/](redis|@redis)[\\/]/.test(file));
       console.log(JSON.stringify([typeof pkg.FattureInCloudTokens, typeof pkg.MemoryTokenStore, typeof RedisTokenStore, loaded]));`,
    ]);
    expect(JSON.parse(output)).to.deep.equal(['function', 'function', 'function', []]);
  });

  it('loads neither the SDK nor axios from the main entry or /testing; /sdk loads them', async () => {
    const output = await node([
      '-e',
      `const optional = () => Object.keys(require.cache).filter((file) => /node_modules[\\/](axios|@fattureincloud)[\\/]/.test(file)).length;
       require('passport-fattureincloud');
       require('passport-fattureincloud/testing');
       const before = optional();
       const { fattureInCloudSDK } = require('passport-fattureincloud/sdk');
       console.log(JSON.stringify([before, typeof fattureInCloudSDK, optional() > 0]));`,
    ]);
    expect(JSON.parse(output)).to.deep.equal([0, 'function', true]);
  });

  it('/webhooks loads neither jose, the SDK nor axios until they are needed; jose at the first request', async () => {
    const output = await node([
      '-e',
      `const optional = () => Object.keys(require.cache).filter((file) => /node_modules[\\/](axios|@fattureincloud|jose)[\\/]/.test(file)).length;
       const { FattureInCloudWebhooks, EVENT_TYPES } = require('passport-fattureincloud/webhooks');
       const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks' });
       const atStart = optional();
       webhooks.receive({ method: 'GET', url: '/hooks?x-fic-verification-challenge=abc', headers: { authorization: 'Bearer a.b.c' }, body: undefined }).then((answer) => {
         console.log(JSON.stringify([atStart, EVENT_TYPES.length, answer.status]));
       });`,
    ]);
    expect(JSON.parse(output)).to.deep.equal([0, 78, 401]);
  });

  it('loads only what starting a login needs; the rest loads at first use, under every name ESM sees', async () => {
    const output = await node([
      '-e',
      `const own = () => Object.keys(require.cache).filter((file) => file.includes('/dist/')).map((file) => file.split('/dist/')[1]);
       const pkg = require('passport-fattureincloud');
       const atStart = own();
       const Tokens = pkg.FattureInCloudTokens;
       const tokens = new Tokens({ clientID: 'id', clientSecret: 'secret' });
       console.log(JSON.stringify([atStart, own().includes('tokens/manager.js'), tokens instanceof pkg.FattureInCloudTokens, Tokens === pkg.FattureInCloudTokens]));`,
    ]);
    const [atStart, managerLoaded, isInstance, stable] = JSON.parse(output) as [string[], boolean, boolean, boolean];
    expect(atStart).to.include('login/strategy.js');
    for (const later of ['tokens/manager.js', 'login/cookie-state-store.js', 'login/profile.js', 'http/request.js', 'oauth/refresh.js', 'seal.js']) expect(atStart).not.to.include(later);
    expect([managerLoaded, isInstance, stable]).to.deep.equal([true, true, true]);
    const names = await node([
      '--input-type=module',
      '-e',
      `import * as pkg from 'passport-fattureincloud';
       console.log(JSON.stringify(Object.keys(pkg).filter((name) => name !== 'default' && typeof pkg[name] !== 'undefined').sort()));`,
    ]);
    expect(JSON.parse(names)).to.include.members(['CookieStateStore', 'STATE_REFUSALS', 'parseProfile', 'ensureFreshToken', 'refreshAccessToken', 'FattureInCloudTokens', 'MemoryTokenStore', 'tokenSetFingerprint', 'tokenSetFromParams', 'FattureInCloudStrategy']);
  });

  it('ships declarations next to the JavaScript', async () => {
    const output = await node(['-e', `const fs = require('fs'); console.log(['dist/index.d.ts', 'dist/testing/index.d.ts', 'dist/redis.d.ts', 'dist/sdk/index.d.ts', 'dist/webhooks/index.d.ts'].every((f) => fs.existsSync(f)))`]);
    expect(output).to.equal('true');
  });
});
