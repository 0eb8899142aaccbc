/**
 * The time source of an actor system: injectable so that tests drive virtual time.
 */

/** A pending timer or scheduled message; cancelling twice is harmless. */
export interface Cancellable {
  /** Cancels it; does nothing once it fired or was cancelled. */
  cancel(): void;
}

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
   * @returns a handle to cancel it
   */
  setTimer(delayMs: number, callback: () => void): Cancellable;
  /** Cancels every pending timer (called by `ActorSystem.shutdown()`). */
  cancelAll(): void;
}
