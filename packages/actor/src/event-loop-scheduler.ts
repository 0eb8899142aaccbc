/**
 * The production scheduler: actor turns batched on the Node event loop.
 */
import { performance } from 'node:perf_hooks';
import { FifoQueue } from './fifo-queue';
import type { Schedulable, Scheduler } from './scheduler';

/** Options for {@link EventLoopScheduler}. */
export interface EventLoopSchedulerOptions {
  /** Messages an actor may process per turn before others get theirs (default 64). */
  throughput?: number;
  /** Actor turns per event-loop tick before yielding to I/O (default 1024). */
  turnsPerTick?: number;
  /**
   * Milliseconds of actor work per event-loop tick before yielding to I/O and timers
   * (default 10), whatever the count of turns: slow handlers cannot starve sockets,
   * heartbeats and timeouts for longer than one slice plus one turn.
   */
  timeSlice?: number;
  /** Time source in milliseconds (default `performance.now`); tests inject their own. */
  now?: () => number;
}

/**
 * Runs ready actors round-robin, each for at most `throughput` messages per turn. A
 * drain is kicked with `queueMicrotask` (low latency) but every 16th consecutive kick,
 * and every drain that used up its turn budget or its time slice, goes through
 * `setImmediate` so that I/O and timers are never starved. No timer is created per
 * message.
 *
 * The ready queue holds each actor at most once, so it is bounded by the number of
 * actors.
 */
export class EventLoopScheduler implements Scheduler {
  /** Messages per actor turn. */
  readonly throughput: number;
  private readonly turnsPerTick: number;
  private readonly timeSlice: number;
  private readonly now: () => number;
  /** End of the current drain's time slice. */
  private deadline = 0;
  private readonly timeUp = (): boolean => this.now() >= this.deadline;
  private readonly ready = new FifoQueue<Schedulable>(64);
  private armed = false;
  private microKicks = 0;
  private immediate: NodeJS.Immediate | undefined;
  /** Tasks for the next pass, oldest first; bounded by their callers (one per actor that waits). */
  private deferred: Array<() => void> = [];
  private deferredImmediate: NodeJS.Immediate | undefined;
  private closed = false;

  /** @param options - see {@link EventLoopSchedulerOptions} */
  constructor(options: EventLoopSchedulerOptions = {}) {
    this.throughput = positiveInt(options.throughput, 64, 'throughput');
    this.turnsPerTick = positiveInt(options.turnsPerTick, 1024, 'turnsPerTick');
    const slice = options.timeSlice ?? 10;
    if (!(typeof slice === 'number' && slice > 0)) throw new RangeError(`timeSlice must be a positive number of ms, got ${slice}`);
    this.timeSlice = slice;
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues an actor and makes sure a drain is pending. */
  schedule(actor: Schedulable): void {
    if (this.closed) return;
    this.ready.push(actor);
    if (!this.armed) this.arm(false);
  }

  /**
   * Runs `task` in the event loop's next check phase (`setImmediate`): after every
   * microtask of the current burst (the actor turns this scheduler kicks with
   * `queueMicrotask` among them) and after pending I/O callbacks.
   */
  defer(task: () => void): void {
    if (this.closed) return;
    this.deferred.push(task);
    if (this.deferredImmediate === undefined) this.deferredImmediate = setImmediate(this.runDeferred);
  }

  /**
   * Starts a new count of consecutive microtask kicks. The count guards against a chain
   * of microtasks (actors woken by promises that actors resolved) that would never let
   * the event loop reach its I/O; separate I/O callbacks are not such a chain. Without
   * this, a flood of batches on a MessagePort (which Node delivers up to a thousand in
   * one callback, each followed by its microtasks) sent every 16th drain to
   * `setImmediate`, and the rest of the flood was decoded into mailboxes while the
   * actors waited: enough live messages to be promoted by the garbage collector.
   */
  ioCallback(): void {
    this.microKicks = 0;
  }

  /** Drops the pending drain; queued actors are not run any more. */
  close(): void {
    this.closed = true;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.deferredImmediate !== undefined) clearImmediate(this.deferredImmediate);
    this.deferredImmediate = undefined;
    this.deferred = [];
    this.ready.drain();
  }

  private readonly runDeferred = (): void => {
    this.deferredImmediate = undefined;
    const tasks = this.deferred;
    this.deferred = [];
    for (const task of tasks) {
      try {
        task();
      } catch (e) {
        // A task must not throw (the runtime's only queue a message). One that does
        // surfaces as an uncaught exception, as from any callback of the event loop,
        // but not before the other tasks of the pass ran.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };

  private arm(yieldToIo: boolean): void {
    this.armed = true;
    if (yieldToIo || ++this.microKicks >= 16) {
      this.microKicks = 0;
      this.immediate = setImmediate(this.drainFromImmediate);
    } else {
      queueMicrotask(this.drain);
    }
  }

  private readonly drainFromImmediate = (): void => {
    this.immediate = undefined;
    this.drain();
  };

  private readonly drain = (): void => {
    if (this.closed) return;
    const ready = this.ready;
    const budget = this.throughput;
    let turns = this.turnsPerTick;
    this.deadline = this.now() + this.timeSlice;
    for (let actor = ready.shift(); actor !== undefined; actor = ready.shift()) {
      if (actor.resume(budget, this.timeUp)) ready.push(actor);
      if (--turns === 0 || this.timeUp()) break;
    }
    this.armed = false;
    if (ready.size > 0 && !this.closed) this.arm(true);
  };
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
