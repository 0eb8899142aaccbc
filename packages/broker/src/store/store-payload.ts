/**
 * The payload format of data store messages on peer streams. User data travels in
 * Broker's binary format (its first byte is a type tag, 0–14); store protocol messages
 * are structured objects and travel as cbor (with `@broker-ts/data`'s extensions, so the
 * Broker values inside stay exact) behind the marker byte 0xFF.
 */
import { BrokerError, cborEncoderOptions, installCborExtensions } from '@broker-ts/data';
import { Encoder } from 'cbor-x';

/** The first byte of a store payload; never a Broker type tag. */
export const STORE_PAYLOAD_MARK = 0xff;

installCborExtensions();
const codec = new Encoder({ ...cborEncoderOptions, useRecords: false, mapsAsObjects: true });

/**
 * Encodes a store message.
 * @returns a fresh buffer: the marker, then the cbor encoding
 */
export function encodeStorePayload(msg: unknown): Uint8Array {
  const body = codec.encode(msg);
  const out = new Uint8Array(body.length + 1);
  out[0] = STORE_PAYLOAD_MARK;
  out.set(body, 1);
  return out;
}

/** Tells whether a payload is a store message. */
export function isStorePayload(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === STORE_PAYLOAD_MARK;
}

/**
 * Decodes a store message (its content is checked by the store state machines).
 * @throws BrokerError `deserialization_failed` for bytes that are not cbor
 */
export function decodeStorePayload(payload: Uint8Array): unknown {
  try {
    return codec.decode(payload.subarray(1));
  } catch (e) {
    if (e instanceof BrokerError) throw e;
    throw new BrokerError('deserialization_failed', `malformed store message: ${(e as Error).message}`);
  }
}
