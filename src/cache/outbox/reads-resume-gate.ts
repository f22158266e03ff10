/**
 * What the drainer needs from the cache store (docs/DESIGN.md §3): while Redis was unreachable,
 * committed writes could not invalidate and their tags wait in the outbox, so entries they name
 * may be stale. Each time the store becomes reachable it runs every recovery task, and serves no
 * read from Redis until all have resolved; a task that rejects is retried. The drainer registers
 * "invalidate every pending outbox row" here.
 *
 * Structurally the store's `addRecoveryTask` (`CacheStore` in cache-store.ts), so the store can be
 * bound to this token with `useExisting`. While the tasks run, the store must let invalidations
 * reach Redis even though it does not serve reads from it yet.
 */
export interface ReadsResumeGate {
  addRecoveryTask(task: () => Promise<void>): void;
}

export const READS_RESUME_GATE = Symbol('READS_RESUME_GATE');
