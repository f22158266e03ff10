import { ThrottlerStorage } from '@nestjs/throttler';
import { NAMESPACE } from '../../cache/cache-key';
import { SHARD_GROUPS, shardGroupNamespaces, shardGroupOf } from '../../cache/shard-groups';
import { RedisConnection } from '../../redis/redis-connection';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface SharedThrottlerOptions {
  /** Longest a hit waits before it is added to the shared count. */
  flushIntervalMs: number;
  /** A flush starts at once when this many hits are waiting. */
  flushEveryHits: number;
  /**
   * Clients counted in this process at most (each about 200 bytes). Past it the oldest counters
   * with nothing waiting to be sent are forgotten here; their totals stay in Redis and come back
   * with the client's next flush.
   */
  maxClients: number;
  /**
   * Clients whose counts Redis holds per window at most, all instances together (each field is
   * about 100 bytes there). Past it, a new client is counted by each instance on its own: the
   * limit still holds per instance, and hostile traffic from many addresses cannot grow Redis.
   */
  maxSharedClients: number;
  /** The clock the windows are cut from (tests put a window's turn where they need it). */
  now?: () => number;
}

export const DEFAULT_SHARED_THROTTLER_OPTIONS: SharedThrottlerOptions = {
  flushIntervalMs: 100,
  flushEveryHits: 200,
  maxClients: 50_000,
  maxSharedClients: 100_000,
};

/** How long a window's counts outlive it in Redis (clocks of instances differ a little). */
const WINDOW_GRACE_MS = 60_000;
/** The key prefixes of the count hashes: one per shard group, so a Redis Cluster spreads them. */
const COUNT_NAMESPACES = shardGroupNamespaces(`${NAMESPACE}ratelimit:`);

/** One client's count in one fixed window. */
interface Counter {
  window: number;
  ttlMs: number;
  /** The shared count as Redis last answered it (or as counted here while Redis was away). */
  known: number;
  /** Hits seen here and not yet added to the shared count. */
  pending: number;
}

/**
 * Adds hits to the shared counts of one window's hash (`KEYS[1]`, a field per client) and
 * returns each client's new total, in order. `ARGV[1]`: the most fields the hash may hold;
 * `ARGV[2]`: its expiry in ms, set when it has none (so the hash goes soon after its window);
 * then pairs of client and hits. A client new to a full hash is not added: -1.
 */
const ADD_HITS = `
local most = tonumber(ARGV[1])
local size = redis.call('HLEN', KEYS[1])
local totals = {}
for i = 3, #ARGV, 2 do
  if size < most or redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    local total = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
    if total == tonumber(ARGV[i + 1]) then size = size + 1 end
    totals[#totals + 1] = total
  else
    totals[#totals + 1] = -1
  end
end
if size > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return totals`;

/** Clients per script call: a flush after Redis was slow never blocks it with one huge call. */
const PAIRS_PER_CALL = 500;

/** The hits of one flush that go to one hash, in the order the script gets them. */
interface HashBatch {
  readonly key: string;
  /** ms until the window ends, plus the grace. */
  readonly expiresInMs: number;
  readonly entries: { id: string; counter: Counter; hits: number }[];
}

