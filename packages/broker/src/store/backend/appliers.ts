import { Buffer, isUtf8 } from 'node:buffer';
import { BrokerError, BrokerSet, BrokerTable, Count, Timespan, Timestamp, typeOf, type Data, type DataTypeName } from '@broker-ts/data';

/**
 * The type a missing key starts as when something is added to it (Broker's `init_type`).
 * `none` makes adding to a missing key a `type_clash`.
 */
export type InitType = DataTypeName;

/**
 * The init type Broker derives from an `increment` amount: count → count, integer →
 * integer, real → real, timespan → timestamp (a missing key becomes the epoch plus the
 * amount), anything else → none (a missing key is then a `type_clash`).
 * @param amount - the amount to add
 * @returns the init type for {@link Backend.add}
 */
export function incrementInitType(amount: Data): InitType {
  switch (typeOf(amount)) {
    case 'count':
      return 'count';
    case 'integer':
      return 'integer';
    case 'real':
      return 'real';
    case 'timespan':
      return 'timestamp';
    default:
      return 'none';
  }
}

/**
 * The zero value a missing key starts as (Broker's `data::from_type`), for the types the
 * adder can grow. For the others (none, boolean, address, subnet, port, enum_value) Broker
 * would build a zero value only to reject the addition, so this rejects it directly.
 * @param type - the init type
 * @returns a fresh zero value
 * @throws BrokerError `type_clash` for a type nothing can be added to
 */
export function initialValue(type: InitType): Data {
  switch (type) {
    case 'count':
      return new Count(0n);
    case 'integer':
      return 0n;
    case 'real':
      return 0;
    case 'string':
      return '';
    case 'timestamp':
      return new Timestamp(0n);
    case 'timespan':
      return new Timespan(0n);
    case 'set':
      return new BrokerSet();
    case 'table':
      return new BrokerTable();
    case 'vector':
      return [];
    default:
      throw new BrokerError('type_clash', `cannot add to a missing key with init type ${type}`);
  }
}

function clash(op: string, stored: Data, value: Data): never {
  throw new BrokerError('type_clash', `cannot ${op} ${typeOf(value)} ${op === 'add' ? 'to' : 'from'} ${typeOf(stored)}`);
}

function isString(v: Data): v is string | Uint8Array {
  return typeof v === 'string' || v instanceof Uint8Array;
}

/** Broker strings are bytes; a JS string is their UTF-8 form, a `Uint8Array` bytes that are not UTF-8. */
function appendStrings(a: string | Uint8Array, b: string | Uint8Array): string | Uint8Array {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  const bytes = Buffer.concat([typeof a === 'string' ? Buffer.from(a, 'utf8') : a, typeof b === 'string' ? Buffer.from(b, 'utf8') : b]);
  return isUtf8(bytes) ? bytes.toString('utf8') : new Uint8Array(bytes);
}

/**
 * Broker's `adder`: adds a value to a stored value. Arithmetic needs exactly the same type
 * (count wraps modulo 2^64, integer, timespan and timestamp modulo 2^64 in two's
 * complement, as C++ does); a timestamp takes a timespan; a string takes a string; a vector
 * pushes any value; a set inserts any value; a table takes `[key, value]` and sets it.
 * Containers are changed in place: pass a value you own (a backend passes a freshly decoded
 * copy). Throws before changing anything.
 * @param stored - the stored value
 * @param value - what to add
 * @returns the new value (the same container, or a new scalar)
 * @throws BrokerError `type_clash` when the value does not apply, `invalid_data` when a
 *   table gets a vector whose length is not 2
 */
