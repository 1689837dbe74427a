import { type RedisClientLike, RedisPrefixedStore } from '../../backends/redis-clients';
import type { ClaimResult, WebhookLog } from '../log';

export interface RedisWebhookLogOptions {
  /** The clients RedisTokenStore takes: node-redis (client or cluster), ioredis or iovalkey (Redis or Cluster). */
  client: RedisClientLike;
  /** Default `'fic:webhook:'`. */
  prefix?: string | undefined;
}

/**
 * The Lua scripts, as data. One key an event: `claimed:<owner>` with the
 * lease as its TTL, then `done` with the time it is remembered. Each script
 * touches one key, so a Cluster takes them as they are.
 */
const SCRIPTS = {
  /** ARGV: owner, leaseMs. */
  claim: `
local current = redis.call('GET', KEYS[1])
if current == 'done' then return 'done' end
if current then return 'busy' end
redis.call('SET', KEYS[1], 'claimed:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'
`,
  /** ARGV: owner, leaseMs. */
  renew: `
if redis.call('GET', KEYS[1]) ~= 'claimed:' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`,
  /** ARGV: owner. */
  release: `
if redis.call('GET', KEYS[1]) == 'claimed:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`,
  /** ARGV: keepMs. */
  complete: `
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return 1
`,
} as const;

/** The event log in Redis, shared by every process of an app: each step one script, atomic; nothing to sweep. */
export class RedisWebhookLog extends RedisPrefixedStore implements WebhookLog {
  constructor(options: RedisWebhookLogOptions) {
    super(options, 'fic:webhook:', 'RedisWebhookLog');
  }


  async claim(id: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    const result = await this.client.eval(SCRIPTS.claim, [this.prefix + id], [owner, String(Math.ceil(leaseMs))]);
    return result === 'done' || result === 'claimed' ? result : 'busy';
  }

  async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return Number(await this.client.eval(SCRIPTS.renew, [this.prefix + id], [owner, String(Math.ceil(leaseMs))])) === 1;
  }

  async complete(id: string, keepMs: number): Promise<void> {
    await this.client.eval(SCRIPTS.complete, [this.prefix + id], [String(Math.ceil(keepMs))]);
  }

  async release(id: string, owner: string): Promise<void> {
    await this.client.eval(SCRIPTS.release, [this.prefix + id], [owner]);
  }
}
