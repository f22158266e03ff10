import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { resolvePage } from '../common/dto/pagination.dto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UserCollectionFetcher } from './collection-fetcher';
import {
  ScrapeCachedDto,
  ScrapeProcessingDto,
  UserCollectionDataDto,
  UserCollectionPageDto,
} from './dto/user-collection.dto';
import { FETCH_COORDINATION, FetchCoordination } from './fetch-coordination';
import {
  CollectionFetchError,
  UserCollectionNotFoundError,
  UserCollectionStoreUnavailableError,
} from './user-collections.errors';
import { UserCollectionStore } from './user-collection.store';
import { CollectionTaskStatus, FetchFailureCode, UserCollection } from './user-collection.types';

/** The lock outlives a stalled instance by at most this long; a live fetch keeps prolonging it. */
export const LOCK_TTL_MS = 60_000;
const LOCK_RENEW_MS = LOCK_TTL_MS / 3;
export const TASK_STATUS_TTL_SECONDS = 3600;
/** Acquire attempts when the lock changes hands between our reads (a fetch ending right then). */
const MAX_ACQUIRE_ATTEMPTS = 3;

interface RunningFetch {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * User collections (as in the original FKApi; differences in docs/COMPATIBILITY.md): fetched in the background, at most one fetch
 * per user at a time across every instance (a Redis lock whose token is the task id), stored
 * for 7 days, read page by page.
 */
@Injectable()
export class UserCollectionsService implements OnModuleDestroy {
  private readonly logger = new Logger(UserCollectionsService.name);
  private readonly running = new Map<string, RunningFetch>();

