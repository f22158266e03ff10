import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis tag index (docs/DESIGN.md §3). The key layout and the rules they
 * apply (sequence, markers, when a store is refused) are described once, in `tag-index-rules.ts`;
 * Lua cannot call that code, so the scripts below spell the same rules out again and must be
 * changed together with it.
 *
 * Time comes from Redis (`TIME`), so instances with skewed clocks agree on expiry. The scripts
 * touch keys they discover (tag members): on a Redis Cluster, every key they are given and every
 * key they discover shares one hash tag (a shard group, `shard-groups.ts`), hence one slot.
 * The tag and type sets must never be evicted: run Redis with `maxmemory-policy noeviction`
 * (or enough memory), else an evicted tag set would leave its entries uninvalidatable.
 */

/**
 * `nextSequence(key)`: INCR of the invalidation sequence, which a missing key (a new or emptied
 * Redis) starts at the Redis clock in microseconds rather than at 1. Sequences before the loss
 * stay below it as long as fewer than one invalidation per microsecond was made; 2^53 µs is
 * year 2255. Built as a string: Lua would print the number in exponent notation.
 */
const NEXT_SEQUENCE = `
local function nextSequence(key)
  if redis.call('EXISTS', key) == 0 then
    local clock = redis.call('TIME')
    redis.call('SET', key, clock[1] .. string.format('%06d', tonumber(clock[2])))
  end
  return redis.call('INCR', key)
end
`;

/** `now` in milliseconds from the Redis clock. */
const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/**
 * KEYS: entry, type zset, types set, tags registry, namespace marker, then (tag zset, tag
 * marker) pairs. ARGV: value, ttl ms, reader sequence, cache_type, tag member.
 * Returns 1 when stored, 0 when refused because a tag (or everything) was invalidated after the
 * reader's sequence (rule 3, `mayStore` in `tag-index-rules.ts`).
 */
export const SET_WITH_TAGS = `
local sequence = tonumber(ARGV[3])
local cleared = redis.call('GET', KEYS[5])
if cleared and tonumber(cleared) > sequence then return 0 end
for i = 6, #KEYS, 2 do
  local marker = redis.call('GET', KEYS[i + 1])
  if marker and tonumber(marker) > sequence then return 0 end
end
${NOW}
local ttl = tonumber(ARGV[2])
local expiresAt = now + ttl
local function index(set, member)
  redis.call('ZADD', set, expiresAt, member)
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
index(KEYS[2], KEYS[1])
redis.call('SADD', KEYS[3], ARGV[4])
if #KEYS > 5 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now) end
for i = 6, #KEYS, 2 do
  index(KEYS[i], ARGV[5])
  redis.call('ZADD', KEYS[4], 'GT', expiresAt, KEYS[i])
end
return 1
`;

/**
 * KEYS: sequence, then (tag zset, tag marker) pairs. ARGV: marker ttl ms, members per tag per
 * call, type-zset prefix, sequence (0: start a new invalidation, INCR and mark the tags; else
 * continue one whose tags still had members), events channel ('' : none, publish nothing).
 * Takes up to ARGV[2] members of each tag (the whole tag zset goes when they were all), UNLINKs
 * their entries (once each, in batches of 500) and removes them from their type zsets. Cost:
 * the members taken, whatever the cache size.
 * Returns { sequence, entries deleted, members left under these tags }.
 */
export const INVALIDATE_TAGS = `
${NEXT_SEQUENCE}
local sequence = tonumber(ARGV[4])
if sequence == 0 then
  sequence = nextSequence(KEYS[1])
  for i = 2, #KEYS, 2 do redis.call('SET', KEYS[i + 1], sequence, 'PX', ARGV[1]) end
end
local limit = tonumber(ARGV[2])
local deleted, left = 0, 0
-- '%d': a sequence past 10^14 would otherwise print in exponent notation, rounded.
local seen, keys, byType, published = {}, {}, {}, { string.format('%d', sequence) }
local function unlinkKeys()
  if #keys > 0 then deleted = deleted + redis.call('UNLINK', unpack(keys)); keys = {} end
end
local function unindex(cacheType)
  local list = byType[cacheType]
  if #list > 0 then redis.call('ZREM', ARGV[3] .. cacheType, unpack(list)); byType[cacheType] = {} end
end
for i = 2, #KEYS, 2 do
  -- ZRANGE, not ZPOPMIN: replies without scores (formatting them costs more than the deletes).
  local members = redis.call('ZRANGE', KEYS[i], 0, limit - 1)
  for _, member in ipairs(members) do
    if not seen[member] then
      seen[member] = true
      local bar = string.find(member, '|', 1, true)
      local cacheType, key = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
      keys[#keys + 1] = key
      published[#published + 1] = key
      if #keys == 500 then unlinkKeys() end
      local list = byType[cacheType]
      if not list then list = {}; byType[cacheType] = list end
      list[#list + 1] = key
      if #list == 500 then unindex(cacheType) end
    end
  end
  if #members < limit then
    if #members > 0 then redis.call('UNLINK', KEYS[i]) end
  else
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, limit - 1)
    left = left + redis.call('ZCARD', KEYS[i])
  end
end
unlinkKeys()
for cacheType in pairs(byType) do unindex(cacheType) end
-- '+' after the sequence: more calls of this invalidation will follow.
if left > 0 then published[1] = string.format('%d+', sequence) end
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], table.concat(published, '\\n')) end
return { sequence, deleted, left }
`;

