import { type RedisClientLike, RedisPrefixedStore } from '../../backends/redis-clients';
import type { QuotaCounts, QuotaStore, QuotaTake, QuotaTaken, QuotaWindow } from '../store';

export interface RedisQuotaStoreOptions {
  /** The clients RedisTokenStore takes: node-redis (client or cluster), ioredis or iovalkey (Redis or Cluster). */
  client: RedisClientLike;
  /** Default `'fic:quota:'`. */
  prefix?: string | undefined;
}

/**
 * The Lua scripts, as data. A bucket's keys share a hash tag, so each script
 * touches one Cluster slot. Counters live until their window ends (PEXPIREAT),
 * the pause until it does: nothing piles up and nothing needs sweeping.
 */
const SCRIPTS = {
  /** KEYS: hour, month, pause. ARGV: now, hourCeiling, monthCeiling, hourEndsAt, monthEndsAt. */
  take: `
local now = tonumber(ARGV[1])
local pause = redis.call('GET', KEYS[3])
if pause and tonumber(string.match(pause, '^%d+')) > now then return {0, 'paused', pause} end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then return {0, 'month'} end
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[2]) then return {0, 'hour'} end
redis.call('INCR', KEYS[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('INCR', KEYS[2])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {1}
`,
  /** KEYS: hour, month. ARGV: hourSpent or '', monthSpent or '', hourEndsAt, monthEndsAt. */
  correct: `
for i = 1, 2 do
  if ARGV[i] ~= '' and tonumber(redis.call('GET', KEYS[i]) or '0') < tonumber(ARGV[i]) then
    redis.call('SET', KEYS[i], ARGV[i], 'PXAT', ARGV[i + 2])
  end
end
return 1
`,
  /** KEYS: pause. ARGV: until, window. The value is `until:window`. */
  pause: `
local current = redis.call('GET', KEYS[1])
if not current or tonumber(string.match(current, '^%d+')) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PXAT', ARGV[1])
end
return 1
`,
} as const;

/** The quota's counters in Redis, shared by every process of an app: each take one script, atomic. */
export class RedisQuotaStore extends RedisPrefixedStore implements QuotaStore {
  constructor(options: RedisQuotaStoreOptions) {
    super(options, 'fic:quota:', 'RedisQuotaStore');
  }


  async take(request: QuotaTake): Promise<QuotaTaken> {
    const keys = this.keysOf(request.bucket, request);
    const args = [request.now, request.hourCeiling, request.monthCeiling, request.hourEndsAt, request.monthEndsAt].map(String);
    const [granted, reason, pause] = (await this.client.eval(SCRIPTS.take, [keys.hour, keys.month, keys.pause], args)) as [number, string?, string?];
    if (granted === 1) return { granted: true };
    if (reason !== 'paused') return { granted: false, reason: reason === 'month' ? 'month' : 'hour' };
    const { until, window } = pauseOf(pause);
    return { granted: false, reason, until, window };
  }

  async correct(request: Parameters<QuotaStore['correct']>[0]): Promise<void> {
    const keys = this.keysOf(request.bucket, request);
    const args = [request.hourSpent ?? '', request.monthSpent ?? '', request.hourEndsAt, request.monthEndsAt].map(String);
    await this.client.eval(SCRIPTS.correct, [keys.hour, keys.month], args);
  }

  async pause(bucket: string, until: number, window: QuotaWindow): Promise<void> {
    await this.client.eval(SCRIPTS.pause, [this.keysOf(bucket, { hour: 0, month: '' }).pause], [String(Math.ceil(until)), window]);
  }

  async read(bucket: string, windows: { hour: number; month: string }): Promise<QuotaCounts> {
    const keys = this.keysOf(bucket, windows);
    const [hour, month, pause] = await Promise.all([this.client.get(keys.hour), this.client.get(keys.month), this.client.get(keys.pause)]);
    return { hourSpent: Number(hour ?? 0), monthSpent: Number(month ?? 0), pausedUntil: typeof pause === 'string' ? pauseOf(pause).until : 0 };
  }

  /** `{bucket}` is the hash tag: a bucket's three keys land on one Cluster slot. */
  private keysOf(bucket: string, windows: { hour: number; month: string }): { hour: string; month: string; pause: string } {
    const base = `${this.prefix}{${bucket}}`;
    return { hour: `${base}:h:${windows.hour}`, month: `${base}:m:${windows.month}`, pause: `${base}:pause` };
  }
}

/** `until:window`, as the pause script writes it. */
function pauseOf(value: string | undefined): { until: number; window: QuotaWindow } {
  const [until, window] = (value ?? '0:hour').split(':');
  return { until: Number(until), window: window === 'month' ? 'month' : 'hour' };
}
