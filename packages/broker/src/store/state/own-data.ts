import { BrokerSet, BrokerTable, decodeBinary, encodeBinary, type Data } from '@broker-ts/data';

/**
 * A private copy of a value whose JS form is mutable (vector, set, table, bytes), so
 * that a caller who mutates what it handed in cannot change a stored, buffered or
 * retransmitted command. Immutable values (null, booleans, numbers, bigints, strings and
 * Broker's immutable classes) are returned as they are.
 * @param value - the value
 * @returns the value or a deep copy of it
 * @throws BrokerError when the value is not Broker data
 */
export function ownData(value: Data): Data {
  if (Array.isArray(value) || value instanceof BrokerSet || value instanceof BrokerTable || value instanceof Uint8Array) {
    return decodeBinary(encodeBinary(value));
  }
  return value;
}
