/**
 * An application-level send window: a sender may have at most `size` messages sent and
 * not yet acknowledged. Receivers acknowledge cumulative counts. This is what a
 * transport without backpressure end to end (Broker 1.4's `endpoint::publish`, NATS core)
 * needs to measure its sustained rate without unbounded buffering.
 */
export class AckWindow {
  /** Messages sent so far. */
  sent = 0;
  /** Highest cumulative count acknowledged so far. */
  acked = 0;
  /** At most one sender waits for room at a time (one waiter, not a queue). */
  private waiter: (() => void) | undefined;

  /**
   * @param size - most messages in flight
   * @throws RangeError unless size is a positive integer
   */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`window size must be a positive integer, got ${size}`);
  }

  /** Messages that may be sent now without exceeding the window. */
  get room(): number {
    return Math.max(0, this.size - (this.sent - this.acked));
  }

  /** Records a cumulative acknowledgement; stale (smaller) counts are ignored. */
  ack(count: number): void {
    if (count > this.acked) this.acked = count;
    if (this.waiter !== undefined && this.room > 0) {
      const wake = this.waiter;
      this.waiter = undefined;
      wake();
    }
  }

  /**
   * Resolves once {@link room} is positive.
   * @throws Error if another caller is already waiting
   */
  waitForRoom(): Promise<void> {
    if (this.room > 0) return Promise.resolve();
    if (this.waiter !== undefined) return Promise.reject(new Error('AckWindow supports one waiting sender'));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