export function applyAdd(stored: Data, value: Data): Data {
  switch (typeOf(stored)) {
    case 'count':
      if (value instanceof Count) return new Count(BigInt.asUintN(64, (stored as Count).value + value.value));
      return clash('add', stored, value);
    case 'integer':
      if (typeof value === 'bigint') return BigInt.asIntN(64, (stored as bigint) + value);
      return clash('add', stored, value);
    case 'real':
      if (typeof value === 'number') return (stored as number) + value;
      return clash('add', stored, value);
    case 'timespan':
      if (value instanceof Timespan) return new Timespan(BigInt.asIntN(64, (stored as Timespan).ns + value.ns));
      return clash('add', stored, value);
    case 'timestamp':
      if (value instanceof Timespan) return new Timestamp(BigInt.asIntN(64, (stored as Timestamp).ns + value.ns));
      return clash('add', stored, value);
    case 'string':
      if (isString(value)) return appendStrings(stored as string | Uint8Array, value);
      return clash('add', stored, value);
    case 'vector':
      (stored as Data[]).push(value);
      return stored;
    case 'set':
      (stored as BrokerSet).add(value);
      return stored;
    case 'table':
      if (!Array.isArray(value)) return clash('add', stored, value);
      if (value.length !== 2) {
        throw new BrokerError('invalid_data', `adding to a table needs a [key, value] vector, got a vector of ${value.length} elements`);
      }
      (stored as BrokerTable).set(value[0], value[1]);
      return stored;
    default:
      return clash('add', stored, value);
  }
}

/**
 * Broker's `remover`: subtracts a value from a stored value. Arithmetic needs exactly the
 * same type (count wraps below zero modulo 2^64); a timestamp takes a timespan; a vector
 * pops its last element whatever the value (an empty vector stays empty); a set erases
 * the value; a table erases the key equal to the value. Containers are changed in place.
 * @param stored - the stored value
 * @param value - what to subtract
 * @returns the new value (the same container, or a new scalar)
 * @throws BrokerError `type_clash` when the value does not apply (strings included)
 */
export function applySubtract(stored: Data, value: Data): Data {
  switch (typeOf(stored)) {
    case 'count':
      if (value instanceof Count) return new Count(BigInt.asUintN(64, (stored as Count).value - value.value));
      return clash('subtract', stored, value);
    case 'integer':
      if (typeof value === 'bigint') return BigInt.asIntN(64, (stored as bigint) - value);
      return clash('subtract', stored, value);
    case 'real':
      if (typeof value === 'number') return (stored as number) - value;
      return clash('subtract', stored, value);
    case 'timespan':
      if (value instanceof Timespan) return new Timespan(BigInt.asIntN(64, (stored as Timespan).ns - value.ns));
      return clash('subtract', stored, value);
    case 'timestamp':
      if (value instanceof Timespan) return new Timestamp(BigInt.asIntN(64, (stored as Timestamp).ns - value.ns));
      return clash('subtract', stored, value);
    case 'vector':
      (stored as Data[]).pop();
      return stored;
    case 'set':
      (stored as BrokerSet).delete(value);
      return stored;
    case 'table':
      (stored as BrokerTable).delete(value);
      return stored;
    default:
      return clash('subtract', stored, value);
  }
}

/**
 * Broker's `retriever` (`get_index_from_value`): a vector element by index (a count, or an
 * integer ≥ 0), set membership as a boolean, a table value by key; any other stored type
 * returns the whole value.
 * @param stored - the stored value
 * @param index - the index, element or table key
 * @returns the aspect
 * @throws BrokerError `type_clash` for a vector index that is not a count or an integer ≥ 0,
 *   `no_such_key` for an index out of range or an absent table key
 */
export function retrieveIndex(stored: Data, index: Data): Data {
  switch (typeOf(stored)) {
    case 'vector': {
      const v = stored as Data[];
      let i: bigint;
      if (index instanceof Count) i = index.value;
      else if (typeof index === 'bigint' && index >= 0n) i = index;
      else throw new BrokerError('type_clash', `a vector index must be a count or a non-negative integer, got ${typeOf(index)}`);
      if (i >= BigInt(v.length)) throw new BrokerError('no_such_key', `vector index ${i} out of range (size ${v.length})`);
      return v[Number(i)];
    }
    case 'set':
      return (stored as BrokerSet).has(index);
    case 'table': {
      const t = stored as BrokerTable;
      const found = t.get(index);
      if (found === undefined) throw new BrokerError('no_such_key', 'no such key in the table');
      return found;
    }
    default:
      return stored;
  }
}
