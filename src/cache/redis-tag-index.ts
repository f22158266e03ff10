// The writes of the Redis cache: storing an entry with its tags, invalidating by tag, deleting one
// key, clearing the namespace, counting entries. Part of `RedisCacheStore`; the key layout and
// the rules are in `tag-index-rules.ts`, the scripts in `redis-scripts.ts`.
import { CacheMetrics } from '../metrics/cache-metrics';
import { CacheEntry, CacheUnavailableError, InvalidationResult } from './cache-store';
import { RedisAvailability } from './redis-availability';
import { SCRIPTS } from './redis-scripts';
import { IndexKeys, indexKeys, invalidationChannel, MARKER_TTL_MS, pushTagKeys } from './tag-index-rules';

export interface RedisTagIndexOptions {
  /** Key namespace (`fkapi:`, or a shard group's `fkapi:{n}:`). */
  namespace: string;
  /** Database index of the client (names the invalidation channel). */
  database: number;
  /**
   * Whether invalidations publish on the events channel for in-process caches (default true).
   * Off on a cluster, where no L1 listens and a PUBLISH is broadcast to every node of it.
   */
  publishEvents?: boolean;
  /** Members of one tag handled per Lua call (a huge tag is deleted over several calls). */
  membersPerCall?: number;
  /** Entries popped per call by `clearNamespace`. */
  clearBatchSize?: number;
  /**
   * Redis under Sentinel or a cluster with replicas: an invalidation counts only once a replica
   * has it (`WAIT 1 <timeoutMs>`), else it fails and its outbox row stays. Unset for a single
   * Redis: no WAIT.
   */
  replicaAcks?: { timeoutMs: number };
}

/**
 * An invalidation the master applied but no replica acknowledged: a failover now would promote
 * a replica without it, so it must be applied again (the outbox row stays).
 */
export class UnreplicatedInvalidationError extends CacheUnavailableError {}

/**
 * The tag index in Redis (docs/DESIGN.md §3): entries written with their TTL and tag memberships
 * by one Lua script that refuses a stale write-back, invalidated by tag in time proportional to
 * the entries affected. Every call goes through `RedisAvailability` (timeout, breaker, counted).
 * One index per namespace: on a Redis Cluster, one per shard group (`shard-groups.ts`), each of
 * whose keys share one hash slot, so that every script touches one slot.
 */
export class RedisTagIndex {
  readonly keys: IndexKeys;
  /** Pub/sub channel every invalidation publishes on (for in-process caches); '' for none. */
  readonly events: string;
  private readonly ns: string;

  constructor(
    private readonly redis: RedisAvailability,
    private readonly metrics: CacheMetrics,
    private readonly options: RedisTagIndexOptions,
  ) {
    this.ns = options.namespace;
    this.keys = indexKeys(this.ns);
    this.events = options.publishEvents === false ? '' : invalidationChannel(this.ns, options.database);
  }

  /**
   * Stores the entry unless refused (rule 3); true when stored. Throws when Redis fails. The
   * caller has checked `entry.cacheType` (`assertCacheType`).
   */
  async setWithTags(entry: CacheEntry, sequence: number, ttlMs: number): Promise<boolean> {
    const entryKey = this.ns + entry.key;
    const keys = [
      entryKey,
      this.keys.typePrefix + entry.cacheType,
      this.keys.types,
      this.keys.tags,
      this.keys.cleared,
    ];
    pushTagKeys(keys, this.ns, new Set(entry.tags));
    const stored = await this.redis.call('set', () =>
      this.redis.run(SCRIPTS.setWithTags, keys, [
        entry.value,
        String(ttlMs),
        String(sequence),
        entry.cacheType,
        `${entry.cacheType}|${entryKey}`,
      ]),
    );
    return stored === 1;
  }

