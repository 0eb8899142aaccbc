import { BrokerError } from './broker-error';
import { isPlainObject, tagOf } from './type-tag';

/** Broker's type names, in variant-index order. */
export const DATA_TYPE_NAMES = [
  'none',
  'boolean',
  'count',
  'integer',
  'real',
  'string',
  'address',
  'subnet',
  'port',
  'timestamp',
  'timespan',
  'enum_value',
  'set',
  'table',
  'vector',
] as const;

/** The name of a Broker type, e.g. `'count'` or `'enum_value'`. */
export type DataTypeName = (typeof DATA_TYPE_NAMES)[number];

/**
 * Names the Broker type of a value, including natural JS input (`undefined` is none,
 * `Date` a timestamp, `Set` a set, `Map` and plain objects tables).
 * @param value - the value
 * @returns Broker's type name
 * @throws BrokerError `type_clash` when the value is not a Broker value
 */
export function typeOf(value: unknown): DataTypeName {
  const tag = tagOf(value);
  if (tag >= 0) return DATA_TYPE_NAMES[tag];
  if (value === undefined) return 'none';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof Set) return 'set';
  if (value instanceof Map) return 'table';
  if (typeof value === 'object' && value !== null && isPlainObject(value)) return 'table';
  throw new BrokerError('type_clash', `not a Broker value: ${describe(value)}`);
}

/**
 * A short description of a non-Broker value for error messages.
 * @internal
 */
export function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `object ${value.constructor?.name ?? 'without prototype'}`;
  return typeof value;
}
