import { FlowError } from './flow-error';

/**
 * The producer's side of credit: how many items the consumer has allowed and not yet
 * received. The producer sends only within it, so it can never send more than granted.
 */
export class ProducerDemand {
  /** Items the consumer granted in total. */
  granted = 0;
  /** Items sent in total (always `<= granted`). */
  sent = 0;

  /** Items that may be sent now. */
  get demand(): number {
    return this.granted - this.sent;
  }

  /**
   * Adds credit granted by the consumer.
   * @param n - the grant, a positive safe integer
   * @throws FlowError `protocol` for a grant that is not a positive safe integer, or that
   *   would push the outstanding demand past `Number.MAX_SAFE_INTEGER`
   */
  grant(n: number): void {
    if (!Number.isSafeInteger(n) || n <= 0 || !Number.isSafeInteger(this.granted + n)) {
      throw new FlowError('protocol', `invalid credit grant ${String(n)}`);
    }
    this.granted += n;
  }

  /**
   * Reserves up to `wanted` items of demand for sending.
   * @param wanted - how many items the producer has ready
   * @returns how many it may send now (`min(wanted, demand)`), already counted as sent
   */
  reserve(wanted: number): number {
    const d = this.granted - this.sent;
    const n = wanted < d ? wanted : d;
    this.sent += n;
    return n;
  }
}
