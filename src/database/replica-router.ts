import { Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { ReadRouteReason, ReplicaMetrics } from '../metrics/replica-metrics';
import { InvalidationWatermark } from './invalidation-watermark';
import { parseLsn } from './wal-position';

type Connection = [PoolClient, (error?: unknown) => void];

/** The part of TypeORM's PostgresDriver that replication uses (`replication` option). */
interface ReplicatedDriver {
  master: Pool;
  slaves: Pool[];
  obtainMasterConnection(): Promise<Connection>;
  obtainSlaveConnection(): Promise<Connection>;
}

/** Least pause between two polls of one replica's replay position while reads wait for it. */
const POLL_MIN_INTERVAL_MS = 25;
/** Pause before polling again a replica that refused a connection or a query. */
const POLL_RETRY_AFTER_FAILURE_MS = 1000;

interface Replica {
  index: number;
  pool: Pool;
  /** Replayed at least this far (positions only grow); undefined until known. */
  replayed?: bigint;
  polling?: Promise<void>;
  nextPollAt: number;
}

function connect(pool: Pool): Promise<Connection> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client, release) => {
      if (error || !client) reject(error ?? new Error('no client'));
      else resolve([client, release]);
    });
  });
}

/**
 * Decides, for each read TypeORM would send to a replica, whether one may serve it
 * (docs/SCALING.md). TypeORM's `replication` option already sends writes and everything inside a
 * transaction to the primary, and select query builders outside one to `obtainSlaveConnection`,
 * which picks a replica at random; this replaces that choice: a replica is used only once it has
 * replayed past the newest invalidation (`InvalidationWatermark`), else the primary answers.
 *
 * Replay positions are polled when a read finds every replica behind (at most every 25 ms per
 * replica), not on every read: a remembered position is a lower bound of the current one, so
 * using it can only send a read to the primary needlessly, never to a replica too far behind.
 * Installed when the provider is built, before any module initialises or serves a read.
 */
@Injectable()
export class ReplicaRouter {
  private readonly logger = new Logger('ReplicaReads');
  private readonly replicas: Replica[];
  private readonly primary: () => Promise<Connection>;
  private next = 0;

  constructor(
    dataSource: DataSource,
    private readonly watermark: InvalidationWatermark,
    private readonly metrics: ReplicaMetrics,
  ) {
    const driver = dataSource.driver as unknown as ReplicatedDriver;
    this.replicas = (driver.slaves ?? []).map((pool, index) => ({ index, pool, nextPollAt: 0 }));
    this.primary = () => driver.obtainMasterConnection();
    driver.obtainSlaveConnection = () => this.obtainReadConnection();
    for (const replica of this.replicas) this.poll(replica);
  }

  private async obtainReadConnection(): Promise<Connection> {
    const [replica, reason] = await this.choose();
    if (replica !== undefined) {
      try {
        const connection = await connect(replica.pool);
        this.metrics.read('replica', reason);
        return connection;
      } catch (error) {
        this.logger.warn(`replica ${replica.index} refused a connection: ${(error as Error).message}`);
        replica.replayed = undefined;
        replica.nextPollAt = Date.now() + POLL_RETRY_AFTER_FAILURE_MS;
        this.metrics.read('primary', 'unreachable');
        return this.primary();
      }
    }
    this.metrics.read('primary', reason);
    return this.primary();
  }

  /** A replica that has replayed past the watermark, taking turns among those that have. */
  private async choose(): Promise<[Replica | undefined, ReadRouteReason]> {
    let required: bigint | undefined;
    try {
      required = await this.watermark.required();
    } catch {
      required = undefined;
    }
    if (required === undefined) return [undefined, 'unknown'];
    let known = false;
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length];
      if (replica.replayed === undefined) {
        this.poll(replica);
        continue;
      }
      known = true;
      if (replica.replayed >= required) {
        this.next = (replica.index + 1) % this.replicas.length;
        return [replica, 'caught_up'];
      }
      this.poll(replica);
    }
    return [undefined, known ? 'lagging' : 'unknown'];
  }

  /** Refreshes the replica's replay position in the background (one poll at a time, throttled). */
  private poll(replica: Replica): void {
    if (replica.polling !== undefined || Date.now() < replica.nextPollAt) return;
    replica.nextPollAt = Date.now() + POLL_MIN_INTERVAL_MS;
    replica.polling = replica.pool
      .query<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn')
      .then(({ rows: [{ lsn }] }) => {
        if (lsn === null) {
          // Not a standby: nothing tells how far it is, so it is never read from.
          this.logger.warn(`replica ${replica.index} is not replaying WAL (a primary?): not used`);
          replica.nextPollAt = Number.POSITIVE_INFINITY;
          return;
        }
        const replayed = parseLsn(lsn);
        if (replica.replayed === undefined || replayed > replica.replayed) replica.replayed = replayed;
      })
      .catch((error: unknown) => {
        replica.replayed = undefined;
        replica.nextPollAt = Date.now() + POLL_RETRY_AFTER_FAILURE_MS;
        this.logger.warn(`replica ${replica.index} replay position unknown: ${(error as Error).message}`);
      })
      .finally(() => (replica.polling = undefined));
  }
}
