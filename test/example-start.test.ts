import { expect } from 'chai';
import { freePort } from './support/ports';
import { spawnNode } from './support/processes';
import { RedisServer } from './support/redis-server';
import { requireServers, stopServers } from './support/servers';

/** Starts the example as `npm start` does; resolves once it exits (or was stopped at `stopWhen`), with what it printed. */
async function runExample(env: NodeJS.ProcessEnv, stopWhen?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const example = spawnNode(['--import', 'tsx', 'example/server.ts'], {
    env: { PORT: '0', FIC_CLIENT_ID: '', FIC_CLIENT_SECRET: '', REDIS_URL: '', SESSION_SECRET: '', TOKENS_KEY: '', ...env },
  });
  // A hung example must not outlive the test.
  const watchdog = setTimeout(() => example.child.kill('SIGKILL'), 15_000);
  if (stopWhen) await example.waitFor(stopWhen).then(() => example.stop(), () => undefined);
  const code = await example.exited;
  clearTimeout(watchdog);
  return { code, stdout: example.stdout(), stderr: example.stderr(), ms: Date.now() - started };
}

describe('starting the example: one clear line for each bad setting', () => {
  it('a REDIS_URL nobody answers, without echoing its password', async () => {
    const port = await freePort();
    const { code, stderr, ms } = await runExample({ REDIS_URL: `redis://user:hunter2@127.0.0.1:${port}` });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(new RegExp(`^Cannot start the example: Cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): .*ECONNREFUSED`));
    expect(stderr).not.to.include('hunter2');
    expect(ms).to.be.lessThan(10_000);
  });

  const settings: [string, NodeJS.ProcessEnv, string][] = [
    ['a client id without its secret', { FIC_CLIENT_ID: 'id' }, 'FIC_CLIENT_SECRET is missing: set both FIC_CLIENT_ID and FIC_CLIENT_SECRET, or neither to use the offline stand-in.'],
    ['a short session secret', { SESSION_SECRET: 'short' }, 'SESSION_SECRET must be at least 32 characters (try: openssl rand -hex 32).'],
    ['a token key without Redis', { TOKENS_KEY: 'ab'.repeat(32) }, 'TOKENS_KEY seals token sets in Redis: set REDIS_URL too, or unset it.'],
    ['a REDIS_URL that is not one', { REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL.'],
    ['a bad port', { PORT: 'eighty' }, 'PORT must be a port number (0-65535), got "eighty".'],
  ];
  for (const [name, env, line] of settings) {
    it(name, async () => {
      const { code, stderr } = await runExample(env);
      expect(code).to.equal(1);
      expect(stderr).to.equal(`Cannot start the example: ${line}\n`);
    });
  }

  describe('with a real redis-server', () => {
    let redis: RedisServer;
    before(async function () {
      requireServers(this, 'redis');
      redis = await RedisServer.start();
    });
    after(() => stopServers(redis));

    it('says where sessions and tokens live, and refuses a token key that is not 32 bytes', async () => {
      const ok = await runExample({ REDIS_URL: redis.url, SESSION_SECRET: 'x'.repeat(32) }, /kept in Redis/);
      expect(ok.stdout).to.match(/^passport-fattureincloud example \(offline stand-in at http:\/\/127\.0\.0\.1:\d+\) at http:\/\/localhost:\d+\nSessions and tokens are kept in Redis at 127\.0\.0\.1:\d+\.\nWebhooks arrive at http:\/\/localhost:\d+\/webhooks\/fattureincloud\.\n$/);
      const bad = await runExample({ REDIS_URL: redis.url, TOKENS_KEY: 'not-a-key' });
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.equal('Cannot start the example: TOKENS_KEY: must be 32 bytes (a Buffer, 64 hex characters or base64), got a string that is neither hex nor base64.\n');
    });
  });
});
