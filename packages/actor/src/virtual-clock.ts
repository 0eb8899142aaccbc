/**
 * A clock whose time only moves when told to: timer tests never sleep.
 */
import type { Cancellable, Clock } from './clock';

/**
 * Virtual time for tests (see XState's SimulatedClock). Timers fire in due order (ties in
 * creation order) when time is advanced. The timer list is bounded by what the test
 * creates.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  /** @param start - initial time in ms (default 0) */
  constructor(start = 0) {
    this.current = start;
  }

  /** Current virtual time in ms. */
  now(): number {
    return this.current;
  }

  /** Registers a timer due at `now() + delayMs`. */
  setTimer(delayMs: number, callback: () => void): Cancellable {
    const ms = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const timer = new VirtualTimer(this.current + ms, this.seq++, callback, this);
    // Insert keeping (due, seq) order; timer counts in tests are small.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].due > timer.due) i--;
    this.timers.splice(i, 0, timer);
    return timer;
  }

  /** Due time of the earliest pending timer, or undefined when none. */
  nextDue(): number | undefined {
    return this.timers.length > 0 ? this.timers[0].due : undefined;
  }

  /** Number of pending timers. */
  get pendingCount(): number {
    return this.timers.length;
  }

  /**
   * Fires the earliest timer if it is due at or before `limit`, moving time to its due
   * time. Lets a fixture run actors between timers.
   * @returns true when a timer fired
   */
  fireNext(limit: number): boolean {
    const t = this.timers[0];
    if (t === undefined || t.due > limit) return false;
    this.timers.shift();
    if (t.due > this.current) this.current = t.due;
    t.fired = true;
    t.callback();
    return true;
  }

  /**
   * Advances time by `ms`, firing every timer due on the way (including timers those
   * timers create), then sets time to exactly `now() + ms`.
   * @param ms - non-negative milliseconds
   * @throws RangeError for a negative or non-finite amount
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    const target = this.current + ms;
    while (this.fireNext(target));
    this.current = target;
  }

  /** Moves time forward to `target` without firing timers (fixture use). @internal */
  setTime(target: number): void {
    if (target > this.current) this.current = target;
  }

  /** Cancels every pending timer. */
  cancelAll(): void {
    for (const t of this.timers) t.fired = true;
    this.timers = [];
  }

  /** @internal */
  remove(timer: VirtualTimer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }
}

class VirtualTimer implements Cancellable {
  fired = false;
  constructor(
    readonly due: number,
    readonly seq: number,
    readonly callback: () => void,
    private readonly clock: VirtualClock,
  ) {}
  cancel(): void {
    if (this.fired) return;
    this.fired = true;
    this.clock.remove(this);
  }
}
