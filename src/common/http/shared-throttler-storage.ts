import { ThrottlerStorage } from '@nestjs/throttler';
import { NAMESPACE } from '../../cache/cache-key';
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
  /** The clock the windows are cut from (tests put a window's turn where they need it). */
  now?: () => number;
}

export const DEFAULT_SHARED_THROTTLER_OPTIONS: SharedThrottlerOptions = {
  flushIntervalMs: 100,
  flushEveryHits: 200,
  maxClients: 50_000,
};

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
 * Adds `ARGV[1]` hits to a window's shared count and returns the new total; the first add of a
 * window sets its expiry, so a window's key disappears after it ends.
 */
const ADD_HITS = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

/**
 * Rate-limit counts shared by every instance through Redis, without a Redis round trip per
 * request: each instance counts hits in memory and decides at once from its last view of the
 * shared count plus its own unsent hits; every `flushIntervalMs` (or `flushEveryHits` hits) it
 * adds its hits to the shared counts with one script call per client, pipelined, and learns the
 * totals back. The limit therefore holds across instances to within what they admit during one
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
    const batch: [string, Counter, number][] = [];
    for (const id of this.dirty) {
      const counter = this.counters.get(id);
      if (counter && counter.pending > 0) batch.push([id, counter, counter.pending]);
    }
    this.dirty.clear();
    this.forgetPastWindows();
    let totals: (number | undefined)[] = [];
    const redis = this.redis?.ready ? this.redis.client : null;
    if (redis) {
      // node-redis pipelines the calls made in one tick: one round trip for the whole batch.
      totals = await Promise.all(
        batch.map(([id, counter, hits]) =>
          redis
            .eval(ADD_HITS, {
              keys: [`${NAMESPACE}ratelimit:${id}:${counter.window}`],
              arguments: [String(hits), String(counter.ttlMs + 60_000)],
            })
            .then(
              (total) => Number(total),
              () => undefined,
            ),
        ),
      );
    }
    batch.forEach(([, counter, hits], i) => {
      counter.pending -= hits;
      const total = totals[i];
      // Without an answer the hits count here only; with one, the shared total includes them.
      counter.known = total === undefined ? counter.known + hits : Math.max(total, counter.known + hits);
    });
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
