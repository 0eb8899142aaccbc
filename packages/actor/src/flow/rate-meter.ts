import { requireCount } from './require-count';

/**
 * Items per second over a sliding window, in O(1) memory: the current window's count
 * plus the previous window's count weighted by how much of it still overlaps the window
 * ending now. Time comes from the caller, so a virtual clock works.
 */
export class RateMeter {
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** Start of the current window, ms. */
  private start: number;
  /** Items recorded in the current window. */
  private current = 0;
  /** Items recorded in the previous window. */
  private previous = 0;

  /**
   * @param now - the current time in ms
   * @param windowMs - window length in ms (default 1000)
   */
  constructor(now: number, windowMs = 1000) {
    this.windowMs = requireCount('windowMs', windowMs, 1);
    this.start = now;
  }

  /**
   * Records `n` items at time `now`.
   * @param n - how many items
   * @param now - the current time in ms (never earlier than a previous call)
   */
  record(n: number, now: number): void {
    this.roll(now);
    this.current += n;
  }

  /**
   * Returns items per second over the window ending at `now`.
   * @param now - the current time in ms
   */
  rate(now: number): number {
    this.roll(now);
    const elapsed = now - this.start;
    const weight = 1 - elapsed / this.windowMs;
    return ((this.previous * weight + this.current) * 1000) / this.windowMs;
  }

  private roll(now: number): void {
    const elapsed = now - this.start;
    if (elapsed < this.windowMs) return;
    if (elapsed < 2 * this.windowMs) {
      this.previous = this.current;
      this.start += this.windowMs;
    } else {
      this.previous = 0;
      this.start = now - ((now - this.start) % this.windowMs);
    }
    this.current = 0;
  }
}
