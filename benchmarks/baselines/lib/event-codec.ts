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

/**
 * Checks that a decoded value is the benchmark's conn event (its `event` field is
 * `event_2`). Receivers check the last event they decoded when they stop, so a codec
 * mismatch cannot pass as throughput.
 * @throws Error if it is not
 */
export function assertConnEvent(value: unknown): void {
  if (typeof value !== 'object' || value === null || (value as { event?: unknown }).event !== 'event_2') {
    throw new Error(`decoded value is not the conn event: ${JSON.stringify(value)?.slice(0, 120)}`);
  }
}
