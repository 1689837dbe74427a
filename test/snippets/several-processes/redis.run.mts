import { RedisServer } from '../../../test/support/redis-server.ts';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const redis = await RedisServer.start();
process.env.REDIS_URL = redis.url;
const { standIn, clientID, clientSecret } = await snippetContext();

// SNIPPET

expectTrue((await tokens.get('nobody')) === undefined, 'the store answers from Redis');
await client.close();
await standIn.close();
await redis.stop();
