import type { Data, DataInput } from './data';
import { formatData } from './format-data';
import { toData } from './to-data';
import { tagOf } from './type-tag';

/**
 * Broker's text format (`to_string`), exactly: `nil`, `T`/`F`, decimal counts and
 * integers, reals as C `%f` (`1.500000`), strings raw (no quotes, no escapes), addresses,
 * `10.0.0.0/8`, `80/tcp`, `<ns>ns` for timestamps and timespans, enum names, vectors
 * `(1, 2)`, sets `{1, 2}`, tables `{a -> 1}`. Strings held as bytes that are not valid
 * UTF-8 print with U+FFFD in place of the bad bytes (a JS string cannot hold raw bytes).
 * @param value - a Broker value; natural JS input converts first
 * @returns the text
 * @throws BrokerError `type_clash` when the value is not a Broker value,
 *   `serialization_failed` when it is cyclic or nested deeper than 512 levels
 */
export function toString(value: DataInput): string {
  const tag = tagOf(value);
  return formatData(tag < 0 ? toData(value) : (value as Data));
}

