/**
 * Broker's `endpoint_id` on the wire: 16 raw bytes (a UUID), compared byte by byte as
 * `memcmp` does in libbroker/broker/endpoint_id.hh.
 */
import { BrokerError } from '@broker-ts/data';

/** Size of an endpoint id on the wire. */
export const ENDPOINT_ID_SIZE = 16;

/** The nil endpoint id (all zeros): "no receiver", i.e. every subscriber. */
export const NIL_ENDPOINT_ID = '00000000-0000-0000-0000-000000000000';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Tells whether a text is an endpoint id Broker can carry (a UUID).
 * @param id - the text
 */
export function isEndpointId(id: string): boolean {
  return UUID_TEXT.test(id);
}

/**
 * Converts an endpoint id from its text form to its 16 wire bytes.
 * @param id - a UUID in 8-4-4-4-12 hex notation
 * @returns a fresh 16-byte buffer
 * @throws BrokerError `invalid_data` when `id` is not a UUID
 */
export function endpointIdToBytes(id: string): Buffer {
  if (typeof id !== 'string' || !UUID_TEXT.test(id)) throw new BrokerError('invalid_data', `not an endpoint id (a UUID): ${String(id)}`);
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

/**
 * Reads an endpoint id from 16 wire bytes.
 * @param bytes - the buffer
 * @param offset - where the id starts
 * @returns the lower-case UUID text
 */
export function endpointIdFromBytes(bytes: Uint8Array, offset = 0): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset + offset, ENDPOINT_ID_SIZE).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Orders endpoint ids as Broker does (byte-wise on the 16 bytes, i.e. on the hex text).
 * @returns negative when `a` sorts first, 0 when equal, positive otherwise
 */
export function compareEndpointIds(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
