import { RedisServer } from '../../../test/support/redis-server.ts';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const redis = await RedisServer.start();
process.env.REDIS_URL = redis.url;

// SNIPPET

expectTrue(webhooks.sink.endsWith('/webhooks/fattureincloud'), 'the receiver is made on Redis');
await client.close();
await redis.stop();
