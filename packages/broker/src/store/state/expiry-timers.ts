import { encodeBinary, type Data } from '@broker-ts/data';

interface Timer {
  at: bigint;
  id: string;
  key: Data;
}

/**
 * The master's expiry timers: at most one per key (the latest write decides), due when
 * their time is reached. A binary heap with lazy deletion; stale heap entries are
 * compacted away once they outnumber the live ones, so memory stays proportional to the
 * number of keys with an expiry.
 */
export class ExpiryTimers {
  /** The live timer per key (by the key's binary encoding). */
  private readonly live = new Map<string, Timer>();
  /** A min-heap of timers by time; may hold replaced ones. */
  private heap: Timer[] = [];

  /** How many keys have a timer. */
  get size(): number {
    return this.live.size;
  }

  /**
   * Arms (or re-arms) the timer of a key.
   * @param key - the key
   * @param at - when it is due (ns since the epoch)
   */
  set(key: Data, at: bigint): void {
    const id = idOf(key);
    const t: Timer = { at, id, key };
    this.live.set(id, t);
    this.push(t);
    if (this.heap.length > 2 * this.live.size + 64) this.compact();
  }

  /**
   * Disarms the timer of a key.
   * @param key - the key
   */
  delete(key: Data): void {
    // Every write without an expiry disarms its key: most stores have no timer at all,
    // and then there is no key to encode.
    if (this.live.size > 0) this.live.delete(idOf(key));
  }

  /** Disarms every timer. */
  clear(): void {
    this.live.clear();
    this.heap = [];
  }

  /**
   * Removes and returns the keys whose timers are due, earliest first.
   * @param now - the current time (ns since the epoch)
   */
  due(now: bigint): Data[] {
    const out: Data[] = [];
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const t = this.pop();
      if (this.live.get(t.id) === t) {
        this.live.delete(t.id);
        out.push(t.key);
      }
    }
    return out;
  }

  private compact(): void {
    this.heap = [];
    for (const t of this.live.values()) this.push(t);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Timer;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

function idOf(key: Data): string {
  return Buffer.from(encodeBinary(key)).toString('latin1');
}
