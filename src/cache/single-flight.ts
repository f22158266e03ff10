/**
 * Runs one computation per key at a time in this process: callers asking for a key whose
 * computation is under way share its promise (and its error) instead of starting another.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  /** The computation under way for `key`, if any. */
  current(key: string): Promise<T> | undefined {
    return this.flights.get(key);
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running;
    const flight = (async () => {
      try {
        return await work();
      } finally {
        this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}