/**
 * KEYS: entry, types set, sequence. ARGV: type-zset prefix, events channel (or ''). Returns 1 when the
 * entry existed. Takes a sequence number like every invalidation, so an in-process cache can
 * tell a read made before it from one made after.
 */
export const DELETE_KEY = `
${NEXT_SEQUENCE}
local existed = redis.call('UNLINK', KEYS[1])
for _, cacheType in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('ZREM', ARGV[1] .. cacheType, KEYS[1])
end
local sequence = nextSequence(KEYS[3])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], string.format('%d', sequence) .. '\\n' .. KEYS[1]) end
return existed
`;

/**
 * KEYS: sequence, namespace marker. ARGV: marker ttl ms, events channel (or ''). Starts a
 * clearNamespace: computations already running may not store their (possibly older) results
 * afterwards, and in-process caches drop everything.
 */
export const MARK_ALL_INVALIDATED = `
${NEXT_SEQUENCE}
local sequence = nextSequence(KEYS[1])
redis.call('SET', KEYS[2], sequence, 'PX', ARGV[1])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], string.format('%d', sequence) .. '\\n*') end
return sequence
`;

/**
 * KEYS: entry, sequence. Returns { value or false, sequence or false, PTTL }, read atomically:
 * what an in-process cache needs to decide whether it may keep the value, and for how long.
 */
export const READ_FOR_L1 = `
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('PTTL', KEYS[1]) }
`;

/**
 * KEYS: an index zset (type zset or tags registry). ARGV: batch size. Takes up to that many of
 * its members, UNLINKs them and removes them from the index. Returns { members taken, keys that
 * existed }.
 */
export const UNLINK_INDEX_BATCH = `
local keys = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #keys == 0 then return { 0, 0 } end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #keys - 1)
local existed = 0
for from = 1, #keys, 500 do
  existed = existed + redis.call('UNLINK', unpack(keys, from, math.min(from + 499, #keys)))
end
return { #keys, existed }
`;

/** KEYS: types set. ARGV: type-zset prefix. Returns [cache_type, live entries, …]. */
export const COUNT_ENTRIES = `
${NOW}
local out = {}
for _, cacheType in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = cacheType
  out[#out + 1] = redis.call('ZCOUNT', ARGV[1] .. cacheType, '(' .. now, '+inf')
end
return out
`;

/**
 * KEYS: sequence. Raises the invalidation sequence to the Redis clock in microseconds when it is
 * below (the start value `nextSequence` gives a missing key). Run after a Sentinel failover: the
 * dead master may have handed readers sequences the promoted replica never got (increments not
 * replicated); without this, the next invalidations' markers could be below such a sequence and
 * a reader holding it could store what they invalidated. Returns the sequence.
 */
const ADVANCE_SEQUENCE = `
local clock = redis.call('TIME')
local now = clock[1] .. string.format('%06d', tonumber(clock[2]))
local current = redis.call('GET', KEYS[1])
if not current or tonumber(current) < tonumber(now) then
  redis.call('SET', KEYS[1], now)
  return now
end
return current
`;

/**
 * A script run by EVALSHA (one round trip), loaded with EVAL the first time Redis lacks it.
 * `allowOom` (Redis 7 script flags) lets it run while Redis refuses writes for lack of memory
 * (`maxmemory` with `noeviction`): invalidations free memory and must never be refused, or a
 * full Redis would keep serving what a write changed. Writes that only add (storing an entry)
 * stay refused, and the store treats that refusal as "not stored", not as an outage.
 */
export class LuaScript {
  readonly sha1: string;
  readonly source: string;

  constructor(body: string, options: { allowOom?: boolean } = {}) {
    this.source = options.allowOom ? `#!lua flags=allow-oom\n${body.trimStart()}` : body;
    this.sha1 = createHash('sha1').update(this.source).digest('hex');
  }
}

export const SCRIPTS = {
  setWithTags: new LuaScript(SET_WITH_TAGS),
  invalidateTags: new LuaScript(INVALIDATE_TAGS, { allowOom: true }),
  deleteKey: new LuaScript(DELETE_KEY, { allowOom: true }),
  markAllInvalidated: new LuaScript(MARK_ALL_INVALIDATED, { allowOom: true }),
  unlinkIndexBatch: new LuaScript(UNLINK_INDEX_BATCH, { allowOom: true }),
  countEntries: new LuaScript(COUNT_ENTRIES),
  readForL1: new LuaScript(READ_FOR_L1),
  advanceSequence: new LuaScript(ADVANCE_SEQUENCE, { allowOom: true }),
} as const;
