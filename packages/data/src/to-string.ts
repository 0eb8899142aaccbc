import type { Address } from './address';
import type { BrokerSet } from './broker-set';
import type { BrokerTable } from './broker-table';
import { BrokerError } from './broker-error';
import type { Data, DataInput } from './data';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import { formatReal } from './format-real';
import { toData } from './to-data';
import {
  TAG_BOOLEAN,
  TAG_NONE,
  TAG_REAL,
  TAG_SET,
  TAG_STRING,
  TAG_TABLE,
  TAG_VECTOR,
  tagOf,
} from './type-tag';

const lossyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

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
  if (tag < 0) return format(toData(value), 0);
  return format(value as Data, 0);
}

function format(v: Data, depth: number): string {
  if (depth > MAX_NESTING_DEPTH) throw new BrokerError('serialization_failed', `value nested deeper than ${MAX_NESTING_DEPTH} levels (or cyclic)`);
  const inner = (x: Data): string => format(x, depth + 1);
  switch (tagOf(v)) {
    case TAG_NONE:
      return 'nil';
    case TAG_BOOLEAN:
      return v ? 'T' : 'F';
    case TAG_REAL:
      return formatReal(v as number);
    case TAG_STRING:
      return typeof v === 'string' ? v : lossyDecoder.decode(v as Uint8Array);
    case TAG_VECTOR:
      return `(${(v as Data[]).map(inner).join(', ')})`;
    case TAG_SET:
      return `{${(v as BrokerSet).items.map(inner).join(', ')}}`;
    case TAG_TABLE: {
      const t = v as BrokerTable;
      const parts: string[] = [];
      for (let i = 0; i < t.keyItems.length; i++) parts.push(`${inner(t.keyItems[i])} -> ${inner(t.valueItems[i])}`);
      return `{${parts.join(', ')}}`;
    }
    default:
      // count, integer, address, subnet, port, timestamp, timespan, enum_value print
      // themselves through their own toString.
      return (v as Address).toString();
  }
}
