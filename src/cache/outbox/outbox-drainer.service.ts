import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxListener } from './outbox-notifications';
import { READS_RESUME_GATE, ReadsResumeGate } from './reads-resume-gate';
import { ClaimOptions, OutboxRepository, OutboxRow } from './outbox.repository';
import { TAG_INVALIDATOR, TagInvalidator } from './tag-invalidator';
import { WAL_FENCE, WalFence } from './wal-fence';

export interface OutboxDrainerOptions {
  /** Pause between two passes of the background loop while Redis answers. */
  pollIntervalMs: number;
  /** Rows claimed, invalidated and deleted per transaction. */
  batchSize: number;
  /** Ceiling of the loop's exponential backoff while invalidations fail. */
  maxBackoffMs: number;
  /**
   * How long a write keeps retrying its after-commit invalidation (every 100 ms) before it
   * answers and leaves the row to the drainers. When Redis comes back, one instance may serve
   * reads while another is still reconnecting or waiting for its circuit breaker (up to the
   * reconnect delay plus the breaker's cool-down): the latter's writes must not be acknowledged
   * while their invalidation is only in the outbox, or the former would serve the old entries.
   * During a whole outage this is the extra time each write takes.
   */
  afterCommitRetryMs: number;
  /** Wake on other instances' outbox rows (PostgreSQL `LISTEN`), not only every poll. */
  listen: boolean;
}

export const DEFAULT_OUTBOX_DRAINER_OPTIONS: OutboxDrainerOptions = {
  pollIntervalMs: 1000,
  batchSize: 100,
  maxBackoffMs: 30_000,
  afterCommitRetryMs: 3000,
  listen: true,
};

export const OUTBOX_DRAINER_OPTIONS = Symbol('OUTBOX_DRAINER_OPTIONS');

/** A batch of outbox rows could not be invalidated; they stay pending with `attempts` raised. */
export class OutboxDrainError extends Error {
  constructor(
    readonly rows: number,
    override readonly cause: unknown,
  ) {
    super(`could not invalidate ${rows} outbox row(s): ${describeError(cause)}`);
    this.name = 'OutboxDrainError';
  }
}

/**
 * Retries what the after-commit invalidation could not do (Redis down, process killed between
 * commit and invalidation). The outbox is shared by every instance: rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so instances drain side by side without doing the same work twice.
 *
 * It drains everything pending when the application starts (before it listens), in a background
 * loop with exponential backoff while invalidation fails, when Redis comes back (through the
 * optional `ReadsResumeGate`) and once more at shutdown.
 */