/**
 * Rate-limit counts shared by every instance through Redis, without a Redis round trip per
 * request: each instance counts hits in memory and decides at once from its last view of the
 * shared count plus its own unsent hits; every `flushIntervalMs` (or `flushEveryHits` hits) it
 * adds its hits to the shared counts, one script call per window hash (at most `PAIRS_PER_CALL`
 * clients each), pipelined, and learns the totals back. The counts of a window sit in one hash
 * per shard group (`fkapi:ratelimit:{n}:<ttl>:<window>`) that expires a minute after its window,
 * and each hash takes `maxSharedClients / SHARD_GROUPS` clients at most: Redis holds a bounded
 * number of keys and fields whatever the number of addresses. The limit therefore holds across
 * instances to within what they admit during one flush interval. The limit therefore holds across instances to within what they admit during one
 * flush interval. Windows are fixed and aligned on the epoch (`floor(now / ttl)`), so all
 * instances agree on them without talking.
 *
 * Redis unreachable (or no Redis at all): counts stay local, as in one process, and no request
 * ever waits for or fails because of Redis.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly counters = new Map<string, Counter>();
  private readonly dirty = new Set<string>();
  private waitingHits = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly redis: Pick<RedisConnection, 'ready' | 'client'> | null,
    private readonly options: SharedThrottlerOptions = DEFAULT_SHARED_THROTTLER_OPTIONS,
  ) {
    this.now = options.now ?? Date.now;
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    name: string,
  ): Promise<ThrottlerRecord> {
    return Promise.resolve(this.take(key, ttl, limit, name));
  }

  /** `increment` without the promise: the decision is made from memory, at once. */
  take(key: string, ttl: number, limit: number, name: string): ThrottlerRecord {
    const now = this.now();
    const window = Math.floor(now / ttl);
    const id = `${name}:${key}`;
    let counter = this.counters.get(id);
    if (!counter || counter.window !== window) {
      if (!counter && this.counters.size >= this.options.maxClients) this.makeRoom();
      counter = { window, ttlMs: ttl, known: 0, pending: 0 };
      this.counters.set(id, counter);
    }
    const timeToExpire = Math.ceil(((window + 1) * ttl - now) / 1000);
    const seen = counter.known + counter.pending;
    if (seen >= limit) {
      // Refused hits are not counted: they cost the client nothing once the window turns.
      return { totalHits: seen + 1, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
    }
    counter.pending += 1;
    this.hitWaiting(id);
    return { totalHits: seen + 1, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Sends every waiting hit now (tests; shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0) return;
    this.flushing = this.sendWaitingHits().finally(() => {
      this.flushing = undefined;
      // Hits counted while this flush was on its way go by the usual rule.
      if (this.dirty.size > 0) this.scheduleFlush();
    });
    await this.flushing;
  }

  private hitWaiting(id: string): void {
    this.dirty.add(id);
    this.waitingHits += 1;
    // One flush at a time: while one is on its way, hits wait for its end. (Calling `flush` for
    // each of them made a promise per request that woke when the flush ended.)
    if (!this.flushing) this.scheduleFlush();
  }

  /** A flush now when enough hits wait, else one within `flushIntervalMs`. */
  private scheduleFlush(): void {
    if (this.waitingHits >= this.options.flushEveryHits) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
      // Waiting hits never keep a process alive.
      this.timer.unref();
    }
  }

  private async sendWaitingHits(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingHits = 0;
    const now = this.now();
    const byHash = new Map<string, HashBatch>();
    for (const id of this.dirty) {
      const counter = this.counters.get(id);
      if (!counter || counter.pending === 0) continue;
      const key = `${COUNT_NAMESPACES[shardGroupOf(id, SHARD_GROUPS)]}${counter.ttlMs}:${counter.window}`;
      let batch = byHash.get(key);
      if (!batch) {
        const expiresInMs = Math.max(1, (counter.window + 1) * counter.ttlMs - now) + WINDOW_GRACE_MS;
        batch = { key, expiresInMs, entries: [] };
        byHash.set(key, batch);
      }
      batch.entries.push({ id, counter, hits: counter.pending });
    }
    const calls = [...byHash.values()].flatMap(({ key, expiresInMs, entries }) =>
      Array.from({ length: Math.ceil(entries.length / PAIRS_PER_CALL) }, (_, i) => ({
        key,
        expiresInMs,
        entries: entries.slice(i * PAIRS_PER_CALL, (i + 1) * PAIRS_PER_CALL),
      })),
    );
    this.dirty.clear();
    this.forgetPastWindows();
    const redis = this.redis?.ready ? this.redis.client : null;
    const most = String(Math.ceil(this.options.maxSharedClients / SHARD_GROUPS));
    // A script call per hash (and per PAIRS_PER_CALL clients); node-redis pipelines the calls made
    // in one tick: one round trip.
    await Promise.all(
      calls.map(async ({ key, expiresInMs, entries }) => {
        let totals: unknown[] = [];
        if (redis) {
          const args = [most, String(expiresInMs)];
          for (const { id, hits } of entries) args.push(id, String(hits));
          totals = await redis.eval(ADD_HITS, { keys: [key], arguments: args }).then(
            (reply) => (Array.isArray(reply) ? reply : []),
            () => [],
          );
        }
        entries.forEach(({ counter, hits }, i) => {
          counter.pending -= hits;
          const total = Number(totals[i] ?? -1);
          // Without a shared total (Redis away, or the hash full) the hits count here only.
          counter.known = total < 0 ? counter.known + hits : Math.max(total, counter.known + hits);
        });
      }),
    );
  }

  /** Forgets past windows, then the oldest tenth of the counters that have nothing unsent. */
  private makeRoom(): void {
    this.forgetPastWindows();
    let excess = this.counters.size - this.options.maxClients + Math.ceil(this.options.maxClients / 10);
    for (const [id, counter] of this.counters) {
      if (excess <= 0) break;
      if (counter.pending > 0) continue;
      this.counters.delete(id);
      excess--;
    }
  }

  /** Clients counted here now. */
  get size(): number {
    return this.counters.size;
  }

  private forgetPastWindows(): void {
    const now = this.now();
    for (const [id, counter] of this.counters) {
      if ((counter.window + 1) * counter.ttlMs <= now && counter.pending === 0) this.counters.delete(id);
    }
  }
}
