import { Address } from './address';
import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import { Count } from './count';
import { EnumValue } from './enum-value';
import { Port } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';

// Broker's variant indices: the cross-type sort key and the binary format's tag byte.
/** @internal */ export const TAG_NONE = 0;
/** @internal */ export const TAG_BOOLEAN = 1;
/** @internal */ export const TAG_COUNT = 2;
/** @internal */ export const TAG_INTEGER = 3;
/** @internal */ export const TAG_REAL = 4;
/** @internal */ export const TAG_STRING = 5;
/** @internal */ export const TAG_ADDRESS = 6;
/** @internal */ export const TAG_SUBNET = 7;
/** @internal */ export const TAG_PORT = 8;
/** @internal */ export const TAG_TIMESTAMP = 9;
/** @internal */ export const TAG_TIMESPAN = 10;
/** @internal */ export const TAG_ENUM_VALUE = 11;
/** @internal */ export const TAG_SET = 12;
/** @internal */ export const TAG_TABLE = 13;
/** @internal */ export const TAG_VECTOR = 14;

/**
 * Broker's variant index of an exact Broker value (see `Data`), or -1 for anything else
 * (including natural JS input such as `Set` or `Date`).
 * @internal
 */
export function tagOf(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return TAG_STRING;
    case 'number':
      return TAG_REAL;
    case 'bigint':
      return TAG_INTEGER;
    case 'boolean':
      return TAG_BOOLEAN;
    case 'object':
      if (v === null) return TAG_NONE;
      if (Array.isArray(v)) return TAG_VECTOR;
      if (v instanceof Count) return TAG_COUNT;
      if (v instanceof Address) return TAG_ADDRESS;
      if (v instanceof Port) return TAG_PORT;
      if (v instanceof Timestamp) return TAG_TIMESTAMP;
      if (v instanceof Timespan) return TAG_TIMESPAN;
      if (v instanceof EnumValue) return TAG_ENUM_VALUE;
      if (v instanceof BrokerSet) return TAG_SET;
      if (v instanceof BrokerTable) return TAG_TABLE;
      if (v instanceof Subnet) return TAG_SUBNET;
      if (v instanceof Uint8Array) return TAG_STRING;
      return -1;
    default:
      return -1;
  }
}

/**
 * Tells whether an object is a plain object (`{...}` or `Object.create(null)`), which
 * converts to a Broker table.
 * @internal
 */
export function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