@Injectable()
export class OutboxDrainer implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('CacheOutbox');
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  private consecutiveFailures = 0;
  private wokenDuringPass = false;
  private listener: OutboxListener | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    @Inject(TAG_INVALIDATOR) private readonly invalidator: TagInvalidator,
    @Inject(OUTBOX_DRAINER_OPTIONS) private readonly options: OutboxDrainerOptions,
    @Optional() @Inject(READS_RESUME_GATE) readsResumeGate?: ReadsResumeGate,
    @Optional() @Inject(WAL_FENCE) private readonly walFence?: WalFence,
  ) {
    // In the constructor, not a lifecycle hook: the store may run its first recovery in its own
    // onModuleInit, which can come before ours.
    readsResumeGate?.addRecoveryTask(async () => {
      const drained = await this.drainBeforeReadsResume();
      if (drained > 0) this.logger.log(`invalidated ${drained} outbox row(s) before reads resume`);
      this.resumeCadence();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const drained = await this.drainBeforeReadsResume();
      if (drained > 0) this.logger.log(`invalidated ${drained} outbox row(s) left by earlier writes`);
    } catch (error) {
      this.consecutiveFailures = 1;
      this.logger.warn(`outbox not drained at start, retrying in the background: ${describeError(error)}`);
    }
    this.stopped = false;
    this.schedule();
    const url = (this.dataSource.options as { url?: string }).url;
    if (url && this.options.listen) {
      this.listener = new OutboxListener(url, () => this.wake());
      this.listener.start();
    }
  }

  /**
   * Another instance committed an outbox row: drain now rather than at the next poll. Not while
   * this instance's own invalidations fail: it would only hold the row's lock through a failing
   * attempt while an instance that can reach Redis skips it.
   */
  private wake(): void {
    if (this.stopped || this.consecutiveFailures > 0) return;
    if (this.pass !== undefined) {
      this.wokenDuringPass = true;
      return;
    }
    clearTimeout(this.timer);
    this.startPass();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Last chance for this instance (SIGTERM): what is left stays for the next drainer. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
    try {
      await this.drainNow();
    } catch (error) {
      this.logger.warn(`outbox rows left pending at shutdown: ${describeError(error)}`);
    }
  }

  /**
   * Invalidates and deletes every pending row no other drainer holds. Resolves with the number
   * of rows drained; rejects with `OutboxDrainError` when invalidation fails (those rows stay).
   */
  async drainNow(): Promise<number> {
    let drained = 0;
    for (;;) {
      const batch = await this.drainBatch({ limit: this.options.batchSize, skipLocked: true });
      drained += batch;
      if (batch < this.options.batchSize) return drained;
    }
  }

  /**
   * Resolves once no row committed before the call is pending: rows another instance holds are
   * waited for (it either deletes them or leaves them to us). The cache store calls it when Redis
   * comes back, before it serves reads from Redis again, so no instance reads an entry an outage
   * kept alive. Rejects, leaving rows pending, when invalidation fails.
   */
  async drainBeforeReadsResume(): Promise<number> {
    const upToId = await this.outbox.newestId(this.dataSource);
    if (upToId === null) return 0;
    let drained = 0;
    for (;;) {
      const batch = await this.drainBatch({ limit: this.options.batchSize, skipLocked: false, upToId });
      if (batch === 0) return drained;
      drained += batch;
    }
  }

  pendingCount(): Promise<number> {
    return this.outbox.count(this.dataSource);
  }

  /**
   * Claims one batch, invalidates it and deletes what was invalidated, in one transaction; the
   * rows that failed get `attempts` raised. Throws `OutboxDrainError` (after committing) when any
   * row failed.
   */
  private async drainBatch(claim: ClaimOptions): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const rows = await this.outbox.claim(runner, claim);
      // With read replicas: the claimed rows committed, so the WAL is past them (`wal-fence.ts`).
      if (rows.length > 0) await this.walFence?.recordCommitted(runner);
      const { drained, failed, error } = await this.invalidateRows(rows);
      await this.outbox.delete(runner, drained);
      if (failed.length > 0) await this.outbox.recordFailure(runner, failed, describeError(error));
      await runner.commitTransaction();
      if (failed.length > 0) throw new OutboxDrainError(failed.length, error);
      return drained.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * One call for the union of the rows' tags. When it fails, the rows are tried one by one so
   * that a row Redis keeps refusing (a tag too large for the command timeout, say) does not hold
   * back the others; a first row failing before any succeeded means Redis is out of reach, and
   * the rest is left untouched. Claims take the least-tried rows first, so such a row sinks to
   * the end of the queue.
   */
  private async invalidateRows(
    rows: OutboxRow[],
  ): Promise<{ drained: number[]; failed: number[]; error?: unknown }> {
    if (rows.length === 0) return { drained: [], failed: [] };
    try {
      await this.invalidator.invalidateTags([...new Set(rows.flatMap((row) => row.tags))]);
      return { drained: rows.map((row) => row.id), failed: [] };
    } catch (batchError) {
      const drained: number[] = [];
      const failed: number[] = [];
      let error = batchError;
      for (const row of rows.length > 1 ? rows : []) {
        try {
          await this.invalidator.invalidateTags(row.tags);
          drained.push(row.id);
        } catch (rowError) {
          error = rowError;
          failed.push(row.id);
          if (drained.length === 0) break;
        }
      }
      return { drained, failed: rows.length > 1 ? failed : [rows[0].id], error };
    }
  }

  /**
   * Redis is back: the background loop returns to its normal interval now rather than after the
   * backoff the outage built up (up to `maxBackoffMs`), so rows that instances still
   * reconnecting leave behind are drained within a poll interval.
   */
  private resumeCadence(): void {
    this.consecutiveFailures = 0;
    if (this.stopped || this.pass !== undefined || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay =
      this.consecutiveFailures === 0
        ? this.options.pollIntervalMs
        : Math.min(this.options.pollIntervalMs * 2 ** this.consecutiveFailures, this.options.maxBackoffMs);
    this.timer = setTimeout(() => this.startPass(), delay);
    // A pending pass never keeps the process alive (CLI commands, tests).
    this.timer.unref();
  }

  private startPass(): void {
    this.timer = undefined;
    this.wokenDuringPass = false;
    this.pass = this.runPass().finally(() => {
      this.pass = undefined;
      if (this.wokenDuringPass && this.consecutiveFailures === 0 && !this.stopped) this.startPass();
      else this.schedule();
    });
  }

  private async runPass(): Promise<void> {
    try {
      const drained = await this.drainNow();
      if (drained > 0) this.logger.log(`invalidated ${drained} pending outbox row(s)`);
      this.consecutiveFailures = 0;
    } catch (error) {
      this.consecutiveFailures += 1;
      // Warn once per outage, not on every retry.
      if (this.consecutiveFailures === 1) this.logger.warn(describeError(error));
    }
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.close();
    this.listener = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
