import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { FattureInCloudTokens, type FattureInCloudTokenSet, MemoryTokenStore, type TokenStore } from '../lib/index';
import { checkTokenStore, type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { Backends, type Target } from './support/backends';
import { runSideBySide } from './support/callers';
import { stopServers } from './support/servers';
import { openPostgresStore } from './support/postgres-stores';
import { expiring, grantAtStandIn } from './support/stand-in-login';
import { openRedisStore } from './support/stores';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

/**
 * One suite, every store the package ships, on real servers (the backends of
 * test/support/backends.ts). Each passes checkTokenStore and keeps one refresh
 * for many callers on their own connections; test-stress/ repeats the storms
 * across 4 processes.
 */
let servers: Backends | undefined;
const BACKENDS = Backends.list(() => servers as Backends);

type Opened = Awaited<ReturnType<typeof openRedisStore>> | Awaited<ReturnType<typeof openPostgresStore>>;

function open(target: Target, options: { encryptionKey?: Buffer; lockTTL?: number; timeout?: number } = {}): Promise<Opened> {
  return target.kind === 'postgres' ? openPostgresStore(target, options) : openRedisStore(target, options);
}

describe('MemoryTokenStore', () => {
  it('passes checkTokenStore', async () => {
    expect(await checkTokenStore(() => new MemoryTokenStore())).to.have.length(9);
  });
});

describe('every token store the package ships, on real servers', function () {
  this.timeout(120_000);

  before(async function () {
    servers = await Backends.start(this);
  });
  after(() => stopServers(servers));

  for (const backend of BACKENDS) {
    describe(backend.name, () => {
      let opened: Opened[] = [];
      let standIn: FattureInCloudStandIn;
      let initial: FattureInCloudTokenSet;

      async function store(options: Parameters<typeof open>[1] = {}): Promise<TokenStore> {
        const next = await open(backend.target(), options);
        opened.push(next);
        return next.store;
      }

      beforeEach(async () => {
        const first = await open(backend.target());
        opened = [first];
        await first.flush();
        standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
        initial = await grantAtStandIn(standIn, REDIRECT);
      });
      afterEach(async () => {
        await Promise.all(opened.map((each) => each.close()));
        await standIn.close();
      });

      function manager(tokenStore: TokenStore, timeout?: number): FattureInCloudTokens {
        return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, timeout, store: tokenStore });
      }

      it('passes checkTokenStore', async () => {
        const first = opened[0]!;
        const names = await checkTokenStore(async () => {
          await first.flush();
          return first.store;
        });
        expect(names).to.have.length(9);
      });

      it('keys on several slots or rows: each user has a set of their own', async () => {
        const tokens = manager(await store());
        const users = ['user-a', 'user-b', 'user-c', 'user-{d}', 'user-ü'];
        const sets = await Promise.all(users.map(() => grantAtStandIn(standIn, REDIRECT)));
        await Promise.all(users.map((user, index) => tokens.save(user, expiring(sets[index]!))));
        const fresh = await Promise.all(users.map((user) => tokens.get(user)));
        expect(new Set(fresh.map((set) => set?.accessToken)).size).to.equal(users.length);
        users.forEach((_user, index) => expect(fresh[index]?.refreshToken).to.equal(standIn.currentRefreshToken(sets[index]!.refreshToken)));
      });

      it('refuses a key with a lone surrogate, which would share an entry with another', async () => {
        const tokenStore = await store();
        for (const key of ['u\uD800', 'u\uDFFF']) {
          const error = await tokenStore.read(key).catch((caught: unknown) => caught);
          expect(error).to.be.instanceOf(TypeError);
          expect((error as Error).message).to.match(/well-formed Unicode/);
        }
        const viaManager = await manager(tokenStore).get('u\uD800').catch((caught: unknown) => caught);
        expect(viaManager).to.be.instanceOf(TypeError);
      });

      it('sealed: a plain value planted under a user\'s key is store_corrupt, not handed out', async () => {
        const encryptionKey = randomBytes(32);
        const plain = await store();
        const sealed = await store({ encryptionKey });
        await plain.write('user-1', { tokens: initial });
        const error = await sealed.read('user-1').catch((caught: unknown) => caught);
        expect(error).to.include({ code: 'store_corrupt' });
        expect((error as Error).message).to.include('not sealed');
        expectNoSecrets(error, [initial.accessToken, initial.refreshToken]);
        await sealed.write('user-1', { tokens: initial });
        expect((await sealed.read('user-1'))?.tokens).to.deep.equal(initial);
      });

      it('4 managers on their own connections x 25 concurrent get: exactly 1 token request, one new token for all 100 (4 processes: npm run test:stress)', async () => {
        await manager(await store()).save('user-1', expiring(initial));
        const before = standIn.stats.tokenRequests;
        const config = { target: backend.target(), baseURL: standIn.baseURL, clientID: standIn.clientID, clientSecret: standIn.clientSecret, key: 'user-1', concurrency: 25 };
        const outcomes = (await runSideBySide([config, config, config, config])).flat();
        expect(outcomes.filter((outcome) => !outcome.ok)).to.deep.equal([]);
        expect(outcomes).to.have.length(100);
        expect(standIn.stats.tokenRequests - before).to.equal(1);
        expect(new Set(outcomes.map((outcome) => outcome.ok && outcome.accessToken)).size).to.equal(1);
        expect((await (await store()).read('user-1'))?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
      });

      it('lists its keys, and refreshIdle refreshes the old sets, leaves the young, reports a revoked one dead', async () => {
        const tokenStore = await store();
        // A short timeout: the revoked set waits this long for a successor another process might write.
        const tokens = manager(tokenStore, 300);
        const aged = async (days: number): Promise<FattureInCloudTokenSet> => ({ ...(await grantAtStandIn(standIn, REDIRECT)), refreshTokenIssuedAt: Date.now() - days * 86_400_000 });
        const sets = { 'old-{1}': await aged(301), 'old-ü': await aged(305), young: await aged(3), revoked: await aged(330) };
        for (const [key, set] of Object.entries(sets)) await tokens.save(key, set);
        const listed: string[] = [];
        for await (const key of (tokenStore.keys as () => AsyncIterable<string>)()) listed.push(key);
        expect(listed.sort()).to.deep.equal(Object.keys(sets).sort());
        standIn.revokeRefreshToken(sets.revoked.refreshToken);
        expect(await tokens.refreshIdle()).to.deep.include({ refreshed: 2, dead: 1, failed: 0, skipped: 1 });
        expect((await tokenStore.read('old-{1}'))?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(sets['old-{1}'].refreshToken));
        expect((await tokenStore.read('young'))?.tokens.refreshToken).to.equal(sets.young.refreshToken);
      });

      it('a lock shorter than the request: no caller fails, no rotation is lost (4 processes: npm run test:stress)', async () => {
        await (await store()).write('user-1', { tokens: expiring(initial) });
        standIn.latency = 300;
        const config = { target: backend.target(), baseURL: standIn.baseURL, clientID: standIn.clientID, clientSecret: standIn.clientSecret, key: 'user-1', concurrency: 10, lockTTL: 60, timeout: 3000 };
        const outcomes = (await runSideBySide([config, config, config, config])).flat();
        expect(outcomes.filter((outcome) => !outcome.ok)).to.deep.equal([]);
        expect(outcomes).to.have.length(40);
        const stored = await (await store()).read('user-1');
        expect(stored?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
        expect(stored?.dead).not.to.equal(true);
      });
    });
  }
});
