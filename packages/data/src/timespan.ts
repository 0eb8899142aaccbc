import { BrokerError } from './broker-error';
import { checkInt64 } from './int64';
import { BROKER_TAG, markBrokerType, TAG_TIMESPAN } from './type-tag';

const unitNs: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  min: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** Broker's `timespan`: a signed duration in int64 nanoseconds. Immutable. */
export class Timespan {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** Nanoseconds, within int64. */
  readonly ns: bigint;

  /**
   * @param ns - nanoseconds
   * @throws BrokerError `invalid_data` outside int64
   */
  constructor(ns: bigint) {
    this.ns = checkInt64(ns, 'timespan');
  }

  /**
   * Makes a timespan from milliseconds, rounded to the nearest nanosecond.
   * @param ms - a finite number of milliseconds
   * @throws BrokerError `invalid_data` when not finite or out of range
   */
  static fromMilliseconds(ms: number): Timespan {
    if (!Number.isFinite(ms)) throw new BrokerError('invalid_data', `timespan needs a finite number of milliseconds, got ${ms}`);
    if (Number.isInteger(ms)) return new Timespan(BigInt(ms) * 1_000_000n);
    return new Timespan(BigInt(Math.round(ms * 1e6)));
  }

  /**
   * Parses `<number><unit>` with unit `ns`, `us`, `ms`, `s`, `min`, `h` or `d`, an
   * optional sign and an optional decimal fraction (`1.5s`); the result must be a whole
   * number of nanoseconds.
   * @param text - e.g. `1500000000ns`, `15ms`, `-1s`
   * @throws BrokerError `conversion_failed` when the text is not a timespan
   */
  static parse(text: string): Timespan {
    const m = typeof text === 'string' && text.length < 64 ? /^([+-]?)([0-9]+)(?:\.([0-9]+))?(ns|us|ms|s|min|h|d)$/.exec(text) : null;
    if (m === null) throw new BrokerError('conversion_failed', `invalid timespan: ${JSON.stringify(text)}`);
    const frac = m[3] ?? '';
    const scale = 10n ** BigInt(frac.length);
    const total = (BigInt(m[2]) * scale + BigInt(frac === '' ? '0' : frac)) * unitNs[m[4]];
    if (total % scale !== 0n) throw new BrokerError('conversion_failed', `timespan is not a whole number of nanoseconds: ${JSON.stringify(text)}`);
    const ns = m[1] === '-' ? -(total / scale) : total / scale;
    try {
      return new Timespan(ns);
    } catch {
      throw new BrokerError('conversion_failed', `timespan out of int64 range: ${JSON.stringify(text)}`);
    }
  }

  /** The duration in milliseconds (a number, may round). */
  toMilliseconds(): number {
    return Number(this.ns) / 1e6;
  }

  /**
   * Orders by duration.
   * @param other - the other timespan
   * @returns negative, zero or positive
   */
  compare(other: Timespan): number {
    return this.ns < other.ns ? -1 : this.ns > other.ns ? 1 : 0;
  }

  /**
   * Tells whether two timespans are equal.
   * @param other - the other timespan
   */
  equals(other: Timespan): boolean {
    return this.ns === other.ns;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: integer nanoseconds plus `ns`, e.g. `1500000000ns`. */
  toString(): string {
    return `${this.ns}ns`;
  }
}
markBrokerType(Timespan, TAG_TIMESPAN);

/**
 * Makes a Broker timespan.
 * @param value - nanoseconds (bigint), milliseconds (number), or text such as `15ms`
 * @returns the timespan
 * @throws BrokerError `invalid_data` or `conversion_failed` for bad input
 */
export function timespan(value: bigint | number | string | Timespan): Timespan {
  if (value instanceof Timespan) return value;
  if (typeof value === 'bigint') return new Timespan(value);
  if (typeof value === 'number') return Timespan.fromMilliseconds(value);
  if (typeof value === 'string') return Timespan.parse(value);
  throw new BrokerError('type_clash', `timespan expects a bigint, a number or text, got ${typeof value}`);
}
