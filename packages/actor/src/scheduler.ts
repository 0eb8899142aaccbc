/**
 * The scheduler interface: decides when actors with pending mail run.
 */

/** Something the scheduler can run: an actor with mail (implemented by the runtime). */
export interface Schedulable {
  /**
   * Processes at most `budget` envelopes, and stops early once `timeUp` (checked every
   * few envelopes) says the scheduler's time slice is used up.
   * @returns true when work remains; the scheduler must then call `resume` again later
   */
  resume(budget: number, timeUp?: () => boolean): boolean;
}

/**
 * Runs actors. The runtime calls {@link Scheduler.schedule} once when an actor goes from
 * idle to having mail, and not again until its `resume` returned false.
 */
export interface Scheduler {
  /** Queues an actor to run. */
  schedule(actor: Schedulable): void;
  /** Stops scheduling and releases any pending tick (called by shutdown). */
  close(): void;
  /**
   * Runs `task` later: once the actors ready now have had their turns and the event loop
   * has had its pass at I/O and timers. What an actor defers this way gathers everything
   * the rest of the burst brings (a stream's batch). `task` must not throw. Optional:
   * without it, the runtime runs deferred work at once.
   */
  defer?(task: () => void): void;
  /**
   * Tells the scheduler that a transport's I/O callback begins (a batch arrived). Actors
   * scheduled from here on are kicked as new work, not as one more link of a chain of
   * microtasks that could keep the event loop from its I/O. Optional.
   */
  ioCallback?(): void;
}
