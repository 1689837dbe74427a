import { randomBytes } from 'node:crypto';
import { RedisServer } from '../../../test/support/redis-server.ts';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { grantAtStandIn } from '../../../test/support/stand-in-login.ts';

const redis = await RedisServer.start();
process.env.REDIS_URL = redis.url;
process.env.TOKENS_KEY = randomBytes(32).toString('hex');
const { standIn, clientID, clientSecret, callbackURL } = await snippetContext();

// SNIPPET

await tokens.save('user-1', await grantAtStandIn(standIn, callbackURL));
const stored = await client.get('fic:tokens:{user-1}');
expectTrue(typeof stored === 'string' && !/[ar]\//.test(stored), 'the set is in Redis, sealed');
expectTrue((await tokens.get('user-1'))?.accessToken.startsWith('a/') === true, 'get opens it');
await client.close();
await standIn.close();
await redis.stop();
