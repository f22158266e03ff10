/**
 * Runs one computation per key at a time in this process: callers asking for a key whose
 * computation is under way share its promise (and its error) instead of starting another —
 * but only callers that can tell nothing was invalidated since that computation began.
 *
 * Each computation carries the invalidation sequence read before it started (`CacheService`).
 * A caller that read the same sequence joins it; a caller that read a newer one (a write was
 * invalidated in between, so the computation may have read the database before that write)
 * starts its own, which later callers then join. A caller that could not read the sequence
 * (Redis unavailable: a write made through another instance cannot be seen) never joins.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, { sequence: number | null; promise: Promise<T> }>();

  run(key: string, sequence: number | null, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running !== undefined && sequence !== null && running.sequence === sequence) return running.promise;
    const flight = { sequence, promise: undefined as unknown as Promise<T> };
    flight.promise = (async () => {
      try {
        return await work();
      } finally {
        // A newer computation of the key may have taken the place of this one.
        if (this.flights.get(key) === flight) this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight.promise;
  }

  get size(): number {
    return this.flights.size;
  }
}
