import { BrokerError } from './broker-error';
import { checkInt64 } from './int64';
import { BROKER_TAG, markBrokerType, TAG_TIMESTAMP } from './type-tag';

/** Broker's `timestamp`: int64 nanoseconds since the Unix epoch. Immutable. */
export class Timestamp {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** Nanoseconds since 1970-01-01T00:00:00Z, within int64. */
  readonly ns: bigint;

  /**
   * @param ns - nanoseconds since the epoch
   * @throws BrokerError `invalid_data` outside int64
   */
  constructor(ns: bigint) {
    this.ns = checkInt64(ns, 'timestamp');
  }

  /**
   * Makes a timestamp from a `Date` (millisecond precision).
   * @param date - a valid date
   * @throws BrokerError `invalid_data` for an invalid date
   */
  static fromDate(date: Date): Timestamp {
    const ms = date.getTime();
    if (!Number.isFinite(ms)) throw new BrokerError('invalid_data', 'timestamp from an invalid Date');
    return new Timestamp(BigInt(ms) * 1_000_000n);
  }

  /** The current time, from `Date.now()` (millisecond precision). */
  static now(): Timestamp {
    return new Timestamp(BigInt(Date.now()) * 1_000_000n);
  }

  /** The time as a `Date` (truncated to milliseconds). */
  toDate(): Date {
    let ms = this.ns / 1_000_000n;
    if (ms * 1_000_000n > this.ns) ms -= 1n;
    return new Date(Number(ms));
  }

  /**
   * Orders by time.
   * @param other - the other timestamp
   * @returns negative, zero or positive
   */
  compare(other: Timestamp): number {
    return this.ns < other.ns ? -1 : this.ns > other.ns ? 1 : 0;
  }

  /**
   * Tells whether two timestamps are equal.
   * @param other - the other timestamp
   */
  equals(other: Timestamp): boolean {
    return this.ns === other.ns;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: integer nanoseconds since the epoch plus `ns`. */
  toString(): string {
    return `${this.ns}ns`;
  }
}
markBrokerType(Timestamp, TAG_TIMESTAMP);

/**
 * Makes a Broker timestamp.
 * @param value - a `Date`, or nanoseconds since the epoch as a bigint
 * @returns the timestamp
 * @throws BrokerError `invalid_data` for an invalid date or out-of-range value
 */
export function timestamp(value: Date | bigint | Timestamp): Timestamp {
  if (value instanceof Timestamp) return value;
  if (value instanceof Date) return Timestamp.fromDate(value);
  if (typeof value === 'bigint') return new Timestamp(value);
  throw new BrokerError('type_clash', `timestamp expects a Date or a bigint, got ${typeof value}`);
}
