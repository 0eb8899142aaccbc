import { BrokerError } from './broker-error';
import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import type { Data, DataInput } from './data';
import { INT64_MAX, INT64_MIN } from './int64';
import { Timestamp } from './timestamp';
import { describe } from './type-of';
import { isPlainObject, tagOf, TAG_STRING, TAG_VECTOR } from './type-tag';
import { copyBytes, decodeUtf8, isWellFormedString } from './utf8';

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
  const tag = tagOf(value);
  if (tag === TAG_VECTOR) return vectorToData(value as DataInput[]);
  if (tag === TAG_STRING) {
    if (typeof value === 'string') return checkString(value);
    const bytes = value as Uint8Array;
    return decodeUtf8(bytes, 0, bytes.length) ?? copyBytes(bytes);
  }
  if (tag >= 0) {
    if (typeof value === 'bigint' && (value < INT64_MIN || value > INT64_MAX)) {
      throw new BrokerError('invalid_data', `integer out of int64 range: ${value}`);
    }
    return value as Data;
  }
  if (value === undefined) return null;
  if (value instanceof Date) return Timestamp.fromDate(value);
  if (value instanceof Set) return new BrokerSet(value);
  if (value instanceof Map) return new BrokerTable(value);
  if (typeof value === 'object' && value !== null && isPlainObject(value)) return new BrokerTable(Object.entries(value));
  throw new BrokerError('type_clash', `no Broker type for ${describe(value)}`);
}

function checkString(s: string): string {
  // Only strings with code units above 0x7f can hold lone surrogates.
  if (!isWellFormedString(s)) throw new BrokerError('invalid_data', 'string contains a lone UTF-16 surrogate and has no UTF-8 form');
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
