/**
 * The time source of an actor system: injectable so that tests drive virtual time.
 */

/** A pending timer or scheduled message; cancelling twice is harmless. */
export interface Cancellable {
  /** Cancels it; does nothing once it fired or was cancelled. */
  cancel(): void;
}

/** Options of {@link Clock.setTimer}. */
export interface TimerOptions {
  /**
   * Keep the process alive while the timer is pending, as a plain `setTimeout` does
   * (default false: a system's timers are background work that alone does not hold the
   * process). For work the application waits on: a call's timeout, a retry.
   */
  keepAlive?: boolean;
}

/** Timer options that keep the process alive (see {@link TimerOptions.keepAlive}). */
export const KEEP_ALIVE: TimerOptions = Object.freeze({ keepAlive: true });

/**
 * A clock: current time in milliseconds and one-shot timers. Every timer of a system goes
 * through its clock, so that `shutdown()` can cancel them all and tests never sleep.
 */
export interface Clock {
  /** Current time in milliseconds (monotonic for the real clock). */
  now(): number;
  /**
   * Runs `callback` once after `delayMs` milliseconds.
   * @param delayMs - delay; negative or NaN counts as 0
   * @param callback - runs outside any actor turn
   * @param options - see {@link TimerOptions} (a virtual clock ignores them)
   * @returns a handle to cancel it
   */
  setTimer(delayMs: number, callback: () => void, options?: TimerOptions): Cancellable;
  /** Cancels every pending timer (called by `ActorSystem.shutdown()`). */
  cancelAll(): void;
}
