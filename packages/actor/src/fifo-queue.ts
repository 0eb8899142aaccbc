/**
 * A growable ring buffer: O(1) push and shift without the O(n) `Array#shift`.
 * @internal
 */
export class FifoQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  /** @param initialCapacity - rounded up to a power of two */
  constructor(initialCapacity = 16) {
    let cap = 4;
    while (cap < initialCapacity) cap <<= 1;
    this.items = new Array<T | undefined>(cap);
  }

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /**
   * Appends an item. The queue itself is unbounded: its owners (mailbox, scheduler)
   * bound it or say why they need not.
   */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
