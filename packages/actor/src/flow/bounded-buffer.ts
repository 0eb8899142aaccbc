import { toOverflowPolicy, type OverflowPolicy } from './overflow-policy';
import { RingBuffer } from './ring-buffer';

/**
 * What {@link BoundedBuffer.push} did with an item.
 *
 * - `accepted`: stored.
 * - `droppedOldest`: stored, after evicting the oldest item (`dropOldest` policy).
 * - `droppedNewest`: discarded, the buffer is unchanged (`dropNewest` policy).
 * - `full`: refused and not counted; the caller still owns the item (`block` policy).
 * - `overflow`: discarded; the buffer overflowed under `disconnect` and the stream must be cut.
 */
export type PushOutcome = 'accepted' | 'droppedOldest' | 'droppedNewest' | 'full' | 'overflow';

/**
 * A FIFO buffer with a hard bound and an overflow policy, plus counters.
 *
 * The counters satisfy `pushed === delivered + dropped + buffered` at all times: every
 * item handed to {@link push} (except those refused with `full`, which the caller keeps)
 * is either still buffered, was taken out, or was dropped.
 */
export class BoundedBuffer<T> {
  /** What happens when an item arrives and the buffer is full. */
  readonly policy: OverflowPolicy;
  /** Items offered and not refused with `full`. */
  pushed = 0;
  /** Items taken out with {@link take} or {@link shift}. */
  delivered = 0;
  /** Items lost: evicted, discarded on arrival, or {@link discard}ed. */
  dropped = 0;
  /** True once an item overflowed under the `disconnect` policy. */
  overflowed = false;
  /** The items, oldest first. */
  private readonly ring: RingBuffer<T>;

  /**
   * @param capacity - the bound, an integer >= 1
   * @param policy - the overflow policy (default `block`)
   * @throws FlowError `invalid_argument` for a bad capacity or policy
   */
  constructor(capacity: number, policy: OverflowPolicy = 'block') {
    this.policy = toOverflowPolicy(policy);
    this.ring = new RingBuffer<T>(capacity);
  }

  /** The bound. */
  get capacity(): number {
    return this.ring.capacity;
  }

  /** Items held now. */
  get buffered(): number {
    return this.ring.length;
  }

  /** Items that fit before the policy applies. */
  get freeCapacity(): number {
    return this.ring.capacity - this.ring.length;
  }

  /**
   * Offers an item, applying the overflow policy when full.
   * @returns what happened to the item
   */
  push(item: T): PushOutcome {
    if (this.ring.push(item)) {
      this.pushed++;
      return 'accepted';
    }
    switch (this.policy) {
      case 'block':
        return 'full';
      case 'dropOldest':
        this.ring.shift();
        this.ring.push(item);
        this.pushed++;
        this.dropped++;
        return 'droppedOldest';
      case 'dropNewest':
        this.pushed++;
        this.dropped++;
        return 'droppedNewest';
      case 'disconnect':
        this.pushed++;
        this.dropped++;
        this.overflowed = true;
        return 'overflow';
    }
  }

  /**
   * Takes up to `n` oldest items out, in order.
   * @param n - the most items to take
   */
  take(n: number): T[] {
    const items = this.ring.take(n);
    this.delivered += items.length;
    return items;
  }

  /**
   * How many of the oldest items, at most `n` and at least one (when not empty), weigh at
   * most `limit` by `sizeOf`: the size of a batch that stays within a byte budget.
   */
  countWithin(n: number, sizeOf: (item: T) => number, limit: number): number {
    return this.ring.countWithin(n, sizeOf, limit);
  }

  /** Takes the oldest item out, or returns `undefined` when empty. */
  shift(): T | undefined {
    if (this.ring.length === 0) return undefined;
    this.delivered++;
    return this.ring.shift();
  }

  /** Iterates the buffered items from oldest to newest without taking them. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.ring[Symbol.iterator]();
  }

  /** Drops every buffered item (counted in {@link dropped}). @returns how many */
  discard(): number {
    const n = this.ring.clear();
    this.dropped += n;
    return n;
  }
}
