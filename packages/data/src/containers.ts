import { BrokerError } from './broker-error';
import { compare } from './compare';
import type { Data, DataInput } from './data';
import { formatData } from './format-data';
import { type ContainerFactory, naturalConversion } from './natural-data';
import { isStrictlySorted, sortedIndexOf } from './sorted-index';
import { BROKER_TAG, isPlainObject, markBrokerType, TAG_SET, TAG_TABLE } from './type-tag';

// Broker's two associative containers share a file: each converts its natural input with
// the conversion below, which builds the other one for a nested JS Set or Map.

const factory: ContainerFactory = { makeSet: setFromArray, makeTable: tableFromArrays };

/**
 * The natural conversion that builds this file's containers: what the containers convert
 * their input with, and what `toData` is.
 * @internal
 */
export const convertNatural = naturalConversion(factory);
const toData = convertNatural;

/**
 * Broker's `set`: unique values kept in Broker's total order, keyed by value (a vector
 * element equals an equal vector). Mutable like a JS `Set`: `add` and `delete` change it
 * in place. Do not mutate a value while it is an element (that would break the order).
 * Backed by a sorted array: lookups are binary searches, so small sets stay cheap.
 */
export class BrokerSet implements Iterable<Data> {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** @internal The elements, strictly increasing in Broker's order. */
  items: Data[];

  /**
   * @param values - initial elements; natural JS values convert (see `DataInput`)
   * @throws BrokerError when an element is not a Broker value
   */
  constructor(values?: Iterable<DataInput>) {
    this.items = [];
    if (values !== undefined) {
      const items: Data[] = [];
      for (const v of values) items.push(toData(v));
      this.items = sortUnique(items);
    }
  }

  /** The number of elements. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Tells whether an equal value is an element.
   * @param value - the value
   */
  has(value: DataInput): boolean {
    return sortedIndexOf(this.items, toData(value)) >= 0;
  }

  /**
   * Adds a value unless an equal one is already present.
   * @param value - the value; natural JS values convert
   * @returns this set
   */
  add(value: DataInput): this {
    const v = toData(value);
    const items = this.items;
    const n = items.length;
    if (n === 0 || compare(items[n - 1], v) < 0) {
      items.push(v);
      return this;
    }
    const i = sortedIndexOf(items, v);
    if (i < 0) items.splice(~i, 0, v);
    return this;
  }

