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
    const timer = new RealTimer(this.pending, callback, this.unref && options?.keepAlive !== true);
    timer.arm(Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0);
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

/** Node's longest timeout (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

class RealTimer implements Cancellable {
  handle: NodeJS.Timeout | undefined;
  /** What is left of a delay longer than Node's longest timeout, once this one fires. */
  private remaining = 0;
  constructor(
    private readonly owner: Set<RealTimer>,
    private readonly callback: () => void,
    private readonly unref: boolean,
  ) {}

  /** Waits `ms`, in pieces of at most {@link MAX_TIMEOUT_MS}. */
  arm(ms: number): void {
    const now = Math.min(ms, MAX_TIMEOUT_MS);
    this.remaining = ms - now;
    this.handle = setTimeout(this.fire, now);
    if (this.unref) this.handle.unref();
  }

  readonly fire = (): void => {
    if (this.remaining > 0) {
      this.arm(this.remaining);
      return;
    }
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
