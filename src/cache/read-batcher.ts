/**
 * Coalesces the reads asked in one turn of the event loop into as few multi-key commands as
 * possible, without making any of them wait for a later turn.
 *
 * Under load, the requests of one turn arrive together: the poll phase hands over every socket
 * that has data, and each request asks for its key. The first key of a turn is fetched at once;
 * the keys asked after it in the same turn are fetched together at the end of the turn
 * (`setImmediate`, which runs after the poll phase). A key asked again in the same turn waits
 * for the fetch already under way. So N cached hits of one turn cost two commands and two
 * replies instead of N.
 *
 * Why the first key goes alone: node-redis writes the commands it was given on its own
 * `setImmediate`. Scheduling the end-of-turn fetch before the first command makes both run in
 * this turn's check phase, the batch first, so everything is written in one socket write in the
 * turn the requests arrived in; a batch sent only from the check phase would reach the socket a
 * turn later (measured: about a quarter fewer cached hits per second). Were node-redis to write
 * at another moment, only that timing would change, not what a read answers.
 */
export class ReadBatcher<V> {
  /** Keys of this turn waiting for the end-of-turn fetch, with their waiters. */
  private keys: string[] = [];
  private groups: Array<Array<Waiter<V>>> = [];
  /** Every key of this turn (the one fetched at once too): its waiters. */
  private waiting = new Map<string, Array<Waiter<V>>>();
  private scheduled = false;
  private readonly flush = (): void => this.endTurn();

  /**
   * @param fetch reads the keys in one command: the values in the same order, null for a
   * missing key. A rejection fails every read waiting for it with the same error.
   * @param failed told how many reads a failed fetch failed (a key asked twice counts twice).
   */
  constructor(
    private readonly fetch: (keys: string[]) => Promise<Array<V | null>>,
    private readonly failed: (reads: number) => void = () => undefined,
  ) {}

  get(key: string): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const waiting = this.waiting.get(key);
      if (waiting !== undefined) {
        waiting.push(waiter);
        return;
      }
      const group = [waiter];
      this.waiting.set(key, group);
      if (this.scheduled) {
        this.keys.push(key);
        this.groups.push(group);
        return;
      }
      this.scheduled = true;
      setImmediate(this.flush); // before the fetch below: see the class comment
      this.send([key], [group]);
    });
  }

  private endTurn(): void {
    const keys = this.keys;
    const groups = this.groups;
    this.keys = [];
    this.groups = [];
    this.waiting = new Map();
    this.scheduled = false;
    if (keys.length > 0) this.send(keys, groups);
  }

  private send(keys: string[], groups: Array<Array<Waiter<V>>>): void {
    let fetched: Promise<Array<V | null>>;
    try {
      fetched = this.fetch(keys);
    } catch (error) {
      fetched = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    fetched.then(
      (values) => {
        for (let i = 0; i < groups.length; i++) {
          const value = values[i] ?? null;
          for (const waiter of groups[i]) waiter.resolve(value);
        }
      },
      (error: unknown) => {
        let reads = 0;
        for (const group of groups) {
          reads += group.length;
          for (const waiter of group) waiter.reject(error);
        }
        this.failed(reads);
      },
    );
  }
}

interface Waiter<V> {
  resolve(value: V | null): void;
  reject(error: unknown): void;
}