  /**
   * Removes the element equal to a value.
   * @param value - the value
   * @returns whether an element was removed
   */
  delete(value: DataInput): boolean {
    const i = sortedIndexOf(this.items, toData(value));
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /** Removes every element. */
  clear(): void {
    this.items = [];
  }

  /** Iterates the elements in Broker's order. */
  values(): IterableIterator<Data> {
    return this.items.values();
  }

  /** Iterates the elements in Broker's order. */
  [Symbol.iterator](): IterableIterator<Data> {
    return this.items.values();
  }

  /**
   * Calls a function for each element in Broker's order.
   * @param fn - receives each element
   */
  forEach(fn: (value: Data) => void): void {
    for (const v of this.items) fn(v);
  }

  /** The elements in Broker's order, as a new array. */
  toArray(): Data[] {
    return this.items.slice();
  }

  /**
   * Tells whether another set has equal elements.
   * @param other - the other set
   */
  equals(other: BrokerSet): boolean {
    return compare(this, other) === 0;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form, e.g. `{1, 2, a}`. */
  toString(): string {
    return formatData(this);
  }
}
markBrokerType(BrokerSet, TAG_SET);

/**
 * Builds a set that takes ownership of an array of exact Broker data, in any order.
 * Fast when the array is already sorted, as decoders see it.
 * @internal
 */
export function setFromArray(items: Data[]): BrokerSet {
  const s = new BrokerSet();
  s.items = sortUnique(items);
  return s;
}

function sortUnique(items: Data[]): Data[] {
  if (isStrictlySorted(items)) return items;
  // A stable sort keeps the first of equal elements first; keep that one, as a JS Set does.
  const sorted = items.slice().sort(compare);
  const out: Data[] = [];
  for (const v of sorted) if (out.length === 0 || compare(out[out.length - 1], v) !== 0) out.push(v);
  return out;
}

/**
 * Makes a Broker set.
 * @param values - the elements; natural JS values convert
 * @returns the set
 * @throws BrokerError when an element is not a Broker value
 */
export function set(values: Iterable<DataInput> = []): BrokerSet {
  return new BrokerSet(values);
}

/**
 * Broker's `table`: a map whose keys are kept in Broker's total order and matched by
 * value (a vector key finds an equal vector). Mutable like a JS `Map`: `set` and
 * `delete` change it in place. Do not mutate a key while it is in the table.
 * Backed by two sorted parallel arrays: lookups are binary searches.
 */
export class BrokerTable implements Iterable<[Data, Data]> {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  /** @internal The keys, strictly increasing in Broker's order. */
  keyItems: Data[];
  /** @internal The values, parallel to the keys. */
  valueItems: Data[];

  /**
   * @param entries - initial `[key, value]` pairs; natural JS values convert. On equal
   *   keys the last value wins, as with `new Map(entries)`.
   * @throws BrokerError when a key or value is not a Broker value
   */
  constructor(entries?: Iterable<readonly [DataInput, DataInput]>) {
    this.keyItems = [];
    this.valueItems = [];
    if (entries !== undefined) {
      const keys: Data[] = [];
      const values: Data[] = [];
      for (const e of entries) {
        if (!Array.isArray(e) || e.length !== 2) throw new BrokerError('invalid_data', 'a table entry must be a [key, value] pair');
        keys.push(toData(e[0]));
        values.push(toData(e[1]));
      }
      fillSorted(this, keys, values);
    }
  }

  /** The number of entries. */
  get size(): number {
    return this.keyItems.length;
  }

  /**
   * The value stored under a key equal to `key`.
   * @param key - the key
   * @returns the value, or `undefined` when absent
   */
  get(key: DataInput): Data | undefined {
    const i = sortedIndexOf(this.keyItems, toData(key));
    return i >= 0 ? this.valueItems[i] : undefined;
  }

  /**
   * Tells whether a key equal to `key` is present.
   * @param key - the key
   */
  has(key: DataInput): boolean {
    return sortedIndexOf(this.keyItems, toData(key)) >= 0;
  }

  /**
   * Stores a value under a key (replacing the value of an equal key).
   * @param key - the key; natural JS values convert
   * @param value - the value; natural JS values convert
   * @returns this table
   */
  set(key: DataInput, value: DataInput): this {
    const k = toData(key);
    const v = toData(value);
    const keys = this.keyItems;
    const n = keys.length;
    if (n === 0 || compare(keys[n - 1], k) < 0) {
      keys.push(k);
      this.valueItems.push(v);
      return this;
    }
    const i = sortedIndexOf(keys, k);
    if (i >= 0) this.valueItems[i] = v;
    else {
      keys.splice(~i, 0, k);
      this.valueItems.splice(~i, 0, v);
    }
    return this;
  }

  /**
   * Removes the entry whose key equals `key`.
   * @param key - the key
   * @returns whether an entry was removed
   */
  delete(key: DataInput): boolean {
    const i = sortedIndexOf(this.keyItems, toData(key));
    if (i < 0) return false;
    this.keyItems.splice(i, 1);
    this.valueItems.splice(i, 1);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.keyItems = [];
    this.valueItems = [];
  }

  /** Iterates the keys in Broker's order. */
  keys(): IterableIterator<Data> {
    return this.keyItems.values();
  }

  /** Iterates the values in key order. */
  values(): IterableIterator<Data> {
    return this.valueItems.values();
  }

  /** Iterates `[key, value]` pairs in key order. */
  *entries(): IterableIterator<[Data, Data]> {
    const keys = this.keyItems;
    const values = this.valueItems;
    for (let i = 0; i < keys.length; i++) yield [keys[i], values[i]];
  }

  /** Iterates `[key, value]` pairs in key order. */
  [Symbol.iterator](): IterableIterator<[Data, Data]> {
    return this.entries();
  }

  /**
   * Calls a function for each entry in key order.
   * @param fn - receives value and key, as `Map.prototype.forEach` does
   */
  forEach(fn: (value: Data, key: Data) => void): void {
    for (let i = 0; i < this.keyItems.length; i++) fn(this.valueItems[i], this.keyItems[i]);
  }

  /**
   * Tells whether another table has equal keys with equal values.
   * @param other - the other table
   */
  equals(other: BrokerTable): boolean {
    return compare(this, other) === 0;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form, e.g. `{a -> 1, b -> 2}`. */
  toString(): string {
    return formatData(this);
  }
}
markBrokerType(BrokerTable, TAG_TABLE);

function fillSorted(t: BrokerTable, keys: Data[], values: Data[]): void {
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) if (compare(keys[i - 1], keys[i]) >= 0) sorted = false;
  if (sorted) {
    t.keyItems = keys;
    t.valueItems = values;
    return;
  }
  const order = keys.map((_, i) => i).sort((i, j) => compare(keys[i], keys[j]));
  const outKeys: Data[] = [];
  const outValues: Data[] = [];
  for (const i of order) {
    const n = outKeys.length;
    // Equal keys: keep the first key and the last value, as Map.prototype.set does.
    if (n > 0 && compare(outKeys[n - 1], keys[i]) === 0) outValues[n - 1] = values[i];
    else {
      outKeys.push(keys[i]);
      outValues.push(values[i]);
    }
  }
  t.keyItems = outKeys;
  t.valueItems = outValues;
}

/**
 * Builds a table that takes ownership of parallel arrays of exact Broker data, in any
 * order. Fast when the keys are already sorted, as decoders see them.
 * @internal
 */
export function tableFromArrays(keys: Data[], values: Data[]): BrokerTable {
  const t = new BrokerTable();
  fillSorted(t, keys, values);
  return t;
}

/**
 * Makes a Broker table.
 * @param entries - a `Map`, a plain object (string keys), or an iterable of `[key, value]`
 * @returns the table
 * @throws BrokerError when a key or value is not a Broker value
 */
export function table(entries: ReadonlyMap<DataInput, DataInput> | Iterable<readonly [DataInput, DataInput]> | { readonly [key: string]: DataInput } = []): BrokerTable {
  if (entries instanceof Map || (typeof entries === 'object' && entries !== null && Symbol.iterator in entries)) {
    return new BrokerTable(entries as Iterable<readonly [DataInput, DataInput]>);
  }
  if (typeof entries === 'object' && entries !== null && isPlainObject(entries)) {
    return new BrokerTable(Object.entries(entries));
  }
  throw new BrokerError('type_clash', 'table expects a Map, a plain object or an iterable of [key, value] pairs');
}
