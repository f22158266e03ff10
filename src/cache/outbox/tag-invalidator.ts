/**
 * What the invalidation subscriber and the outbox drainer need from the cache: delete every entry
 * under each tag. Bound to the cache's `CacheInvalidationService` (`useExisting`); the outbox does
 * not know how tags are stored.
 *
 * Must reject when the invalidation did not reach Redis, so the outbox row is kept and retried.
 * Must be idempotent: a row can be invalidated twice (after commit and by a drainer).
 */
export interface TagInvalidator {
  invalidateTags(tags: readonly string[]): Promise<void>;
}

export const TAG_INVALIDATOR = Symbol('TAG_INVALIDATOR');
