import type { DataInput } from './data';
import { formatData } from './format-data';
import { toData } from './to-data';

/**
 * Broker's text format (`to_string`), exactly: `nil`, `T`/`F`, decimal counts and
 * integers, reals as C `%f` (`1.500000`), strings raw (no quotes, no escapes), addresses,
 * `10.0.0.0/8`, `80/tcp`, `<ns>ns` for timestamps and timespans, enum names, vectors
 * `(1, 2)`, sets `{1, 2}`, tables `{a -> 1}`. Strings held as bytes that are not valid
 * UTF-8 print with U+FFFD in place of the bad bytes (a JS string cannot hold raw bytes).
 * @param value - a Broker value; natural JS input converts first
 * @returns the text
 * @throws BrokerError as {@link toData}: `type_clash` when the value is not a Broker
 *   value, `invalid_data` when it is cyclic, nested deeper than 512 levels, an integer
 *   outside int64, a string with a lone surrogate or a forged Broker object
 */
export function toString(value: DataInput): string {
  // Always through toData: an array is a vector whose elements may still be natural
  // input (a Set, a Date, undefined), and exact data is checked (forged objects refused).
  return formatData(toData(value));
}

