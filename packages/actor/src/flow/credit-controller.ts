import { FlowError } from './flow-error';
import { requireCount } from './require-count';

/** Options for {@link CreditController}. */
export interface CreditControllerOptions {
  /**
   * Most items granted-but-unreceived plus received-but-unconsumed at any time: the
   * consumer's memory bound for this stream. Default 1024.
   */
  highWatermark?: number;
  /**
   * Grant again only once granted-but-unreceived plus unconsumed falls to this level or
   * below; the grant then tops up to `highWatermark`. Every grant is therefore at least
   * `highWatermark - lowWatermark` items, which keeps credit messages rare.
   * Default `floor(highWatermark / 2)`.
   */
  lowWatermark?: number;
}

/**
 * The consumer's side of credit: grants demand as its buffer drains, in batch-sized
 * grants between a low and a high watermark. Protocol logic only, no I/O: the caller
 * sends the grants this returns.
 */
export class CreditController {
  /** Upper bound on `outstanding + buffered`. */
  readonly highWatermark: number;
  /** Level at or below which a new grant is issued. */
  readonly lowWatermark: number;
  /** Items granted and not yet received. */
  outstanding = 0;
  /** Items received and not yet consumed. */
  buffered = 0;
  /** Items received in total. */
  received = 0;

  /**
   * @throws FlowError `invalid_argument` unless `1 <= highWatermark` and
   *   `0 <= lowWatermark < highWatermark`
   */
  constructor(options: CreditControllerOptions = {}) {
    this.highWatermark = requireCount('highWatermark', options.highWatermark ?? 1024, 1);
    this.lowWatermark = requireCount('lowWatermark', options.lowWatermark ?? Math.floor(this.highWatermark / 2), 0);
    if (this.lowWatermark >= this.highWatermark) {
      throw new FlowError('invalid_argument', `lowWatermark (${this.lowWatermark}) must be below highWatermark (${this.highWatermark})`);
    }
  }

  /**
   * Returns the credit to grant now: a top-up to the high watermark if the level is at or
   * below the low watermark, else 0. The grant is counted as outstanding.
   */
  grant(): number {
    const level = this.outstanding + this.buffered;
    if (level > this.lowWatermark) return 0;
    const n = this.highWatermark - level;
    this.outstanding += n;
    return n;
  }

  /**
   * Records items that arrived.
   * @param n - how many arrived
   * @throws FlowError `protocol` if more arrived than were granted
   */
  onReceived(n: number): void {
    if (n > this.outstanding) {
      throw new FlowError('protocol', `received ${n} items with only ${this.outstanding} credit outstanding`);
    }
    this.outstanding -= n;
    this.buffered += n;
    this.received += n;
  }

  /**
   * Records items the consumer finished with, and returns the credit to grant now.
   * @param n - how many were consumed
   * @throws FlowError `invalid_argument` if more were consumed than buffered
   */
  onConsumed(n: number): number {
    if (!(n >= 0 && n <= this.buffered)) {
      throw new FlowError('invalid_argument', `consumed ${n} items with only ${this.buffered} buffered`);
    }
    this.buffered -= n;
    return this.grant();
  }
}
