/**
 * Runs one computation per key at a time in this process: callers asking for a key whose
 * computation is under way share a computation (and its error) instead of each starting one —
 * but never one that may have read the database before a write they must see.
 *
 * Each computation carries the invalidation sequence read before it started (`CacheService`).
 * A caller that read the same sequence joins it; a caller that read a newer one (a write was
 * invalidated in between, so the computation may have read the database before that write)
 * starts its own, which later callers then join.
 *
 * A caller that could not read the sequence (Redis unavailable: a write made through another
 * instance cannot be seen) cannot tell, so it does not join the running computation: it shares
 * the next one, which starts when the running one ends and so after every caller it serves
 * asked. During a Redis outage a burst of N concurrent misses of one key costs two queries in
 * this process, not N.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  run(key: string, sequence: number | null, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running === undefined) return this.start(key, sequence, work);
    if (sequence !== null)
      return running.sequence === sequence ? running.promise : this.start(key, sequence, work);
    running.next ??= running.promise.then(ignore, ignore).then(() => this.start(key, null, work));
    return running.next;
  }

  get size(): number {
    return this.flights.size;
  }

  private start(key: string, sequence: number | null, work: () => Promise<T>): Promise<T> {
    const flight: Flight<T> = { sequence, promise: undefined as unknown as Promise<T> };
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
}

interface Flight<T> {
  sequence: number | null;
  promise: Promise<T>;
  /** The computation callers without a sequence share, started when this one ends. */
  next?: Promise<T>;
}

const ignore = (): void => undefined;
