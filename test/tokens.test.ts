import { expect } from 'chai';
import {
  FattureInCloudTokenError,
  FattureInCloudTokens,
  type FattureInCloudTokenSet,
  MemoryTokenStore,
  type TokenStore,
  tokenSetFingerprint,
  tokenSetFromParams,
} from '../lib/index';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { expectNoSecrets } from './helpers';
import { expiring, grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';

describe('FattureInCloudTokens (in one process, MemoryTokenStore)', () => {
  let standIn: FattureInCloudStandIn;
  let initial: FattureInCloudTokenSet;

  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
    initial = await grantAtStandIn(standIn, REDIRECT);
  });
  afterEach(() => standIn.close());

  function manager(options: { store?: TokenStore; timeout?: number; refreshMargin?: number } = {}): FattureInCloudTokens {
    return new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, ...options });
  }

  it('hands back a fresh set with no request, and undefined for an unknown key', async () => {
    const tokens = manager();
    await tokens.save('user-1', initial);
    const before = standIn.stats.tokenRequests;
    expect(await tokens.get('user-1')).to.deep.equal(initial);
    expect(await tokens.get('nobody')).to.equal(undefined);
    expect(standIn.stats.tokenRequests).to.equal(before);
  });

  it('refreshes an expiring set once for 25 concurrent callers, and stores the rotated set', async () => {
    const tokens = manager();
    await tokens.save('user-1', expiring(initial));
    const before = standIn.stats.tokenRequests;
    const sets = await Promise.all(Array.from({ length: 25 }, () => tokens.get('user-1')));
    expect(standIn.stats.tokenRequests - before).to.equal(1);
    expect(new Set(sets.map((set) => set?.accessToken)).size).to.equal(1);
    const stored = await tokens.get('user-1');
    expect(stored?.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
    expect(stored?.refreshToken).not.to.equal(initial.refreshToken);
    expect(stored?.expiresAt).to.be.greaterThan(Date.now() + 86_000_000);
  });

  it('refresh(key) refreshes now, once for callers that ask together, and stores the new set', async () => {
    const tokens = manager();
    await tokens.save('user-1', initial);
    const before = standIn.stats.tokenRequests;
    const sets = await Promise.all([tokens.refresh('user-1'), tokens.refresh('user-1'), tokens.get('user-1')]);
    expect(standIn.stats.tokenRequests - before).to.equal(1);
    expect(sets[0]?.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken)).and.to.equal(sets[1]?.refreshToken);
    expect((await tokens.get('user-1'))?.accessToken).to.equal(sets[0]?.accessToken);
    expect(await tokens.refresh('nobody')).to.equal(undefined);
  });

  it('refresh(key, seen) refreshes only while the stored set is still the one seen', async () => {
    const tokens = manager();
    await tokens.save('user-1', initial);
    const first = await tokens.refresh('user-1', { fingerprint: tokenSetFingerprint(initial) });
    const before = standIn.stats.tokenRequests;
    // A second caller that saw the old set, late: the refresh already happened.
    expect(await tokens.refresh('user-1', { fingerprint: tokenSetFingerprint(initial) })).to.deep.equal(first);
    expect(await tokens.refresh('user-1', { accessToken: initial.accessToken })).to.deep.equal(first);
    expect(tokenSetFingerprint(initial)).to.match(/^[\w-]{22}$/).and.not.to.include(initial.accessToken.slice(2, 10));
    expect(standIn.stats.tokenRequests).to.equal(before);
    if (!first) throw new Error('the first refresh found nothing stored');
    expect((await tokens.refresh('user-1', { accessToken: first.accessToken }))?.accessToken).not.to.equal(first.accessToken);
    expect(standIn.stats.tokenRequests).to.equal(before + 1);
  });

  it('refreshes within the margin, which is configurable', async () => {
    const inTwoMinutes = { ...initial, expiresAt: Date.now() + 120_000 };
    const relaxed = manager({ refreshMargin: 60_000 });
    await relaxed.save('u', inTwoMinutes);
    expect((await relaxed.get('u'))?.accessToken).to.equal(initial.accessToken);
    const strict = manager();
    await strict.save('u', inTwoMinutes);
    expect((await strict.get('u'))?.accessToken).not.to.equal(initial.accessToken);
  });

  it('says a dead grant once, clearly, then rejects at once without a request until a new set is saved', async () => {
    const tokens = manager({ timeout: 300 });
    await tokens.save('user-1', expiring(initial));
    standIn.revokeRefreshToken(initial.refreshToken);
    const error = await tokens.get('user-1').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FattureInCloudTokenError);
    expect(error).to.include({ code: 'invalid_grant', status: 400 });
    expect((error as Error).message).to.match(/must authorize the app again/);
    expectNoSecrets(error, [initial.accessToken, initial.refreshToken, standIn.clientSecret]);
    const requests = standIn.stats.tokenRequests;
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await tokens.get('user-1').catch((caught: unknown) => (caught as { code: string }).code)).to.equal('invalid_grant');
    }
    expect(standIn.stats.tokenRequests).to.equal(requests);
    const again = await grantAtStandIn(standIn, REDIRECT);
    await tokens.save('user-1', again);
    expect((await tokens.get('user-1'))?.accessToken).to.equal(again.accessToken);
  });

  it('does not bring back a set deleted while its refresh was in flight', async () => {
    const tokens = manager();
    await tokens.save('user-1', expiring(initial));
    standIn.latency = 100;
    const pending = tokens.get('user-1');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await tokens.delete('user-1');
    await pending;
    expect(await tokens.get('user-1')).to.equal(undefined);
  });

  it('lets a set saved by a new login win over a refresh in flight', async () => {
    const tokens = manager();
    await tokens.save('user-1', expiring(initial));
    const relogin = await grantAtStandIn(standIn, REDIRECT);
    standIn.latency = 100;
    const pending = tokens.get('user-1');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await tokens.save('user-1', relogin);
    expect((await pending)?.accessToken).to.equal(relogin.accessToken);
    expect((await tokens.get('user-1'))?.accessToken).to.equal(relogin.accessToken);
  });

  it('two managers on one store: the second takes the expired lock, and still no second request', async () => {
    const store = new MemoryTokenStore(30);
    let taken = 0;
    const firstLock = new Promise<void>((resolve) => {
      const lock = store.lock.bind(store);
      store.lock = async (key, owner, ttl) => {
        const got = await lock(key, owner, ttl);
        if (got) {
          taken++;
          resolve();
        }
        return got;
      };
    });
    const [first, second] = [manager({ store }), manager({ store })];
    await first.save('user-1', expiring(initial));
    const before = standIn.stats.tokenRequests;
    standIn.latency = 300;
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, () => first.get('user-1')),
      // Once the first holder's 30 ms lock has expired under its 300 ms request.
      firstLock.then(() => new Promise((resolve) => setTimeout(resolve, 60))).then(() => second.get('user-1')),
    ]);
    expect(results.filter((result) => result.status === 'rejected')).to.deep.equal([]);
    expect(taken).to.equal(2);
    // In one process both holders join the same HTTP request (the refresh flight);
    // across processes the compare-and-set and the re-read after invalid_grant carry it (redis-tokens.test.ts).
    expect(standIn.stats.tokenRequests - before).to.equal(1);
    const stored = await store.read('user-1');
    expect(stored?.tokens.refreshToken).to.equal(standIn.currentRefreshToken(initial.refreshToken));
  });

  it('gives up with lock_timeout when the lock never frees and nobody refreshes (a stuck store)', async () => {
    const store = new MemoryTokenStore(50);
    await store.write('user-1', { tokens: expiring(initial) });
    store.lock = () => Promise.resolve(false);
    const started = Date.now();
    const error = await manager({ store, timeout: 100 }).get('user-1').catch((caught: unknown) => caught);
    expect(error).to.include({ code: 'lock_timeout' });
    expect((error as Error).message).to.match(/the store may be stuck/);
    // patience: twice the lock's TTL plus the timeout
    expect(Date.now() - started).to.be.within(200, 1_000);
  });

  it('copies sets in and out of the memory store', async () => {
    const store = new MemoryTokenStore();
    const set = { ...initial };
    await store.write('k', { tokens: set });
    set.accessToken = 'a/changed-by-the-caller-afterwards';
    expect((await store.read('k'))?.tokens.accessToken).to.equal(initial.accessToken);
    expect(await store.replace('k', 'r/not-the-spent-one-0000', { tokens: set })).to.equal(false);
    expect(await store.lock('k', 'one', 1000)).to.equal(true);
    expect(await store.lock('k', 'two', 1000)).to.equal(false);
    await store.unlock('k', 'two');
    expect(await store.lock('k', 'three', 1000)).to.equal(false);
    await store.unlock('k', 'one');
    expect(await store.lock('k', 'three', 1000)).to.equal(true);
  });

  describe('bad input, refused before any I/O', () => {
    const touched: string[] = [];
    const spy: TokenStore = {
      read: () => Promise.resolve(void touched.push('read')),
      write: () => Promise.resolve(void touched.push('write')),
      replace: () => Promise.resolve(touched.push('replace') < 0),
      delete: () => Promise.resolve(void touched.push('delete')),
      lock: () => Promise.resolve(touched.push('lock') < 0),
      unlock: () => Promise.resolve(void touched.push('unlock')),
    };
    const tokens = () => new FattureInCloudTokens({ clientID: 'id', clientSecret: 'secret', store: spy });

    it('an empty or odd key', async () => {
      for (const key of ['', 42, undefined, 'x'.repeat(513)]) {
        const error = await tokens().get(key as string).catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.match(/needs a key of 1 to 512 characters/);
      }
      expect(touched).to.deep.equal([]);
    });

    it('a token set that is not one, named by its field and never echoed', async () => {
      const cases: [unknown, RegExp][] = [
        [null, /got null/],
        [{ ...initial, accessToken: 'a/x\ny' }, /accessToken is not printable ASCII/],
        [{ ...initial, refreshToken: undefined }, /refreshToken is not a string/],
        [{ ...initial, expiresAt: '2026-01-01' }, /expiresAt is a string/],
        [{ ...initial, tokenType: undefined }, /tokenType is undefined/],
        [{ ...initial, expiresIn: 0 }, /expiresIn is the number 0/],
      ];
      for (const [set, message] of cases) {
        const error = await tokens().save('k', set as FattureInCloudTokenSet).catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.match(message);
        expectNoSecrets(error, [initial.accessToken, initial.refreshToken]);
      }
      expect(touched).to.deep.equal([]);
    });

    it('a seen set that is neither an access token nor a fingerprint', async () => {
      for (const seen of [{}, null, 'a/token', { accessToken: 5 }]) {
        const error = await tokens().refresh('k', seen as never).catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.match(/seen must be \{ accessToken \} or \{ fingerprint \}/);
      }
      expect(touched).to.deep.equal([]);
    });

    it('missing credentials or a bad margin', () => {
      expect(() => new FattureInCloudTokens({} as never)).to.throw(TypeError, /clientID and clientSecret/);
      expect(() => new FattureInCloudTokens({ clientID: 'i', clientSecret: 's', refreshMargin: -1 })).to.throw(TypeError, /refreshMargin/);
    });
  });

  it('turns verify params into a token set in one line', () => {
    const set = tokenSetFromParams({ token_type: 'bearer', access_token: initial.accessToken, refresh_token: initial.refreshToken, expires_in: 86400 }, 1_000);
    expect(set).to.deep.equal({ accessToken: initial.accessToken, refreshToken: initial.refreshToken, tokenType: 'bearer', expiresIn: 86400, expiresAt: 86_401_000, refreshTokenIssuedAt: 1_000 });
    expect(() => tokenSetFromParams(undefined as never)).to.throw(TypeError, /the token response verify receives/);
  });
});
