import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_COUNT } from './type-tag';

/** The largest Broker count, 2^64 - 1. */
export const COUNT_MAX = 0xffff_ffff_ffff_ffffn;

/**
 * Broker's `count`, an unsigned 64-bit integer. A class of its own so that a count and
 * an integer (`bigint`) of the same value stay different Broker values.
 */
export class Count {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** The value, 0 ≤ value ≤ 2^64 - 1. */
  readonly value: bigint;

  /**
   * @param value - the value
   * @throws BrokerError `invalid_data` when the value is negative or above 2^64 - 1,
   *   `type_clash` when it is not a bigint
   */
  constructor(value: bigint) {
    if (typeof value !== 'bigint') throw new BrokerError('type_clash', `Count holds a bigint, got ${typeof value} (use count() for numbers)`);
    if (value < 0n || value > COUNT_MAX) {
      throw new BrokerError('invalid_data', `count out of range [0, 2^64-1]: ${value}`);
    }
    this.value = value;
  }

  /** The value as a bigint, so that counts compare with `<` and `>`. */
  valueOf(): bigint {
    return this.value;
  }

  /**
   * The value as a number.
   * @throws BrokerError `invalid_data` when it is above 2^53 - 1 and would lose precision
   */
  toNumber(): number {
    if (this.value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new BrokerError('invalid_data', `count ${this.value} does not fit a number exactly`);
    }
    return Number(this.value);
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: the decimal value. */
  toString(): string {
    return this.value.toString();
  }

  /**
   * Tells whether another count has the same value.
   * @param other - the other count
   */
  equals(other: Count): boolean {
    return this.value === other.value;
  }
}
markBrokerType(Count, TAG_COUNT);

/**
 * Makes a Broker count.
 * @param n - a non-negative integer (number or bigint), or a count
 * @returns the count
 * @throws BrokerError `invalid_data` when `n` is not an integer in [0, 2^64 - 1]
 */
export function count(n: number | bigint | Count): Count {
  if (n instanceof Count) return n;
  if (typeof n === 'number') {
    if (!Number.isInteger(n)) throw new BrokerError('invalid_data', `count must be an integer: ${n}`);
    return new Count(BigInt(n));
  }
  if (typeof n === 'bigint') return new Count(n);
  throw new BrokerError('type_clash', `count expects a number or a bigint, got ${typeof n}`);
}
