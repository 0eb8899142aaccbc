import { BrokerError } from './broker-error';
import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import type { Data, DataInput } from './data';
import { INT64_MAX, INT64_MIN } from './int64';
import { Timestamp } from './timestamp';
import { describe } from './type-of';
import { BROKER_TAG, isPlainObject } from './type-tag';
import { copyBytes, decodeUtf8, isWellFormedString } from './utf8';

// Local bindings of the hot path's imports: CommonJS transpilers (tsx, swc) turn each use
// of an imported name into a getter call, which cost more than the conversion itself of
// a value that already is Broker data. These modules are outside the package's import
// cycles (fully loaded before this one).
const TAG_KEY = BROKER_TAG;
const MIN = INT64_MIN;
const MAX = INT64_MAX;
const isWellFormed = isWellFormedString;
const isPlain = isPlainObject;

/**
 * Converts natural JS input to exact Broker data: `undefined` → `null`, `Date` →
 * {@link Timestamp}, `Set` → {@link BrokerSet}, `Map` and plain objects →
 * {@link BrokerTable}, a `Uint8Array` → the string of those bytes (a JS string when they
 * are valid UTF-8, otherwise a copy of the bytes), arrays element by element. Exact data
 * comes back as is (an array only when none of its elements needed converting).
 * @param value - the input
 * @returns the Broker value
 * @throws BrokerError `invalid_data` for an integer outside int64 or a string with lone
 *   surrogates, `type_clash` for values with no Broker type (functions, symbols, class
 *   instances, ...)
 */
export function toData(value: DataInput): Data {
  switch (typeof value) {
    case 'string':
      return checkString(value);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      if (value < MIN || value > MAX) throw new BrokerError('invalid_data', `integer out of int64 range: ${value}`);
      return value;
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return vectorToData(value as DataInput[]);
      // Exact Broker data (every class of this package carries its type tag): as is.
      if ((value as { [TAG_KEY]?: number })[TAG_KEY] !== undefined) return value as Data;
      if (value instanceof Uint8Array) return decodeUtf8(value, 0, value.length) ?? copyBytes(value);
      if (value instanceof Date) return Timestamp.fromDate(value);
      if (value instanceof Set) return new BrokerSet(value);
      if (value instanceof Map) return new BrokerTable(value);
      if (isPlain(value)) return new BrokerTable(Object.entries(value));
    }
  }
  throw new BrokerError('type_clash', `no Broker type for ${describe(value)}`);
}

function checkString(s: string): string {
  // Only strings with code units above 0x7f can hold lone surrogates.
  if (!isWellFormed(s)) throw new BrokerError('invalid_data', 'string contains a lone UTF-16 surrogate and has no UTF-8 form');
  return s;
}

function vectorToData(arr: readonly DataInput[]): Data[] {
  let out: Data[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const d = toData(v);
    if (out === undefined && d !== v) out = arr.slice(0, i) as Data[];
    if (out !== undefined) out.push(d);
  }
  return out ?? (arr as Data[]);
}
