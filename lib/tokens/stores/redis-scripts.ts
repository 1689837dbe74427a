/**
 * The Lua scripts RedisTokenStore runs, defined once as data (as node-redis
 * defines its own). Each touches only the key it is given, so with the key and
 * its lock under one hash tag they run on Redis Cluster too.
 *
 * They run with EVAL, not EVALSHA: they are small and run only around a
 * refresh, and EVALSHA has a window where a restarted Redis lacks the script,
 * so a compare-and-set that node-redis queued while Redis was away would come
 * back NOSCRIPT and the rotated set would be lost.
 */
export interface RedisScript {
  readonly source: string;
}

function script(source: string): RedisScript {
  return { source };
}

export const SCRIPTS = {
  /**
   * Compare-and-set: KEYS[1] the set; ARGV[1] the digest of the refresh token
   * that was spent; ARGV[2] the new value. Writes only over that token's set.
   */
  replaceIfSpent: script(`
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, stored = pcall(cjson.decode, current)
if not ok or type(stored) ~= 'table' or stored.rt ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`),
  /** Compare-and-delete: KEYS[1] the lock; ARGV[1] the owner. Frees the lock only for its owner. */
  unlockIfOwner: script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`),
} as const satisfies Record<string, RedisScript>;
