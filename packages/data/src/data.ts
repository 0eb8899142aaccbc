import type { Address } from './address';
import type { BrokerSet, BrokerTable } from './containers';
import type { Count } from './count';
import type { EnumValue } from './enum-value';
import type { Port } from './port';
import type { Subnet } from './subnet';
import type { Timespan } from './timespan';
import type { Timestamp } from './timestamp';

/**
 * A Broker value, type-exact: none `null`, boolean `boolean`, count {@link Count},
 * integer `bigint` (int64), real `number`, string `string` (or `Uint8Array` for bytes that
 * are not valid UTF-8), address, subnet, port, timestamp, timespan, enum_value, set,
 * table, and vector `Array`. Every decoder returns this type.
 */
export type Data =
  | null
  | boolean
  | Count
  | bigint
  | number
  | string
  | Uint8Array
  | Address
  | Subnet
  | Port
  | Timestamp
  | Timespan
  | EnumValue
  | BrokerSet
  | BrokerTable
  | Data[];

/**
 * What the API accepts as a Broker value: {@link Data} plus natural JS values that
 * convert (`undefined` → none, `Date` → timestamp, `Set` → set, `Map` and plain objects →
 * table, any `Uint8Array` → string of those bytes).
 */
export type DataInput =
  | Data
  | undefined
  | Date
  | ReadonlySet<DataInput>
  | ReadonlyMap<DataInput, DataInput>
  | readonly DataInput[]
  | { readonly [key: string]: DataInput };
