/**
 * The production clock: `performance.now()` and Node timers.
 */
import { performance } from 'node:perf_hooks';
import type { Cancellable, Clock, TimerOptions } from './clock';

/** Options for {@link RealTimeClock}. */
export interface RealTimeClockOptions {
  /**
   * Unref timers so that a pending timer alone does not keep the process alive
   * (default true: actor timers are background work; sockets and workers keep it alive).
   * A timer started with `keepAlive` is never unref'd.
   */
  unref?: boolean;
}

/**
 * Real time. Keeps the set of pending timers (bounded by the timers the application
 * creates; each leaves the set when it fires or is cancelled) so that
 * {@link RealTimeClock.cancelAll} leaves nothing behind.
 */
export class RealTimeClock implements Clock {
  private readonly pending = new Set<RealTimer>();
  private readonly unref: boolean;

  /** @param options - see {@link RealTimeClockOptions} */
  constructor(options: RealTimeClockOptions = {}) {
    this.unref = options.unref ?? true;
  }

  /** Milliseconds since process start, monotonic. */
  now(): number {
    return performance.now();
  }

  /** Starts a Node timer; see {@link Clock.setTimer}. */
  setTimer(delayMs: number, callback: () => void, options?: TimerOptions): Cancellable {
    const timer = new RealTimer(this.pending, callback);
    const ms = Number.isFinite(delayMs) && delayMs > 0 ? Math.min(delayMs, 2 ** 31 - 1) : 0;
    timer.handle = setTimeout(timer.fire, ms);
    if (this.unref && options?.keepAlive !== true) timer.handle.unref();
    this.pending.add(timer);
    return timer;
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Cancels every pending timer. */
  cancelAll(): void {
    for (const t of [...this.pending]) t.cancel();
  }
}

class RealTimer implements Cancellable {
  handle: NodeJS.Timeout | undefined;
  constructor(
    private readonly owner: Set<RealTimer>,
    private readonly callback: () => void,
  ) {}
  readonly fire = (): void => {
    this.owner.delete(this);
    this.handle = undefined;
    this.callback();
  };
  cancel(): void {
    if (this.handle === undefined) return;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.owner.delete(this);
  }
}
