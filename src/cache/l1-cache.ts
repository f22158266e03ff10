import { Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { l1Answers } from '../metrics/cache-metrics';
import { StoredResponse } from './cache-store';
import { storedResponse } from './http/http-caching';
import { RedisClient } from '../redis/redis-client';
import { ALL_ENTRIES, mayKeepCopy } from './tag-index-rules';

export interface L1Options {
  /** Pub/sub channel of the invalidation events (`invalidationChannel` in `tag-index-rules.ts`). */
  channel: string;
  maxEntries: number;
  /** Safety net: no entry is served from memory longer than this, whatever happens. */
  ttlMs: number;
  /** How long an invalidating instance waits to see its own message before dropping everything. */
  barrierTimeoutMs: number;
}

/** Completed invalidations remembered for `seen` (a waiter comes right after its own reply). */
const RECENT_COMPLETED = 1024;

/**
 * A message with no invalidation in it, published by every instance every `HEARTBEAT_MS`: a
 * subscription that hears nothing for `LAPSE_MS` has gone quiet (a link that hangs without
 * closing, which neither 'error' nor 'end' reports), and memory is dropped until it hears again.
 */
export const HEARTBEAT = '~heartbeat';
export const HEARTBEAT_MS = 200;
export const LAPSE_MS = 600;

/**
 * The optional in-process cache in front of Redis (`CACHE_L1_ENABLED`; `l1-cached.store.ts` puts it
 * in front of the Redis store). Coherent across
 * instances through Redis pub/sub: every invalidation script publishes, on `fkapi:inv:events:<db>`,
 * the invalidation sequence it took and the keys it deleted (`*`: all), and every instance drops
 * those keys from memory. Rules that keep it from serving what Redis no longer has:
 *
 * - it serves and fills only while subscribed; when the subscription drops, everything goes
 *   (messages may be lost) and a new subscription starts a new epoch;
 * - a value read from Redis at invalidation sequence `s` is kept only if no message newer than
 *   `s` has been seen (that invalidation might have deleted it after the read; rule 4 in
 *   `tag-index-rules.ts`) and the read began in the current epoch; a message that arrives after
 *   the fill deletes it;
 * - an entry never outlives its Redis copy (`PTTL`) nor `ttlMs`;
 * - it serves nothing while the channel is quiet (no message, heartbeats included, for
 *   `LAPSE_MS`); hearing again starts a new epoch;
 * - an instance that invalidates waits until it has seen its own message, so a read it serves
 *   after acknowledging a write is fresh; other instances lag by the pub/sub delivery time
 *   (measured in docs/BENCHMARKS.md).
 */
export class L1Cache {
  private readonly logger = new Logger('CacheL1');
  private readonly entries: LRUCache<string, StoredResponse>;
  private subscriber: RedisClient | null = null;
  private subscribed = false;
  /** Subscribed, but nothing heard for `LAPSE_MS`: messages may be stuck on a silent link. */
  private quiet = false;
  private lastHeardAt = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private epoch = 0;
  /** Highest sequence of any message seen (fills of older reads are refused). */
  private lastSeen = 0;
  /**
   * Recent invalidations whose last message was seen (what `seen` waits for): exact numbers,
   * since the calls of a large invalidation can interleave with others'.
   */
  private readonly completed = new Set<number>();
  private waiters: { sequence: number; resolve: () => void }[] = [];

  constructor(
    private readonly client: RedisClient,
    private readonly namespace: string,
    private readonly options: L1Options,
  ) {
    this.entries = new LRUCache<string, StoredResponse>({ max: options.maxEntries, ttl: options.ttlMs });
  }

  /** Subscribes on a connection of its own; until then nothing is served from memory. */
  async start(): Promise<void> {
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    const lost = (): void => {
      if (this.subscribed)
        this.logger.warn('Invalidation channel lost: in-process cache off until resubscribed');
      this.subscribed = false;
      this.entries.clear();
      this.releaseWaiters();
    };
    subscriber.on('error', lost);
    subscriber.on('end', lost);
    subscriber.on('reconnecting', lost);
    // node-redis resubscribes before 'ready' on a reconnect.
    subscriber.on('ready', () => {
      if (this.subscribed || this.epoch === 0) return;
      this.entries.clear();
      this.epoch++;
      this.subscribed = true;
      this.lastHeardAt = Date.now();
    });
    try {
      await subscriber.connect();
      await subscriber.subscribe(this.options.channel, (message) => this.apply(message));
      this.entries.clear();
      this.epoch++;
      this.subscribed = true;
      this.lastHeardAt = Date.now();
    } catch (error) {
      this.logger.warn(`Cannot subscribe to invalidations yet: ${String(error)}`);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.subscribed = false;
    this.entries.clear();
    this.releaseWaiters();
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber?.isOpen) subscriber.destroy();
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): StoredResponse | undefined {
    if (!this.subscribed || this.quiet) return undefined;
    const entry = this.entries.get(key);
    if (entry !== undefined) l1Answers.hits++;
    return entry;
  }

  /** Taken before a Redis read: a fill is allowed only in the epoch the read began in. */
  ticket(): number {
    return this.subscribed && !this.quiet ? this.epoch : -1;
  }

  /** Keeps a value read (or stored) at invalidation sequence `sequence`, if that is safe. */
  fill(key: string, json: string, sequence: number, ticket: number, remainingTtlMs: number): StoredResponse {
    const entry = storedResponse(json);
    if (
      this.subscribed &&
      !this.quiet &&
      ticket === this.epoch &&
      mayKeepCopy(sequence, this.lastSeen) &&
      remainingTtlMs > 0
    ) {
      this.entries.set(key, entry, { ttl: Math.min(this.options.ttlMs, remainingTtlMs) });
    }
    return entry;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Resolves once this instance has applied invalidation `sequence` (or dropped everything). */
  async seen(sequence: number): Promise<void> {
    if (!this.subscribed || this.quiet || this.completed.has(sequence)) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push({ sequence, resolve });
      timer = setTimeout(() => {
        // Our own message did not come back in time: whatever it named may still be here.
        this.entries.clear();
        resolve();
      }, this.options.barrierTimeoutMs);
    });
    clearTimeout(timer);
  }

  /** Publishes this instance's heartbeat and notices a channel gone quiet. */
  private beat(): void {
    if (this.client.isReady) void this.client.publish(this.options.channel, HEARTBEAT).catch(() => undefined);
    if (!this.subscribed || this.quiet || Date.now() - this.lastHeardAt <= LAPSE_MS) return;
    this.logger.warn('Invalidation channel quiet: in-process cache off until it is heard again');
    this.quiet = true;
    this.entries.clear();
    this.releaseWaiters();
  }

  private apply(message: string): void {
    this.lastHeardAt = Date.now();
    if (this.quiet) {
      // Invalidations may have been missed meanwhile: reads begun before are not kept.
      this.quiet = false;
      this.epoch++;
      this.entries.clear();
    }
    if (message === HEARTBEAT) return;
    const lines = message.split('\n');
    const partial = lines[0].endsWith('+');
    const sequence = Number(partial ? lines[0].slice(0, -1) : lines[0]);
    for (let i = 1; i < lines.length; i++) {
      const key = lines[i];
      if (key === ALL_ENTRIES) this.entries.clear();
      else if (key.startsWith(this.namespace)) this.entries.delete(key.slice(this.namespace.length));
    }
    if (sequence > this.lastSeen) this.lastSeen = sequence;
    if (partial) return;
    this.completed.add(sequence);
    if (this.completed.size > RECENT_COMPLETED) {
      this.completed.delete(this.completed.values().next().value as number);
    }
    if (this.waiters.length > 0) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const waiter of waiting) {
        if (waiter.sequence === sequence) waiter.resolve();
        else this.waiters.push(waiter);
      }
    }
  }

  private releaseWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.resolve();
  }
}
