/**
 * Duplicate suppression for messages that may arrive over several paths in a cyclic
 * topology. Every message carries its origin endpoint and a per-origin sequence number
 * that grows by one per message; this remembers, per origin, the highest number seen and
 * which of the `window` numbers below it were seen.
 *
 * Bounded: `window` bits per origin and at most `maxOrigins` origins (least recently seen
 * evicted). A message older than the window counts as a duplicate: with FIFO links, a copy
 * that arrives that late behind its siblings has already been delivered by a faster path.
 */
export class DuplicateFilter {
  /** Origin → sliding window. */
  private readonly origins = new Map<string, SeqWindow>();
  /** Counts accepts; each window remembers the count of its last use, for eviction. */
  private clock = 0;

  /**
   * @param window - sequence numbers remembered per origin (a multiple of 32)
   * @param maxOrigins - origins remembered at most
   */
  constructor(private readonly window = 1 << 16, private readonly maxOrigins = 4096) {
    if (window % 32 !== 0 || window <= 0) throw new RangeError('window must be a positive multiple of 32');
  }

  /**
   * Records a message and tells whether it is new.
   * @param origin - id of the endpoint that published the message
   * @param seq - its sequence number at that endpoint (a non-negative safe integer)
   * @returns true the first time a (origin, seq) pair is seen, false for a duplicate
   */
  accept(origin: string, seq: number): boolean {
    let w = this.origins.get(origin);
    if (w === undefined) {
      if (this.origins.size >= this.maxOrigins) this.evictLeastRecent();
      w = new SeqWindow(this.window);
      this.origins.set(origin, w);
    }
    w.lastUse = ++this.clock;
    return w.accept(seq);
  }

  /** Drops the origin seen least recently; a scan, but only when a new origin arrives at the bound. */
  private evictLeastRecent(): void {
    let oldest: string | undefined;
    let oldestUse = Number.POSITIVE_INFINITY;
    for (const [origin, w] of this.origins) {
      if (w.lastUse < oldestUse) {
        oldestUse = w.lastUse;
        oldest = origin;
      }
    }
    if (oldest !== undefined) this.origins.delete(oldest);
  }

  /** Forgets an origin (for example when it restarts with a new id). */
  forget(origin: string): void {
    this.origins.delete(origin);
  }

  /** Number of origins remembered. */
  get size(): number {
    return this.origins.size;
  }
}

/** A ring of bits for the sequence numbers (highest - window, highest]. */
class SeqWindow {
  private readonly bits: Uint32Array;
  private highest = -1;
  /** When the filter last used this window (its accept counter). */
  lastUse = 0;

  constructor(private readonly size: number) {
    this.bits = new Uint32Array(size / 32);
  }

  accept(seq: number): boolean {
    if (seq > this.highest) {
      // Clear the slots of the numbers that the window slides past.
      const advance = seq - this.highest;
      if (advance >= this.size) this.bits.fill(0);
      else for (let s = this.highest + 1; s <= seq; s++) this.clear(s);
      this.highest = seq;
      this.set(seq);
      return true;
    }
    if (seq <= this.highest - this.size) return false;
    if (this.isSet(seq)) return false;
    this.set(seq);
    return true;
  }

  private set(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  private clear(seq: number): void {
    const i = seq % this.size;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
  }

  private isSet(seq: number): boolean {
    const i = seq % this.size;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }
}
