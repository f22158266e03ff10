/** A call waiting for its answer: `expire` runs if it is still pending at `at`. */
interface Pending {
  at: number;
  settled: boolean;
  expire: () => void;
}

/**
 * Time limits for many short calls that share one timeout, without a timer per call: calls are
 * queued in the order they start (so in the order they expire), and one timer, running only
 * while calls are pending, expires those past their time. A cached hit thus pays an array push
 * instead of `setTimeout` + `clearTimeout` + `Promise.race` (measured: a few percent of a hit).
 * A call expires between `timeoutMs` and `timeoutMs * 1.25` after it started.
 */
export class Deadlines {
  private queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /**
   * Resolves or rejects like `work`, or rejects with `onTimeout()` once the time is up (`work`'s
   * late answer is then ignored).
   */
  run<T>(work: Promise<T>, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        at: Date.now() + this.timeoutMs,
        settled: false,
        expire: () => reject(onTimeout()),
      };
      this.queue.push(pending);
      this.arm();
      work.then(
        (value) => {
          if (pending.settled) return;
          pending.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          if (pending.settled) return;
          pending.settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Stops the timer (pending calls then only end with their work). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.sweep(), Math.max(1, Math.ceil(this.timeoutMs / 4)));
    this.timer.unref();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.queue.length) {
      const pending = this.queue[this.head];
      if (!pending.settled && pending.at > now) break;
      this.head++;
      if (!pending.settled) {
        pending.settled = true;
        pending.expire();
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length) this.arm();
    else {
      this.queue = [];
      this.head = 0;
    }
  }
}
