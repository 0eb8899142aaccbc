import { BrokerError, BrokerSet, BrokerTable, decodeBinary, encodeBinary, type Data } from '@broker-ts/data';

// Local bindings of the classes tested on every value: see docs/architecture.md, "Local bindings on hot paths".
const BrokerSetClass = BrokerSet;
const BrokerTableClass = BrokerTable;

/**
 * A private copy of a value whose JS form is mutable (vector, set, table, bytes), so
 * that a caller who mutates what it handed in cannot change a stored, buffered or
 * retransmitted command. Immutable values (null, booleans, numbers, bigints, strings and
 * Broker's immutable classes) are returned as they are, and shared inside a copy.
 *
 * The copy is the value as a store holds it: bytes go through Broker's binary format, so
 * bytes that are valid UTF-8 become a string, as they read back from any backend.
 * Values come checked already (the facade's `toData`, a decoded message); the backend's
 * encoding of a write refuses anything else that is not Broker data.
 * @param value - the value
 * @returns the value or a deep copy of it
 * @throws BrokerError `type_clash` for `undefined`, a function or a symbol inside it
 */
export function ownData(value: Data): Data {
  if (Array.isArray(value)) {
    const n = value.length;
    const out: Data[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = ownData(value[i]);
    return out;
  }
  if (value instanceof BrokerSetClass) return new BrokerSetClass(Array.from(value, ownData));
  if (value instanceof BrokerTableClass) return new BrokerTableClass(Array.from(value, ([k, v]) => [ownData(k), ownData(v)] as const));
  if (value instanceof Uint8Array) return decodeBinary(encodeBinary(value));
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') throw new BrokerError('type_clash', `not Broker data: ${typeof value}`);
  return value;
}
