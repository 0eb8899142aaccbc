import { requireCount } from './require-count';

const INITIAL_SLOTS = 16;

/**
 * A FIFO queue of at most `capacity` items on a circular array. Storage starts small and
 * doubles up to `capacity`, so a large bound costs nothing until it is used.
 */
export class RingBuffer<T> {
  /** Largest number of items the buffer holds. */
  readonly capacity: number;
  /** Circular storage; grows up to `capacity` slots. Empty slots hold `undefined`. */
  private slots: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  /** Number of items held. */
  private size = 0;

  /**
   * @param capacity - the bound, an integer >= 1
   * @throws FlowError `invalid_argument` for a bad capacity
   */
  constructor(capacity: number) {
    this.capacity = requireCount('capacity', capacity, 1);
    this.slots = new Array<T | undefined>(Math.min(capacity, INITIAL_SLOTS));
  }

  /** Number of items held. */
  get length(): number {
    return this.size;
  }

  /** True when no further item fits. */
  get full(): boolean {
    return this.size === this.capacity;
  }

  /**
   * Appends an item.
   * @returns false (and stores nothing) when the buffer is full
   */
  push(item: T): boolean {
    if (this.size === this.slots.length) {
      if (this.size === this.capacity) return false;
      this.grow();
    }
    let i = this.head + this.size;
    if (i >= this.slots.length) i -= this.slots.length;
    this.slots[i] = item;
    this.size++;
    return true;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = this.head + 1 === this.slots.length ? 0 : this.head + 1;
    this.size--;
    return item;
  }

  /** Returns the oldest item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.slots[this.head];
  }

  /**
   * How many of the oldest items, at most `n` and at least one (when not empty), come to
   * at most `limit` by `sizeOf`.
   * @param n - the most items to count
   * @param sizeOf - an item's weight
   * @param limit - the most weight in all
   */
  countWithin(n: number, sizeOf: (item: T) => number, limit: number): number {
    const count = n < this.size ? n : this.size;
    const slots = this.slots;
    const len = slots.length;
    let h = this.head;
    let total = 0;
    for (let k = 0; k < count; k++) {
      total += sizeOf(slots[h] as T);
      if (total > limit) return k === 0 ? 1 : k;
      if (++h === len) h = 0;
    }
    return count;
  }

  /**
   * Removes up to `n` oldest items and returns them in order, as a new array.
   * @param n - the most items to take
   */
  take(n: number): T[] {
    const count = n < this.size ? n : this.size;
    const out = new Array<T>(count);
    const slots = this.slots;
    const len = slots.length;
    let h = this.head;
    for (let k = 0; k < count; k++) {
      out[k] = slots[h] as T;
      slots[h] = undefined;
      if (++h === len) h = 0;
    }
    this.head = this.size === count ? 0 : h;
    this.size -= count;
    return out;
  }

  /** Removes every item. @returns how many were removed */
  clear(): number {
    const n = this.size;
    this.slots = new Array<T | undefined>(Math.min(this.capacity, INITIAL_SLOTS));
    this.head = 0;
    this.size = 0;
    return n;
  }

  /** Iterates the items from oldest to newest without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    let h = this.head;
    for (let k = 0; k < this.size; k++) {
      yield this.slots[h] as T;
      if (++h === this.slots.length) h = 0;
    }
  }

  private grow(): void {
    const old = this.slots;
    const next = new Array<T | undefined>(Math.min(this.capacity, old.length * 2));
    for (let k = 0; k < this.size; k++) {
      let i = this.head + k;
      if (i >= old.length) i -= old.length;
      next[k] = old[i];
    }
    this.slots = next;
    this.head = 0;
  }
}
