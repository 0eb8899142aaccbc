import { convertNatural } from './containers';
import type { Data, DataInput } from './data';

/**
 * Converts natural JS input to exact Broker data: `undefined` → `null`, `Date` →
 * `Timestamp`, `Set` → `BrokerSet`, `Map` and plain objects →
 * `BrokerTable`, a `Uint8Array` → the string of those bytes (a JS string when they
 * are valid UTF-8, otherwise a copy of the bytes), arrays element by element. Exact data
 * comes back as is (an array only when none of its elements needed converting), after a
 * check that it is what it claims to be: whatever passes here can be encoded by every
 * codec of this package.
 * @param value - the input
 * @returns the Broker value
 * @throws BrokerError `invalid_data` for an integer outside int64, a string with lone
 *   surrogates, containers nested deeper than `MAX_NESTING_DEPTH` levels (cyclic
 *   values included) or an object that carries a Broker type without its fields (a forged
 *   `Object.create(Count.prototype)`); `type_clash` for values with no Broker type
 *   (functions, symbols, class instances, ...). Never a `RangeError` or `TypeError`.
 */
export function toData(value: DataInput): Data {
  return convertNatural(value);
}
