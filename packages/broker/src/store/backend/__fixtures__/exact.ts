import { encodeBinary, toString, type DataInput } from '@broker-ts/data';

/**
 * The exact form of a value for assertions: Broker's text and the hex of its Broker binary
 * encoding, so that values that print alike (`count 1` and integer `1`) still differ.
 * @param value - the value
 */
export function exact(value: DataInput): string {
  return `${toString(value)} [${Buffer.from(encodeBinary(value)).toString('hex')}]`;
}
