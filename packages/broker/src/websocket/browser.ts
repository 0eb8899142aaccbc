/**
 * The browser entry of @broker-ts/broker (`@broker-ts/broker/web-socket-client`):
 * Broker's data model, the Zeek message helpers and a WebSocket JSON API client over the
 * browser's own `WebSocket`. Nothing here imports a Node module.
 * @packageDocumentation
 */
// Broker's data model and its JSON form; the binary and CBOR codecs stay out (Node only).
export {
  Address, address, BrokerError, type BrokerErrorContext, BrokerSet, set, BrokerTable, table, compare, equals, Count, count, COUNT_MAX, type Data, type DataInput,
  decodeJson, decodeJsonDataMessage, encodeJson, encodeJsonDataMessage, EnumValue, enumValue, ErrorCode, type ErrorCodeName, formatReal, INT64_MAX, INT64_MIN, Port, port,
  PORT_PROTOCOLS, type PortProtocol, Subnet, subnet, Timespan, timespan, Timestamp, timestamp, toData, toString, DATA_TYPE_NAMES, type DataTypeName, typeOf,
} from '@broker-ts/data';
export {
  networkTimestamp, parseZeekMessage, ZEEK_PROTOCOL_VERSION, zeekEvent, type ZeekBatch, type ZeekEvent, type ZeekIdentifierUpdate, type ZeekLogCreate, type ZeekLogWrite,
  type ZeekMessage, zeekMessageToData, ZeekMessageType, ZeekMetadata,
} from '../zeek';
export type { DataMessage } from '../message-reader';
export type { GetOptions } from '../message-queue';
export { WebSocketClient, type WebSocketClientOptions, type WebSocketServerInfo } from './web-socket-client';
import { BrokerError } from '@broker-ts/data';
import { connectWebSocketWith, type WebSocketClient, type WebSocketClientOptions, type WebSocketLike } from './web-socket-client';

/**
 * Connects to a WebSocket JSON API from a browser. Browsers cannot speak Broker's
 * anonymous TLS: use `ws://`, or `wss://` to a server with a certificate the browser trusts.
 * @returns the client, once the server acknowledged its subscription list
 * @throws BrokerError `peer_unavailable` when the first connection fails and no retry
 *   was asked for; `cannot_open_resource` where there is no `WebSocket`
 */
export function connectWebSocket(url: string, options: WebSocketClientOptions = {}): Promise<WebSocketClient> {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (Ctor === undefined) return Promise.reject(new BrokerError('cannot_open_resource', 'this runtime has no WebSocket; in Node, import connectWebSocket from @broker-ts/broker'));
  return connectWebSocketWith(url, options, (u) => new Ctor(u));
}
