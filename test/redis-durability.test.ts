import { expect } from 'chai';
import { createClient } from 'redis';
import { FattureInCloudTokens } from '../lib/index';
import { RedisTokenStore } from '../lib/redis';
import { type FattureInCloudStandIn, startFattureInCloudStandIn } from '../lib/testing/index';
import { RedisServer } from './support/redis-server';
import { requireServers } from './support/servers';
import { expiring, grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const CRASHES = 5;

/**
 * What the token store needs from Redis: a rotation must survive a crash, or
 * the user's authorization is gone. Redis is SIGKILLed right after a rotation
 * and started again on its own files.
 */
describe('durability: Redis crashed right after a rotation', function () {
  this.timeout(120_000);
  let standIn: FattureInCloudStandIn;
  before(function () {
    requireServers(this, 'redis');
  });
  beforeEach(async () => {
    standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT });
  });
  afterEach(() => standIn.close());

  async function rotateThenCrash(redis: RedisServer): Promise<{ kept: string | undefined; current: string | undefined }> {
    const client = await createClient({ url: redis.url }).connect();
    const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, store: new RedisTokenStore({ client }) });
    const first = await grantAtStandIn(standIn, REDIRECT);
    await tokens.save('user-1', expiring(first));
    await tokens.get('user-1'); // the rotation, acknowledged by Redis
    client.destroy();
    await redis.crash();
    await redis.restart();
    const after = await createClient({ url: redis.url }).connect();
    try {
      const kept = (await new RedisTokenStore({ client: after }).read('user-1'))?.tokens.refreshToken;
      return { kept, current: standIn.currentRefreshToken(first.refreshToken) };
    } finally {
      await after.close();
    }
  }

  it(`with AOF and appendfsync always: the rotated set survives ${CRASHES} crashes of ${CRASHES}, and persistence() says so`, async () => {
    const redis = await RedisServer.start({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    try {
      const client = await createClient({ url: redis.url }).connect();
      expect(await new RedisTokenStore({ client }).persistence()).to.deep.equal({ aof: true, appendfsync: 'always' });
      await client.close();
      let survived = 0;
      for (let crash = 0; crash < CRASHES; crash++) {
        const { kept, current } = await rotateThenCrash(redis);
        if (kept !== undefined && kept === current) survived += 1;
      }
      console.log(`      AOF, appendfsync always: the rotation survived ${survived} of ${CRASHES} crashes`);
      expect(survived).to.equal(CRASHES);
    } finally {
      await redis.stop();
    }
  });

  it('with persistence off (--save \'\', development only): the set is gone after a crash, and persistence() says AOF is off', async () => {
    const redis = await RedisServer.start();
    try {
      const client = await createClient({ url: redis.url }).connect();
      expect(await new RedisTokenStore({ client }).persistence()).to.deep.equal({ aof: false, appendfsync: undefined });
      await client.close();
      const { kept } = await rotateThenCrash(redis);
      expect(kept).to.equal(undefined);
    } finally {
      await redis.stop();
    }
  });
});
