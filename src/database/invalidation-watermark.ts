import { Inject, Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { NAMESPACE } from '../cache/cache-key';
import { WalFence } from '../cache/outbox/wal-fence';
import { REDIS_CLIENT, RedisClient } from '../redis/redis-client';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { lsnFromKeyText, lsnKeyText, parseLsn } from './wal-position';

/** Shared by every instance on this Redis database: the newest WAL position an invalidation covers. */
export const WATERMARK_KEY = `${NAMESPACE}replica:invalidation_lsn`;

/** Refreshed on every write. A lost key (expired, Redis restarted empty) is re-seeded: see `required`. */
const WATERMARK_TTL_SECONDS = 24 * 3600;

const CURRENT_POSITION = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';

/** Raises the stored position, never lowers it (16 hex digits compare as strings). */
const RAISE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/**
 * The newest WAL position whose invalidation has been (or is about to be) applied: a replica may
 * serve a read only once it has replayed that far (`replica-router.ts`).
 *
 * Each invalidation of committed writes first reads `pg_current_wal_insert_lsn()` on the primary
 * and raises the watermark in Redis (and in this process); only then are the entries deleted.
 * A miss reads the watermark after its cache lookup: if that lookup already saw a write's
 * invalidation, the same Redis shows the write's position, and if it did not, the invalidation
 * comes later and refuses the miss's store. Either way a lagging replica's answer is never stored
 * for data an acknowledged write changed. The insert position is used rather than
 * `pg_current_wal_lsn()` (the write position) because with `synchronous_commit = off` a commit is
 * visible before its record is written; both are past the commit record otherwise.
 *
 * Without Redis (the in-memory cache: one instance) the process's own watermark is the whole
 * truth, seeded from the primary at the first read for what earlier processes wrote.
 */
@Injectable()
export class InvalidationWatermark implements WalFence {
  private local = 0n;
  private seeding: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async recordCommitted(runner: Pick<QueryRunner, 'query'> | DataSource): Promise<void> {
    const rows = (await runner.query(CURRENT_POSITION)) as { lsn: string }[];
    const lsn = parseLsn(rows[0].lsn);
    if (lsn > this.local) this.local = lsn;
    if (this.redis === null) return;
    await this.withTimeout(
      this.redis.eval(RAISE_SCRIPT, {
        keys: [WATERMARK_KEY],
        arguments: [lsnKeyText(lsn), String(WATERMARK_TTL_SECONDS)],
      }),
    );
  }

  /**
   * The position a replica must have replayed to serve a read starting now; undefined (read from
   * the primary) while Redis holds none. Redis may have lost it with the writes it covered (a
   * restart without persistence, an expiry), so it is then seeded from the primary's current
   * position, which is past every write committed so far.
   */
  async required(): Promise<bigint | undefined> {
    let known: bigint | undefined = this.local > 0n ? this.local : undefined;
    if (this.redis !== null) {
      const stored = await this.withTimeout(this.redis.get(WATERMARK_KEY));
      const shared = typeof stored === 'string' ? lsnFromKeyText(stored) : undefined;
      known = shared === undefined ? undefined : shared > this.local ? shared : this.local;
    }
    if (known === undefined) this.seed();
    return known;
  }

  private seed(): void {
    this.seeding ??= this.recordCommitted(this.dataSource)
      .catch(() => undefined)
      .finally(() => (this.seeding = undefined));
  }

  /** node-redis times out only commands not yet sent; an answer that never comes must not hang a read. */
  private withTimeout<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('replica watermark: Redis did not answer')),
        this.config.redisCommandTimeoutMs,
      );
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }
}
