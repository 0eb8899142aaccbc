/**
 * The messages of `broker-node`'s ping, pong and relay modes, as Broker's tool builds
 * them (broker-node/broker-node.cc): a ping is `["ping", <count id>, <string payload>]`,
 * a pong `["pong", <count id>]`, and the string `stop` ends a relay or pong node.
 */
import { Count, count, type Data } from '@broker-ts/broker';

/** Makes ping number `id` with `payloadSize` bytes of `x` as payload. */
export function makePing(id: number, payloadSize: number): Data {
  return ['ping', count(id), 'x'.repeat(payloadSize)];
}

/** Makes the pong answering ping `id`. */
export function makePong(id: bigint): Data {
  return ['pong', new Count(id)];
}

/** The stop message. */
export const STOP_MESSAGE = 'stop';

/** The id of a ping (`["ping", id, payload]`), or undefined for anything else. */
export function pingId(value: Data): bigint | undefined {
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== 'ping' || !(value[1] instanceof Count) || typeof value[2] !== 'string') return undefined;
  return value[1].value;
}

/** The id of a pong (`["pong", id]`), or undefined for anything else. */
export function pongId(value: Data): bigint | undefined {
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== 'pong' || !(value[1] instanceof Count)) return undefined;
  return value[1].value;
}

/** True for the stop message. */
export function isStop(value: Data): boolean {
  return value === STOP_MESSAGE;
}
