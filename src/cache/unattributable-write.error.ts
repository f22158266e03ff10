/**
 * A write the subscriber cannot attribute to a row (a query-builder `update()`/`delete()` gives
 * neither the row's id nor its previous values). Refused, so that it rolls back instead of
 * leaving stale entries: write through `manager.save()` / `manager.remove()`.
 */
export class UnattributableWriteError extends Error {
  constructor(entity: string, operation: string) {
    super(
      `cannot tell which ${entity} row a query-builder ${operation} changed, so its cache entries ` +
        `cannot be invalidated: write it with manager.save() / manager.remove()`,
    );
    this.name = 'UnattributableWriteError';
  }
}
