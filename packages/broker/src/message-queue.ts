/**
 * The consumer end of a subscription: a bounded FIFO that the endpoint core fills and the
 * application drains with `get`, `getMany`, `poll` or async iteration. Lives in the same
 * thread as the core; the core never pushes more than {@link MessageQueue.freeCapacity}
 * (that is the credit it grants upstream), and hears about consumption through `onDrain`.
 */
import { BrokerError } from '@broker-ts/data';
import { describeArg, optionsObject } from './argument-checks';
import { type Duration, toMilliseconds } from './duration';

/**
 * The options of a waiter's timer: it keeps the process alive, as the actor runtime's
 * `KEEP_ALIVE` does. Written out here because this module is part of the browser client,
 * which must not import the runtime.
 */
const WAITER_TIMER = Object.freeze({ keepAlive: true });

/** A one-shot timer source; an actor system's `Clock` fits. */
export interface TimerSource {
  setTimer(delayMs: number, callback: () => void, options?: { keepAlive?: boolean }): { cancel(): void };
}

/**
 * A `get` timeout is work the application waits on: it keeps the process alive, as the
 * actor runtime's `KEEP_ALIVE` timers do. Spelled out here rather than imported, because
 * this file is on the browser client's path, which must not reach the actor runtime.
 */
const KEEP_ALIVE = Object.freeze({ keepAlive: true });

/** Options of {@link MessageQueue.get} and {@link MessageQueue.getMany}. */
export interface GetOptions {
  /** Milliseconds (or a Timespan) to wait at most; without it, wait until an item arrives. */
  timeout?: Duration;
}

interface Waiter<T> {
  /** Items wanted (1 for `get`). */
  want: number;
  /** Items collected so far, for `getMany`. */
  got: T[];
  resolve(items: T[] | null): void;
  reject(err: Error): void;
  timer?: { cancel(): void };
}

/** A bounded queue with promise-based reads. */
export class MessageQueue<T> {
  /** Buffered items; `head` is the index of the oldest. Bounded by `capacity`. */
  private items: T[] = [];
  private head = 0;
  /** Readers waiting for items, oldest first; at most one per pending read call. */
  private readonly waiters: Waiter<T>[] = [];
  private closedWith: BrokerError | undefined;

  /**
   * @param capacity - most items buffered at once (the subscriber's queue size)
   * @param timers - source of timeouts for `get({ timeout })`
   * @param onDrain - called with the number of items the application took, after it took them
   */
  constructor(
    readonly capacity: number,
    private readonly timers: TimerSource,
    private readonly onDrain: (n: number) => void = () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new BrokerError('invalid_data', `queue size must be a positive integer, got ${capacity}`);
  }

  /** Number of items buffered and not yet taken. */
  available(): number {
    return this.items.length - this.head;
  }

  /** Room left: how many items the producer may still push. */
  get freeCapacity(): number {
    return this.closedWith !== undefined ? 0 : this.capacity - this.available();
  }

  /** Tells whether the queue was closed. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /**
   * Adds an item (producer side). Items go straight to a waiting reader when there is one.
   * @returns false when the queue is closed or full (the item was not taken)
   */
  push(item: T): boolean {
    if (this.closedWith !== undefined) return false;
    const w = this.waiters[0];
    if (w !== undefined) {
      w.got.push(item);
      if (w.got.length >= w.want) this.finish(this.waiters.shift()!, w.got);
      this.onDrain(1);
      return true;
    }
    if (this.available() >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /**
   * Waits for the next item.
   * @returns the item; with `timeout`, null when none arrived in time
   * @throws BrokerError `end_of_file` when the queue is closed (also for a pending call)
   */
  get(): Promise<T>;
  get(options: GetOptions): Promise<T | null>;
  async get(options: GetOptions = {}): Promise<T | null> {
    const items = await this.take(1, timeoutOf(options));
    if (items === null || items.length === 0) return null;
    return items[0];
  }

  /**
   * Waits for `n` items.
   * @returns exactly `n` items, or fewer (even none) when `timeout` passes first
   * @throws BrokerError `end_of_file` when the queue is closed before anything was taken
   */
  async getMany(n: number, options: GetOptions = {}): Promise<T[]> {
    if (!Number.isInteger(n) || n < 0) throw new BrokerError('invalid_data', `getMany needs a non-negative integer count, got ${describeArg(n)}`);
    const timeout = timeoutOf(options);
    if (n === 0) return [];
    return (await this.take(n, timeout)) ?? [];
  }

  /** Takes every buffered item without waiting. */
  poll(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    if (out.length > 0) this.onDrain(out.length);
    return out;
  }

  /**
   * Closes the queue: pending and future reads fail with `end_of_file` once the buffered
   * items are taken; async iteration ends.
   * @param reason - why, in the error message
   */
  close(reason = 'subscriber closed'): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = new BrokerError('end_of_file', reason);
    for (const w of this.waiters.splice(0)) {
      w.timer?.cancel();
      if (w.got.length > 0) w.resolve(w.got);
      else w.reject(this.closedWith);
    }
  }

  /** Iterates items until the queue is closed. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof BrokerError && err.code === 'end_of_file') return;
        throw err;
      }
      yield item;
    }
  }

  private take(n: number, timeout: number | undefined): Promise<T[] | null> {
    const ready = Math.min(n, this.available());
    const got = this.shift(ready);
    if (got.length === n) return Promise.resolve(got);
    if (this.closedWith !== undefined) return got.length > 0 ? Promise.resolve(got) : Promise.reject(this.closedWith);
    if (timeout !== undefined && timeout <= 0) return Promise.resolve(n === 1 ? null : got);
    return new Promise<T[] | null>((resolve, reject) => {
      const waiter: Waiter<T> = { want: n, got, resolve, reject };
      if (timeout !== undefined) {
        // A caller waiting with a timeout keeps the process alive, as a setTimeout would.
        waiter.timer = this.timers.setTimer(timeout, () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(n === 1 && waiter.got.length === 0 ? null : waiter.got);
        }, WAITER_TIMER);
      }
      this.waiters.push(waiter);
    });
  }

  private shift(n: number): T[] {
    if (n === 0) return [];
    const out = this.items.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.onDrain(n);
    return out;
  }

  private finish(w: Waiter<T>, items: T[]): void {
    w.timer?.cancel();
    w.resolve(items);
  }
}

/**
 * The timeout of a read's options, in milliseconds.
 * @throws BrokerError `invalid_data` for options that are not an object or a bad timeout
 */
function timeoutOf(options: unknown): number | undefined {
  const { timeout } = optionsObject<GetOptions>(options, 'read options');
  return timeout === undefined ? undefined : toMilliseconds(timeout, 'timeout');
}
