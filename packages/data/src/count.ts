import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_COUNT } from './type-tag';

/** The largest Broker count, 2^64 - 1. */
export const COUNT_MAX = 0xffff_ffff_ffff_ffffn;

/** The largest count held as a number (2^53 - 1, `Number.MAX_SAFE_INTEGER`). */
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
const SAFE_MAX_BIG = BigInt(SAFE_MAX);

/**
 * Broker's `count`, an unsigned 64-bit integer. A class of its own so that a count and
 * an integer (`bigint`) of the same value stay different Broker values.
 *
 * Its {@link Count.value} is a `bigint`. A count up to 2^53 - 1 (nearly every count a
 * Zeek event carries: byte and packet counters, sequence numbers) is held as a number
 * and its `bigint` made when read, so that building, encoding, decoding and comparing
 * such counts allocates no `bigint`.
 */
export class Count {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /**
   * @internal The value: a number when it is at most 2^53 - 1, a bigint above. Never both
   * forms for one value, so that equal counts hold equal fields.
   */
  readonly n: number | bigint;

  /**
   * @param value - the value, a bigint (or a number that is a safe non-negative integer)
   * @throws BrokerError `invalid_data` when the value is negative, above 2^64 - 1 or a
   *   number that is not a safe integer, `type_clash` when it is neither a bigint nor a number
   */
  constructor(value: bigint | number) {
    if (typeof value === 'number') {
      if (!(value >= 0 && value <= SAFE_MAX && Number.isInteger(value))) {
        // The hint only where it applies: a whole number too large to be exact as a number.
        const hint = Number.isInteger(value) && value > SAFE_MAX ? ' (a number above 2^53 - 1 as a bigint)' : '';
        throw new BrokerError('invalid_data', `count must be an integer in [0, 2^64 - 1], got ${value}${hint}`);
      }
      // `+ 0` makes -0 the count 0, so that equal counts hold equal fields.
      this.n = value + 0;
      return;
    }
    if (typeof value !== 'bigint') throw new BrokerError('type_clash', `Count holds a bigint or a number, got ${typeof value}`);
    if (value < 0n || value > COUNT_MAX) {
      throw new BrokerError('invalid_data', `count out of range [0, 2^64-1]: ${value}`);
    }
    this.n = value <= SAFE_MAX_BIG ? Number(value) : value;
  }

  /** The value, 0 ≤ value ≤ 2^64 - 1. */
  get value(): bigint {
    const n = this.n;
    return typeof n === 'bigint' ? n : BigInt(n);
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
    const n = this.n;
    if (typeof n === 'bigint') throw new BrokerError('invalid_data', `count ${n} does not fit a number exactly`);
    return n;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: the decimal value. */
  toString(): string {
    return String(this.n);
  }

  /**
   * Tells whether another count has the same value.
   * @param other - the other count
   */
  equals(other: Count): boolean {
    return this.n === other.n;
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
  // An integral number beyond 2^53 - 1 is exact as a double, so as a bigint; the
  // constructor checks everything else once.
  if (typeof n === 'number') return new Count(n > SAFE_MAX && Number.isInteger(n) ? BigInt(n) : n);
  if (n instanceof Count) return n;
  if (typeof n === 'bigint') return new Count(n);
  throw new BrokerError('type_clash', `count expects a number or a bigint, got ${typeof n}`);
}
