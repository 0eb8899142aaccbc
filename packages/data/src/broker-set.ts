import { compare } from './compare';
import type { Data, DataInput } from './data';
import { isStrictlySorted, sortedIndexOf } from './sorted-index';
import { toData } from './to-data';
import { formatData } from './format-data';
import { BROKER_TAG, markBrokerType, TAG_SET } from './type-tag';

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
