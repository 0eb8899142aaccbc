import { BrokerError } from './broker-error';
import type { BrokerSet, BrokerTable } from './containers';
import type { Data, DataInput } from './data';
import type { Address } from './address';
import type { Count } from './count';
import type { EnumValue } from './enum-value';
import { INT64_MAX, INT64_MIN } from './int64';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import type { Port } from './port';
import type { Subnet } from './subnet';
import { Timestamp } from './timestamp';
import { DATA_TYPE_NAMES, describe } from './type-of';
import * as typeTag from './type-tag';
import { copyBytes, decodeUtf8, isWellFormedString } from './utf8';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const TAG_KEY = typeTag.BROKER_TAG;
const { TAG_ADDRESS, TAG_COUNT, TAG_ENUM_VALUE, TAG_PORT, TAG_SET, TAG_SUBNET, TAG_TABLE, TAG_TIMESPAN, TAG_TIMESTAMP } = typeTag;
const MIN = INT64_MIN;
const MAX = INT64_MAX;
const isWellFormed = isWellFormedString;
const isPlain = typeTag.isPlainObject;
const MAX_DEPTH = MAX_NESTING_DEPTH;

/**
 * How the natural conversion builds Broker's two associative containers from elements it
 * has already converted. A parameter rather than an import: the containers convert their
 * own natural input with this conversion.
 * @internal
 */
export interface ContainerFactory {
  /**
   * Builds a set that takes ownership of exact Broker data in any order, duplicates
   * included (the first of equal elements stays, as in a JS `Set`).
   */
  makeSet(items: Data[]): BrokerSet;
  /**
   * Builds a table that takes ownership of parallel arrays of exact Broker data in any
   * order (on equal keys the first key and the last value stay, as in a JS `Map`).
   */
  makeTable(keys: Data[], values: Data[]): BrokerTable;
}

/**
 * Makes the conversion of natural JS input to exact Broker data that `toData` documents,
 * building sets and tables with `factory`.
 * @param factory - builds the containers
 * @returns the conversion
 * @internal
 */
export function naturalConversion(factory: ContainerFactory): (value: DataInput) => Data {
  const makeSet = factory.makeSet;
  const makeTable = factory.makeTable;

  function toData(value: DataInput): Data {
    // Scalars first, without the try block: their conversion throws only BrokerErrors.
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint') return convert(value, 0);
    try {
      return convert(value, 0);
    } catch (e) {
      if (e instanceof BrokerError) throw e;
      // A getter or proxy of the caller's that threw, or a stack overflow on the way down.
      throw new BrokerError('invalid_data', `not a Broker value: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
    }
  }

  function convert(value: unknown, depth: number): Data {
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
        // Exact Broker data (every class of this package carries its type tag): as is, once
        // its fields proved it genuine.
        const tag = (value as { [TAG_KEY]?: number })[TAG_KEY];
        if (tag !== undefined) {
          if (tag === TAG_COUNT ? !isCountField(value as Count) : !isExact(value, tag, depth)) throw forged(tag);
          return value as Data;
        }
        if (depth >= MAX_DEPTH) throw tooDeep();
        if (Array.isArray(value)) return vectorToData(value as unknown[], depth + 1);
        if (value instanceof Uint8Array) return decodeUtf8(value, 0, value.length) ?? copyBytes(value);
        if (value instanceof Date) return Timestamp.fromDate(value);
        if (value instanceof Set) {
          const items: Data[] = [];
          for (const v of value) items.push(convert(v, depth + 1));
          return makeSet(items);
        }
        if (value instanceof Map) {
          const keys: Data[] = [];
          const values: Data[] = [];
          for (const [k, v] of value) {
            keys.push(convert(k, depth + 1));
            values.push(convert(v, depth + 1));
          }
          return makeTable(keys, values);
        }
        if (isPlain(value)) {
          const keys: Data[] = [];
          const values: Data[] = [];
          for (const [k, v] of Object.entries(value)) {
            keys.push(checkString(k));
            values.push(convert(v, depth + 1));
          }
          return makeTable(keys, values);
        }
      }
    }
    throw new BrokerError('type_clash', `no Broker type for ${describe(value)}`);
  }

  function vectorToData(arr: readonly unknown[], depth: number): Data[] {
    let out: Data[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      const d = convert(v, depth);
      if (out === undefined && d !== v) out = arr.slice(0, i) as Data[];
      if (out !== undefined) out.push(d);
    }
    return out ?? (arr as Data[]);
  }

  /**
   * Tells whether an object carrying Broker type `tag` has the fields the codecs read
   * (their types only: the encoder writes whatever number or bigint it finds, so a forged
   * out-of-range field wraps, but a missing one would make it throw). Checks the elements
   * of sets and tables, which nest one level below `depth`.
   */
  function isExact(v: object, tag: number, depth: number): boolean {
    switch (tag) {
      case TAG_ADDRESS:
        return isAddress(v);
      case TAG_SUBNET:
        return isAddress((v as Subnet).network) && typeof (v as Subnet).rawLength === 'number';
      case TAG_PORT:
        return typeof (v as Port).number === 'number' && typeof (v as Port).protocolNumber === 'number';
      case TAG_TIMESTAMP:
      case TAG_TIMESPAN:
        return typeof (v as Timestamp).ns === 'bigint';
      case TAG_ENUM_VALUE: {
        const name = (v as EnumValue).name;
        return typeof name === 'string' && isWellFormed(name);
      }
      case TAG_SET: {
        if (depth >= MAX_DEPTH) throw tooDeep();
        const items = (v as BrokerSet).items;
        if (!Array.isArray(items)) return false;
        for (let i = 0; i < items.length; i++) convert(items[i], depth + 1);
        return true;
      }
      case TAG_TABLE: {
        if (depth >= MAX_DEPTH) throw tooDeep();
        const keys = (v as BrokerTable).keyItems;
        const values = (v as BrokerTable).valueItems;
        if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) return false;
        for (let i = 0; i < keys.length; i++) {
          convert(keys[i], depth + 1);
          convert(values[i], depth + 1);
        }
        return true;
      }
      default:
        return false;
    }
  }

  return toData;
}

/** Tells whether a count has the field the codecs read: a number or a bigint (see Count). */
function isCountField(c: Count): boolean {
  const n = c.n;
  return typeof n === 'number' || typeof n === 'bigint';
}

function checkString(s: string): string {
  // Only strings with code units above 0x7f can hold lone surrogates.
  if (!isWellFormed(s)) throw new BrokerError('invalid_data', 'string contains a lone UTF-16 surrogate and has no UTF-8 form');
  return s;
}

function tooDeep(): BrokerError {
  return new BrokerError('invalid_data', `value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
}

/**
 * Tells whether `a` has an address's four numeric words (also `encodeExactBinary`'s check).
 * @internal
 */
export function isAddress(a: unknown): boolean {
  return typeof a === 'object' && a !== null && typeof (a as Address).w0 === 'number' && typeof (a as Address).w1 === 'number' && typeof (a as Address).w2 === 'number' && typeof (a as Address).w3 === 'number';
}

/**
 * The error for an object tagged `tag` without the fields of its type, or with no Broker
 * type for the tag (also `encodeExactBinary`'s).
 * @internal
 */
export function forged(tag: number): BrokerError {
  if (DATA_TYPE_NAMES[tag] === undefined) return new BrokerError('type_clash', `no Broker type has the tag ${String(tag)}`);
  return new BrokerError('invalid_data', `a ${DATA_TYPE_NAMES[tag]} without valid fields (not made by its constructor)`);
}