  /**
   * Deletes the entries under these tags and marks the tags (rule 2). Timed and counted by the
   * store, which may run it on several shard groups for one invalidation, in parallel.
   * `sentAck`: the store sends the groups' WAITs itself, behind all their scripts; it answers the
   * one it sent for this group (undefined when it sent none).
   */
  async invalidateTags(
    tags: readonly string[],
    { sentAck }: { sentAck?: () => Promise<number> | undefined } = {},
  ): Promise<InvalidationResult> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return { deleted: 0, sequence: 0 };
    const keys = pushTagKeys([this.keys.sequence], this.ns, unique);
    const epoch = this.redis.connectionEpoch;
    try {
      let sequence = 0;
      let deleted = 0;
      let left: number;
      let acknowledged: Promise<number> | undefined;
      do {
        let loaded = false;
        const script = this.redis.call('invalidate', () =>
          this.redis.run(
            SCRIPTS.invalidateTags,
            keys,
            [
              String(MARKER_TTL_MS),
              String(this.options.membersPerCall ?? 10_000),
              this.keys.typePrefix,
              String(sequence),
              this.events,
            ],
            () => (loaded = true),
          ),
        );
        // Under Sentinel or on a cluster, the WAIT goes in the same tick, on the same connection,
        // right behind the script: the master answers it once a replica has the script's writes,
        // with no second round trip from here. Only for a script Redis knows: one it must load
        // first (EVAL after the NOSCRIPT) would run after the WAIT, queued behind it.
        acknowledged =
          !sentAck && this.redis.knowsScript(SCRIPTS.invalidateTags) ? this.askReplicaAck() : undefined;
        const reply = (await script) as number[];
        if (sentAck && sequence === 0) acknowledged = sentAck();
        if (loaded || !acknowledged) acknowledged = this.askReplicaAck();
        sequence = Number(reply[0]);
        deleted += Number(reply[1]);
        left = Number(reply[2]);
      } while (left > 0);
      if (acknowledged) this.checkReplicated(await acknowledged, epoch);
      return { deleted, sequence };
    } catch (error) {
      // This instance may now hold entries the write should have removed: stop reading them
      // until the recovery tasks (the outbox) have applied the pending invalidations.
      this.redis.holdReadsUntilRecovered();
      throw error;
    }
  }

  /** Deletes one entry (`key` without the namespace); true when it existed. */
  async deleteKey(key: string): Promise<boolean> {
    const epoch = this.redis.connectionEpoch;
    const existed = await this.redis.call('delete', () =>
      this.redis.run(
        SCRIPTS.deleteKey,
        [this.ns + key, this.keys.types, this.keys.sequence],
        [this.keys.typePrefix, this.events],
      ),
    );
    if (this.options.replicaAcks) await this.confirmReplicated(epoch);
    return existed === 1;
  }

  /** The first step of a clear: no computation running now may store afterwards. */
  async markAllInvalidated(): Promise<void> {
    const epoch = this.redis.connectionEpoch;
    await this.redis.call('clear', () =>
      this.redis.run(
        SCRIPTS.markAllInvalidated,
        [this.keys.sequence, this.keys.cleared],
        [String(MARKER_TTL_MS), this.events],
      ),
    );
    if (this.options.replicaAcks) await this.confirmReplicated(epoch);
  }

  /** The second step: unlinks every entry, in batches; the number that existed. */
  async unlinkAll(): Promise<number> {
    const types = await this.redis.call('clear', () => this.redis.commands.sMembers(this.keys.types));
    let deleted = 0;
    for (const cacheType of types) deleted += await this.unlinkIndex(this.keys.typePrefix + cacheType);
    await this.unlinkIndex(this.keys.tags);
    return deleted;
  }

  /** `ADVANCE_SEQUENCE` (after a failover, see `redis-scripts.ts`): the sequence now. */
  async advanceSequenceToClock(): Promise<number> {
    const sequence = await this.redis.call('recovery', () =>
      this.redis.run(SCRIPTS.advanceSequence, [this.keys.sequence], []),
    );
    return Number(sequence);
  }

  async countEntries(): Promise<Record<string, number>> {
    const reply = (await this.redis.call('stats', () =>
      this.redis.run(SCRIPTS.countEntries, [this.keys.types], [this.keys.typePrefix]),
    )) as (string | number)[];
    const counts: Record<string, number> = {};
    for (let i = 0; i < reply.length; i += 2) counts[String(reply[i])] = Number(reply[i + 1]);
    return counts;
  }

  /**
   * Under Sentinel or on a cluster, whether a replica has every write this connection (on a
   * cluster, the one to this group's master) made so far (`WAIT` covers the connection's own
   * writes): throws when none acknowledged within the timeout, or when the connection changed
   * since `epoch` (the writes went over a connection now gone, the WAIT would answer for
   * another). A single Redis: nothing to wait for, nothing sent.
   */
  private async confirmReplicated(epoch: number): Promise<void> {
    const acknowledged = this.askReplicaAck();
    if (acknowledged) this.checkReplicated(await acknowledged, epoch);
  }

  /** `WAIT 1 <timeout>` on this group's connection, or undefined without replica acks. */
  askReplicaAck(): Promise<number> | undefined {
    const acks = this.options.replicaAcks;
    if (!acks) return undefined;
    const acknowledged = this.redis.call('invalidate', () =>
      this.redis.waitForReplica(this.keys.sequence, acks.timeoutMs),
    );
    // Awaited only if it is still the last one asked when the script answers.
    acknowledged.catch(() => undefined);
    return acknowledged;
  }

  private checkReplicated(replicas: number, epoch: number): void {
    if (this.redis.connectionEpoch !== epoch)
      throw new UnreplicatedInvalidationError('the Redis connection changed before a replica acknowledged');
    if (replicas < 1) {
      this.metrics.error('invalidate', 1);
      throw new UnreplicatedInvalidationError(
        `no Redis replica acknowledged within ${this.options.replicaAcks?.timeoutMs ?? 0} ms`,
      );
    }
  }

  /** Pops and UNLINKs an index zset's members in batches, so Redis is never blocked for long. */
  private async unlinkIndex(indexKey: string): Promise<number> {
    const batch = String(this.options.clearBatchSize ?? 500);
    let existed = 0;
    for (;;) {
      const [popped, unlinked] = (await this.redis.call('clear', () =>
        this.redis.run(SCRIPTS.unlinkIndexBatch, [indexKey], [batch]),
      )) as number[];
      existed += Number(unlinked);
      if (Number(popped) === 0) return existed;
    }
  }
}
