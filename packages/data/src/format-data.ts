import type { Address } from './address';
import type { BrokerSet, BrokerTable } from './containers';
import { BrokerError } from './broker-error';
import type { Data } from './data';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import { formatReal } from './format-real';
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
 * Broker's text format (`to_string`) of exact Broker data: the work of `toString` once
 * natural JS input has been converted. The containers print themselves through it.
 * @param value - exact Broker data
 * @returns the text
 * @throws BrokerError `serialization_failed` when the value is cyclic or nested deeper
 *   than 512 levels
 * @internal
 */
export function formatData(value: Data): string {
  return format(value, 0);
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
