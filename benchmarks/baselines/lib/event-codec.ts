/**
 * The codec every Node baseline applies to the benchmark event: cbor-x's plain
 * `encode`/`decode` (standard CBOR, objects as maps, no record extension), once per
 * message on each side. The same function pair for NATS, raw TCP and worker threads
 * keeps their figures comparable.
 */
import { decode, encode, isNativeAccelerationEnabled } from 'cbor-x';

/** Encodes one event; the result is a fresh view the caller may keep. */
export function encodeEvent(event: unknown): Uint8Array {
  return encode(event);
}

/** Decodes one event. */
export function decodeEvent(bytes: Uint8Array): unknown {
  return decode(bytes);
}

/** True when cbor-x runs with its native string decoder (worth printing beside figures). */
export const codecNativeAcceleration: boolean = isNativeAccelerationEnabled;
