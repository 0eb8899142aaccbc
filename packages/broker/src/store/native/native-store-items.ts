/**
 * Store messages on the routing's wire items, for the endpoint core: Broker's COMMAND
 * frames become items carrying the `internal_command` behind its marker (routed like any
 * message, delivered to store actors as the command's bytes), and only such items become
 * COMMAND frames for a Broker peer. broker-ts's own store messages (cbor behind 0xFF)
 * never reach a Broker.
 */
import { NIL_ENDPOINT_ID } from '../../native/endpoint-id';
import type { OperationMessage } from '../../native/native-message';
import { NO_SEQUENCE, type WireItem } from '../../peer-protocol';
import { encodeNativeStorePayload, isNativeStorePayload, isStorePayload, nativeStoreCommand } from '../store-payload';

// Local bindings of the per-message checks: see docs/architecture.md, "Local bindings on
// hot paths".
const isCborStorePayload = isStorePayload;
const isNativeStore = isNativeStorePayload;

/**
 * The wire item of a COMMAND frame a Broker peer sent.
 * @param m - the frame
 */
export function nativeCommandItem(m: OperationMessage): WireItem {
  return [m.topic, encodeNativeStorePayload(m.payload), null, NO_SEQUENCE, m.ttl, m.receiver === NIL_ENDPOINT_ID ? null : m.receiver];
}

/**
 * The wire item of a command a store actor of this endpoint sends to its Broker peers.
 * @param topic - the store channel topic
 * @param command - the `internal_command` bytes
 * @param ttl - the hop limit
 */
export function nativeStoreItem(topic: string, command: Uint8Array, ttl: number): WireItem {
  return [topic, encodeNativeStorePayload(command), null, NO_SEQUENCE, ttl, null];
}

/**
 * The COMMAND frame of a store item for a Broker peer, or undefined for broker-ts's own
 * store messages (a Broker never gets them).
 * @param item - the item
 * @param localId - this endpoint's id (the sender of the frame, the last hop)
 */
export function nativeCommandFrame(item: WireItem, localId: string): OperationMessage | undefined {
  if (!isNativeStorePayload(item[1])) return undefined;
  return { type: 'command', sender: localId, receiver: item[5] ?? NIL_ENDPOINT_ID, ttl: item[4], topic: item[0], payload: nativeStoreCommand(item[1]) };
}

/**
 * Tells whether a wire item carries a store message (broker-ts's or Broker's) rather than a value.
 * @param item - the item
 */
export function isStoreItem(item: WireItem): boolean {
  return isCborStorePayload(item[1]) || isNativeStore(item[1]);
}
