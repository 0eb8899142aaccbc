/**
 * A scheduler that runs nothing on its own: tests step it message by message.
 */
import { FifoQueue } from './fifo-queue';
import type { Schedulable, Scheduler } from './scheduler';

/**
 * Deterministic scheduling for tests: ready actors wait until the test calls
 * {@link DeterministicScheduler.runOne} or {@link DeterministicScheduler.runUntilIdle};
 * each step processes exactly one message of the longest-waiting ready actor.
 * The ready queue holds each actor at most once (bounded by the number of actors).
 */
export class DeterministicScheduler implements Scheduler {
  private readonly ready = new FifoQueue<Schedulable>(16);
  /** Deferred tasks, oldest first: run once no actor is ready. */
  private deferred: Array<() => void> = [];
  private closed = false;

  /** Queues an actor. */
  schedule(actor: Schedulable): void {
    if (!this.closed) this.ready.push(actor);
  }

  /**
   * Holds `task` until no actor is ready: the event loop's next pass, in a test's terms.
   */
  defer(task: () => void): void {
    if (!this.closed) this.deferred.push(task);
  }

  /** Actors waiting to run. */
  get readyCount(): number {
    return this.ready.size;
  }

  /** Deferred tasks waiting for the ready actors to run out. */
  get deferredCount(): number {
    return this.deferred.length;
  }

  /**
   * Processes one message of the next ready actor, or, when none is ready, runs the
   * deferred tasks (which may make actors ready).
   * @returns false when nothing was ready or deferred
   */
  runOne(): boolean {
    const actor = this.ready.shift();
    if (actor === undefined) {
      if (this.deferred.length === 0) return false;
      const tasks = this.deferred;
      this.deferred = [];
      for (const task of tasks) task();
      return true;
    }
    if (actor.resume(1)) this.ready.push(actor);
    return true;
  }

  /**
   * Runs until no actor has mail.
   * @param maxSteps - guard against actors that message each other forever (default 1e6)
   * @returns the number of messages processed
   * @throws Error when `maxSteps` is exceeded
   */
  runUntilIdle(maxSteps = 1_000_000): number {
    let steps = 0;
    while (this.runOne()) {
      if (++steps >= maxSteps) throw new Error(`runUntilIdle: still busy after ${maxSteps} messages (livelock?)`);
    }
    return steps;
  }

  /** Stops accepting actors and forgets the queued ones. */
  close(): void {
    this.closed = true;
    this.deferred = [];
    this.ready.drain();
  }
}