  constructor(
    private readonly store: UserCollectionStore,
    @Inject(FETCH_COORDINATION) private readonly coordination: FetchCoordination,
    private readonly fetcher: UserCollectionFetcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** POST scrape: the stored collection, or the id of the fetch started (or already running). */
  async requestFetch(userid: number, force: boolean): Promise<ScrapeCachedDto | ScrapeProcessingDto> {
    if (force) await this.store.drop(userid);
    for (let attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
      const stored = await this.store.get(userid);
      if (stored) return cachedAnswer(userid, stored.collection);
      const taskId = randomUUID();
      if (await this.coordination.acquireLock(userid, taskId, LOCK_TTL_MS)) {
        // A fetch that ended between our read and the lock has stored its result.
        const fresh = await this.store.get(userid);
        const writeToken = fresh ? null : await this.store.writeToken(userid);
        if (fresh || writeToken === null) {
          await this.coordination.releaseLock(userid, taskId);
          if (fresh) return cachedAnswer(userid, fresh.collection);
          // Whatever was fetched could not be stored: do not spend upstream requests on it.
          throw new UserCollectionStoreUnavailableError('the cache cannot be written');
        }
        await this.coordination.setTask(
          userid,
          { task_id: taskId, state: 'running' },
          TASK_STATUS_TTL_SECONDS,
        );
        this.start(userid, taskId, writeToken);
        return processingAnswer(userid, taskId);
      }
      const holder = await this.coordination.lockHolder(userid);
      if (holder) return processingAnswer(userid, holder);
    }
    throw new Error(`User collection ${userid}: the fetch lock kept changing hands`);
  }

  /** GET: one page of the stored collection; 404 while there is none. */
  async getPage(userid: number, page: number, pageSize: number): Promise<UserCollectionPageDto> {
    let stored = await this.store.get(userid);
    if (!stored) {
      const task = await this.confirmRunning(userid, await this.coordination.getTask(userid));
      // A fetch may have finished between the reads: never answer "not found" beside "done".
      if (task?.state === 'done') stored = await this.store.get(userid);
      if (!stored) throw new UserCollectionNotFoundError(userid, task);
    }
    const { collection, expiresAt } = stored;
    const total = collection.entries.length;
    const pagination = resolvePage(page, pageSize, total);
    const start = (pagination.current_page - 1) * pageSize;
    return {
      status: 'ready',
      data: toData(collection, collection.entries.slice(start, start + pageSize)),
      pagination: {
        current_page: pagination.current_page,
        total_pages: pagination.total_pages,
        total_count: pagination.total_count,
        page_size: pageSize,
        has_next: pagination.has_next,
        has_previous: pagination.has_previous,
        next_page: pagination.next_page,
        previous_page: pagination.previous_page,
      },
      cached_until: expiresAt ? expiresAt.toISOString() : null,
    };
  }

  /**
   * A fetch holds the lock for as long as it runs and records its outcome before releasing it:
   * "running" without the lock means its instance died mid-fetch. Unless the fetch ended between
   * our read of the status and our read of the lock: then the status has changed since, so it is
   * read again before the fetch is called dead.
   */
  private async confirmRunning(
    userid: number,
    task: CollectionTaskStatus | null,
  ): Promise<CollectionTaskStatus | null> {
    if (task?.state !== 'running' || (await this.coordination.lockHolder(userid)) === task.task_id)
      return task;
    const now = await this.coordination.getTask(userid);
    if (now?.task_id !== task.task_id || now.state !== 'running') return now;
    return {
      task_id: task.task_id,
      state: 'failed',
      error: 'The fetch stopped without finishing; ask again',
      error_code: 'interrupted',
    };
  }

  /**
   * The seed's `invalidateUserCollectionCache(userid)`: the stored collection and its fetch status
   * go, and a fetch running now does not store its result.
   */
  async forget(userid: number): Promise<void> {
    await this.store.invalidate(userid);
    await this.coordination.deleteTask(userid);
  }

  /** Shutdown: running fetches stop (their lock is released, their status says interrupted). */
  async onModuleDestroy(): Promise<void> {
    const fetches = [...this.running.values()];
    for (const fetch of fetches) fetch.abort.abort();
    await Promise.all(fetches.map((fetch) => fetch.done));
  }

  private start(userid: number, taskId: string, writeToken: number): void {
    const abort = new AbortController();
    const done = this.run(userid, taskId, writeToken, abort.signal).finally(() =>
      this.running.delete(taskId),
    );
    this.running.set(taskId, { abort, done });
  }

  /** Never rejects: every outcome ends in the task status. */
  private async run(userid: number, taskId: string, writeToken: number, signal: AbortSignal): Promise<void> {
    const renew = setInterval(() => {
      void this.coordination
        .extendLock(userid, taskId, LOCK_TTL_MS)
        .then((held) => {
          if (!held) this.logger.warn(`User collection ${userid}: fetch ${taskId} lost its lock`);
        })
        .catch(() => undefined);
    }, LOCK_RENEW_MS);
    renew.unref();
    let status: CollectionTaskStatus;
    try {
      const collection = await this.fetcher.fetch(userid, signal);
      const ttl = this.config.cacheTtlUserCollectionSeconds;
      if (!(await this.store.set(userid, collection, ttl, writeToken))) throw notStoredError();
      status = { task_id: taskId, state: 'done' };
      this.logger.log(`User collection ${userid}: stored ${collection.total_entries} entries`);
    } catch (error) {
      const failure = describeFailure(error, signal);
      status = { task_id: taskId, state: 'failed', error: failure.message, error_code: failure.code };
      const message = `User collection ${userid}: fetch ${taskId} failed: ${error instanceof Error ? error.message : String(error)}`;
      if (failure.code === 'internal_error') {
        this.logger.error(message, error instanceof Error ? error.stack : undefined);
      } else {
        this.logger.warn(message);
      }
    } finally {
      clearInterval(renew);
    }
    try {
      await this.coordination.setTask(userid, status, TASK_STATUS_TTL_SECONDS);
    } catch (error) {
      this.logger.warn(
        `User collection ${userid}: cannot record the fetch status: ${(error as Error).message}`,
      );
    }
    try {
      await this.coordination.releaseLock(userid, taskId);
    } catch {
      // It expires on its own within LOCK_TTL_MS.
    }
  }
}

function notStoredError(): CollectionFetchError {
  return new CollectionFetchError(
    'not_stored',
    'The collection was fetched but not stored: it was invalidated meanwhile or the cache is unavailable',
  );
}

function describeFailure(error: unknown, signal: AbortSignal): { code: FetchFailureCode; message: string } {
  if (signal.aborted) return { code: 'interrupted', message: 'The fetch was interrupted by a shutdown' };
  if (error instanceof CollectionFetchError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: 'The fetch failed unexpectedly' };
}

function toData(collection: UserCollection, entries: UserCollection['entries']): UserCollectionDataDto {
  return {
    success: collection.success ?? true,
    entries,
    total_entries: collection.entries.length,
    pages_scraped: collection.pages_scraped ?? 0,
    ...(collection.user ? { user: collection.user } : {}),
  };
}

function cachedAnswer(userid: number, collection: UserCollection): ScrapeCachedDto {
  return {
    status: 'cached',
    data: toData(collection, collection.entries),
    pagination: {
      total_count: collection.entries.length,
      note: `Use GET /api/user-collection/${userid}?page=1&page_size=20 for paginated results`,
    },
  };
}

function processingAnswer(userid: number, taskId: string): ScrapeProcessingDto {
  return {
    status: 'processing',
    task_id: taskId,
    message: `Scraping started. Check status in 60 seconds by calling GET /api/user-collection/${userid}`,
  };
}
