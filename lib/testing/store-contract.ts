import { FattureInCloudTokens } from '../tokens/manager';
import type { StoredTokenSet, TokenStore } from '../tokens/store';
import { tokenSetFromParams } from '../tokens/token-set';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from './stand-in';

/**
 * `checkTokenStore(makeStore)`: the properties every TokenStore must have for
 * FattureInCloudTokens to keep a rotating refresh token valid, checked against
 * a store of yours in your own test runner. `makeStore` (sync or async) is
 * called for each property and returns a store on an empty key space. Resolves
 * with the names of the properties checked; rejects with an AggregateError
 * whose `errors` each name one property that failed.
 */

export type MakeTokenStore = () => TokenStore | Promise<TokenStore>;

export interface TokenStoreProperty {
  name: string;
  check(store: TokenStore): Promise<void>;
}

let counter = 0;

/** A token set of the right shape, different each time. */
function tokenSet(): StoredTokenSet['tokens'] {
  counter += 1;
  const id = `${process.pid}-${Date.now()}-${counter}`;
  return { accessToken: `a/contract-access-${id}`, refreshToken: `r/contract-refresh-${id}`, tokenType: 'bearer', expiresIn: 86_400, expiresAt: Date.now() + 86_400_000 };
}

class PropertyFailure extends Error {}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new PropertyFailure(what);
}

function sameSet(actual: StoredTokenSet | undefined, expected: StoredTokenSet['tokens']): boolean {
  const tokens = actual?.tokens;
  return tokens !== undefined && (Object.keys(expected) as (keyof typeof expected)[]).every((field) => tokens[field] === expected[field]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const TOKEN_STORE_PROPERTIES: readonly TokenStoreProperty[] = [
  {
    name: 'values round-trip: what write stores, read gives back; delete forgets; an unknown key is undefined',
    async check(store) {
      const first = tokenSet();
      expect((await store.read('contract:nobody')) === undefined, 'read of an unknown key is not undefined');
      await store.write('contract:a', { tokens: first });
      const read = await store.read('contract:a');
      expect(sameSet(read, first), 'read does not give back the set written');
      expect(!read?.dead, 'a set written without dead reads as dead');
      await store.write('contract:b', { tokens: tokenSet() });
      await store.delete('contract:a');
      expect((await store.read('contract:a')) === undefined, 'read after delete is not undefined');
      expect((await store.read('contract:b')) !== undefined, 'delete of one key removed another');
    },
  },
  {
    name: 'replace writes only over the spent refresh token: a stale one is refused and nothing is written',
    async check(store) {
      const [first, second, third] = [tokenSet(), tokenSet(), tokenSet()];
      await store.write('contract:a', { tokens: first });
      expect(!(await store.replace('contract:a', 'r/contract-not-the-stored-one', { tokens: second })), 'replace with a token that is not the stored one returned true');
      expect(sameSet(await store.read('contract:a'), first), 'a refused replace changed the set');
      expect(await store.replace('contract:a', first.refreshToken, { tokens: second }), 'replace with the stored refresh token returned false');
      expect(sameSet(await store.read('contract:a'), second), 'replace did not store the new set');
      expect(!(await store.replace('contract:a', first.refreshToken, { tokens: third })), 'replace with a refresh token already replaced returned true');
      expect(sameSet(await store.read('contract:a'), second), 'a stale replace overwrote the newer set');
    },
  },
  {
    name: 'replace refuses a deleted set: nothing comes back',
    async check(store) {
      const first = tokenSet();
      await store.write('contract:a', { tokens: first });
      await store.delete('contract:a');
      expect(!(await store.replace('contract:a', first.refreshToken, { tokens: tokenSet() })), 'replace after delete returned true');
      expect((await store.read('contract:a')) === undefined, 'replace after delete brought a set back');
    },
  },
  {
    name: 'replace honours dead, and write clears it',
    async check(store) {
      const first = tokenSet();
      await store.write('contract:a', { tokens: first });
      expect(await store.replace('contract:a', first.refreshToken, { tokens: first, dead: true }), 'replace marking the set dead returned false');
      const dead = await store.read('contract:a');
      expect(dead?.dead === true && sameSet(dead, first), 'a set replaced as dead does not read as dead');
      const next = tokenSet();
      await store.write('contract:a', { tokens: next });
      const alive = await store.read('contract:a');
      expect(!alive?.dead && sameSet(alive, next), 'write over a dead set left it dead');
    },
  },
  {
    name: 'lock is exclusive, per key',
    async check(store) {
      expect(await store.lock('contract:a', 'owner-1', 5_000), 'lock of a free key returned false');
      expect(!(await store.lock('contract:a', 'owner-2', 5_000)), 'a second owner took a held lock');
      expect(!(await store.lock('contract:a', 'owner-1', 5_000)), 'the holder took its own lock twice');
      expect(await store.lock('contract:b', 'owner-2', 5_000), 'a lock on one key blocked another key');
    },
  },
  {
    name: 'lock expires after its TTL and is taken again',
    async check(store) {
      expect(await store.lock('contract:a', 'owner-1', 150), 'lock of a free key returned false');
      await sleep(400);
      expect(await store.lock('contract:a', 'owner-2', 5_000), 'a lock past its TTL could not be taken');
      expect(!(await store.lock('contract:a', 'owner-3', 5_000)), 'the lock taken again is not exclusive');
    },
  },
  {
    name: 'unlock frees the lock for its owner only',
    async check(store) {
      expect(await store.lock('contract:a', 'owner-1', 5_000), 'lock of a free key returned false');
      await store.unlock('contract:a', 'owner-2');
      expect(!(await store.lock('contract:a', 'owner-3', 5_000)), 'unlock by another owner freed the lock');
      await store.unlock('contract:a', 'owner-1');
      expect(await store.lock('contract:a', 'owner-3', 5_000), 'unlock by its owner did not free the lock');
    },
  },
  {
    name: '50 concurrent lock calls give one holder',
    async check(store) {
      const taken = await Promise.all(Array.from({ length: 50 }, (_, index) => store.lock('contract:a', `owner-${index}`, 5_000)));
      const holders = taken.filter(Boolean).length;
      expect(holders === 1, `${holders} of 50 concurrent lock calls took the lock`);
    },
  },
  {
    name: 'a failed write after a successful refresh loses nothing: the store ends up with the live refresh token',
    async check(store) {
      const redirectURI = 'http://localhost/contract';
      const standIn = await startFattureInCloudStandIn({ redirectURI });
      try {
        const issued = await grantAt(standIn, redirectURI);
        let failures = 1;
        // The store as the manager sees it, whose first compare-and-set fails as a dropped connection would.
        const failingOnce: TokenStore = {
          read: (key) => store.read(key),
          write: (key, stored) => store.write(key, stored),
          replace: (key, spent, next) => (failures-- > 0 ? Promise.reject(new Error('contract: the connection was reset')) : store.replace(key, spent, next)),
          delete: (key) => store.delete(key),
          lock: (key, owner, ttl) => store.lock(key, owner, ttl),
          unlock: (key, owner) => store.unlock(key, owner),
          lockTTL: store.lockTTL,
          timeout: store.timeout,
          processLocal: store.processLocal,
        };
        const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store: failingOnce });
        await tokens.save('contract:a', { ...issued, expiresAt: Date.now() - 1000 });
        const rotated = await tokens.get('contract:a');
        const live = standIn.currentRefreshToken(issued.refreshToken);
        expect(rotated?.refreshToken === live, 'get did not hand out the rotated set');
        expect((await store.read('contract:a'))?.tokens.refreshToken === live, 'the store does not hold the live refresh token after the write was retried');
      } finally {
        await standIn.close();
      }
    },
  },
];

