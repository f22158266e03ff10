import { DomainError } from '../common/errors/domain-errors';
import { CollectionTaskStatus, FetchFailureCode } from './user-collection.types';

/**
 * No collection is stored for the user (never fetched, expired, forgotten, or the fetch is still
 * running or failed). The body keeps the reference's `status` and `message` beside `detail`, and
 * tells where the latest fetch stands when one is known.
 */
export class UserCollectionNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'user_collection_not_found';
  override readonly extraBody: Readonly<Record<string, unknown>>;

  constructor(userid: number, task: CollectionTaskStatus | null) {
    super(
      `Collection not found for userid ${userid}. Call POST /api/user-collection/${userid}/scrape first to start scraping.`,
    );
    this.extraBody = { status: 'not_found', message: this.message, ...(task ? { task } : {}) };
  }
}

/** Redis, which holds the collections, cannot be reached. */
export class UserCollectionStoreUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'cache_unavailable';
  constructor(cause: unknown) {
    super('The user collection store is unavailable; try again shortly', { cause });
  }
}

/**
 * A background fetch failed. Never answered over HTTP: its code and message are recorded in the
 * task status, so the message must not carry internals (no stack, no SQL).
 */
export class CollectionFetchError extends Error {
  constructor(
    readonly code: FetchFailureCode,
    message: string,
  ) {
    super(message);
  }
}

export const rateLimitedError = (): CollectionFetchError =>
  new CollectionFetchError('rate_limited', 'Rate limit exceeded while scraping user collection');
