import { expect } from 'chai';
import { FattureInCloudTokens, type FattureInCloudTokenSet } from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { Backends } from '../test/support/backends';
import { openPostgresStore } from '../test/support/postgres-stores';
import { expiring, grantAtStandIn } from '../test/support/stand-in-login';
import { stopServers } from '../test/support/servers';
import { openRedisStore } from '../test/support/stores';
import type { WorkerConfig } from '../test/support/token-worker';
import { runWorkers } from '../test/support/workers';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

/**
 * The storms of test/token-stores.test.ts at full size, in real processes, on
 * every backend: 4 processes x 50 callers of one expiring set make exactly one
 * token request; with a lock shorter than the provider's answer, no caller
 * fails and no rotation is lost.
 */
let servers: Backends | undefined;

describe('stress: token stores across 4 processes, on every backend', function () {
  this.timeout(180_000);

  before(async function () {
    servers = await Backends.start(this);
  });
  after(() => stopServers(servers));

  for (const backend of Backends.list(() => servers as Backends)) {
    describe(backend.name, () => {
      let standIn: FattureInCloudStandIn;
      let initial: FattureInCloudTokenSet;
      let opened: Awaited<ReturnType<typeof openRedisStore>> | Awaited<ReturnType<typeof openPostgresStore>>;

      beforeEach(async () => {
        const target = backend.target();
        opened = target.kind === 'postgres' ? await openPostgresStore(target) : await openRedisStore(target);
        await opened.flush();
        standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
        initial = await grantAtStandIn(standIn, REDIRECT);
      });
      afterEach(async () => {
        await opened.close();
        await standIn.close();
      });

      const config = (more: { concurrency: number; lockTTL?: number; timeout?: number }): WorkerConfig => ({ target: backend.target(), baseURL: standIn.baseURL, clientID: standIn.clientID, clientSecret: standIn.clientSecret, key: 'user-1', ...more });

      it('4 processes x 50 concurrent get: exactly 1 token request, one new token for all 200', async () => {
        const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store: opened.store });
        await tokens.save('user-1', expiring(initial));
        const before = standIn.stats.tokenRequests;
        const each = config({ concurrency: 50 });
        const outcomes = (await runWorkers([each, each, each, each])).flatMap((outcome) => outcome ?? []);
        expect(outcomes.filter((outcome) => !outcome.ok)).to.deep.equal([]);
        expect(outcomes).to.have.length(200);
        console.log(`        200 callers in 4 processes: ${standIn.stats.tokenRequests - before} token request(s), slowest ${Math.max(...outcomes.map((outcome) => outcome.ms))} ms`);
        expect(standIn.stats.tokenRequests - before).to.equal(1);
        expect(new Set(outcomes.map((outcome) => outcome.ok && outcome.accessToken)).size).to.equal(1);
        expect((await opened.store.read('user-1'))?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
      });

      it('a lock shorter than the request, 4 processes x 25: no caller fails, no rotation is lost', async () => {
        await opened.store.write('user-1', { tokens: expiring(initial) });
        standIn.latency = 300;
        const each = config({ concurrency: 25, lockTTL: 60, timeout: 3000 });
        const outcomes = (await runWorkers([each, each, each, each])).flatMap((outcome) => outcome ?? []);
        expect(outcomes.filter((outcome) => !outcome.ok)).to.deep.equal([]);
        expect(outcomes).to.have.length(100);
        const stored = await opened.store.read('user-1');
        expect(stored?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
        expect(stored?.dead).not.to.equal(true);
      });
    });
  }
});
