/**
 * Coalesces the reads asked in one turn of the event loop into one multi-key command.
 *
 * Under load, the requests of one turn arrive together: the poll phase hands over every socket
 * that has data, and each request asks for its key. `get` only queues the key; at the end of
 * the turn (`setImmediate`, which runs after the poll phase) one `fetch` of all the distinct
 * keys is sent, so N cached hits cost one command, one reply and one timer instead of N. Each
 * read still takes one round trip, and a quiet server (one request per turn) sends the same
 * single-key command as before.
 */
export class ReadBatcher<V> {
  private keys: string[] = [];
  /** The waiters of each queued key, by its position in `keys`. */
  private waiters: Array<Array<Waiter<V>>> = [];
  private positions = new Map<string, number>();
  private scheduled = false;
  private readonly flush = (): void => this.send();

  /**
   * @param fetch reads the keys in one command: the values in the same order, null for a
   * missing key. A rejection fails every read of the batch with the same error.
   */
  constructor(private readonly fetch: (keys: string[]) => Promise<Array<V | null>>) {}

  get(key: string): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const position = this.positions.get(key);
      if (position !== undefined) {
        this.waiters[position].push(waiter);
        return;
      }
      this.positions.set(key, this.keys.length);
      this.keys.push(key);
      this.waiters.push([waiter]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private send(): void {
    const keys = this.keys;
    const waiters = this.waiters;
    this.keys = [];
    this.waiters = [];
    this.positions = new Map();
    this.scheduled = false;
    let fetched: Promise<Array<V | null>>;
    try {
      fetched = this.fetch(keys);
    } catch (error) {
      fetched = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    fetched.then(
      (values) => {
        for (let i = 0; i < waiters.length; i++) {
          const value = values[i] ?? null;
          for (const waiter of waiters[i]) waiter.resolve(value);
        }
      },
      (error: unknown) => {
        for (const group of waiters) for (const waiter of group) waiter.reject(error);
      },
    );
  }
}

interface Waiter<V> {
  resolve(value: V | null): void;
  reject(error: unknown): void;
}
