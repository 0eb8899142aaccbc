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
 * The key under which each class of this package carries its Broker type index on its
 * prototype. A property load is cheaper than a chain of `instanceof` tests on the codecs'
 * hot paths, and `Symbol.for` makes it agree between two loaded copies of the package.
 * @internal
 */
export const BROKER_TAG: unique symbol = Symbol.for('@broker-ts/data.type-tag') as never;

/**
 * Stamps a class with its Broker type index (see {@link BROKER_TAG}).
 * @internal
 */
export function markBrokerType(cls: { prototype: object }, tag: number): void {
  Object.defineProperty(cls.prototype, BROKER_TAG, { value: tag });
}

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
    case 'object': {
      if (v === null) return TAG_NONE;
      if (Array.isArray(v)) return TAG_VECTOR;
      const tag = (v as { [BROKER_TAG]?: number })[BROKER_TAG];
      if (tag !== undefined) return tag;
      if (v instanceof Uint8Array) return TAG_STRING;
      return -1;
    }
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
