export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  cooldownMs: number;
  now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Stops calling Redis after `failureThreshold` consecutive failures, for `cooldownMs`; then one
 * call goes through as a probe (half-open) and its outcome closes or re-opens the circuit. While
 * open, callers skip Redis at once instead of each waiting for a timeout.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.failures < this.options.failureThreshold) return 'closed';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go to Redis now; in half-open state only one call at a time does. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** True when this success closed a circuit that was open. */
  recordSuccess(): boolean {
    const wasOpen = this.failures >= this.options.failureThreshold;
    this.failures = 0;
    this.probing = false;
    return wasOpen;
  }

  /** True when this failure opened (or re-opened) the circuit. */
  recordFailure(): boolean {
    this.failures += 1;
    this.probing = false;
    if (this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      return true;
    }
    return false;
  }
}