/** A real grant from the stand-in: its consent form approved, its code exchanged. */
async function grantAt(standIn: FattureInCloudStandIn, redirectURI: string): Promise<StoredTokenSet['tokens']> {
  const form = new URLSearchParams({ client_id: standIn.clientID, redirect_uri: redirectURI, scope: 'entity.clients:r', decision: 'approve' });
  const decision = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(decision.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const answer = await fetch(`${standIn.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: standIn.clientID, client_secret: standIn.clientSecret, redirect_uri: redirectURI, code }),
  });
  return tokenSetFromParams((await answer.json()) as Parameters<typeof tokenSetFromParams>[0]);
}

export async function checkTokenStore(makeStore: MakeTokenStore): Promise<string[]> {
  if (typeof makeStore !== 'function') throw new TypeError('checkTokenStore needs a function that returns a store on an empty key space');
  const failures: Error[] = [];
  for (const property of TOKEN_STORE_PROPERTIES) {
    try {
      await property.check(await makeStore());
    } catch (error) {
      const detail = error instanceof PropertyFailure ? error.message : `it threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      failures.push(Object.assign(new Error(`${property.name}: ${detail}`), { property: property.name, cause: error }));
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `The token store fails ${failures.length} of ${TOKEN_STORE_PROPERTIES.length} properties:\n${failures.map((failure) => `- ${failure.message}`).join('\n')}`);
  }
  return TOKEN_STORE_PROPERTIES.map((property) => property.name);
}
