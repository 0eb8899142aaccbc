/**
 * The payload format of data store messages on peer streams. User data travels in
 * Broker's binary format (its first byte is a type tag, 0–14); store protocol messages
 * are structured objects and travel as cbor (with `@broker-ts/data`'s extensions, so the
 * Broker values inside stay exact) behind the marker byte 0xFF. Broker's own store
 * commands (an `internal_command` in its binary format, the payload of a COMMAND frame)
 * travel behind the marker byte 0xFE, so that the routing carries them like any message
 * and the store actors get their bytes.
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

/** The first byte of a payload holding a Broker `internal_command`; never a Broker type tag. */
export const NATIVE_STORE_PAYLOAD_MARK = 0xfe;

/**
 * Wraps the bytes of a Broker `internal_command` as a payload.
 * @returns a fresh buffer: the marker, then the command
 */
export function encodeNativeStorePayload(command: Uint8Array): Uint8Array {
  const out = new Uint8Array(command.length + 1);
  out[0] = NATIVE_STORE_PAYLOAD_MARK;
  out.set(command, 1);
  return out;
}

/** Tells whether a payload holds a Broker `internal_command`. */
export function isNativeStorePayload(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === NATIVE_STORE_PAYLOAD_MARK;
}

/** The `internal_command` bytes of a payload that {@link isNativeStorePayload} (a view, not a copy). */
export function nativeStoreCommand(payload: Uint8Array): Uint8Array {
  return payload.subarray(1);
}
