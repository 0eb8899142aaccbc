/**
 * @broker-ts/broker: Zeek's Broker for Node. Endpoints that publish and subscribe,
 * peer over TCP and report statuses, and (re-exported) Broker's whole data model.
 * This file is the public allow-list; everything else is internal.
 * @packageDocumentation
 */
// Broker's data model; the cbor-x plumbing that carries it in actor messages stays in
// @broker-ts/data.
export {
  Address, address, BrokerError, type BrokerErrorContext, BrokerSet, set, BrokerTable, table, compare, equals, Count, count, COUNT_MAX, type Data, type DataInput,
  decodeBinary, decodeJson, decodeJsonDataMessage, encodeBinary, encodeJson, encodeJsonDataMessage, EnumValue, enumValue, ErrorCode, type ErrorCodeName, errorCodeName,
  errorFromData, errorToData, isErrorCodeName, formatReal, INT64_MAX, INT64_MIN, MAX_NESTING_DEPTH, Port, port, PORT_PROTOCOLS, type PortProtocol, StatusCode, type StatusCodeName, statusCodeName,
  isStatusCodeName, Subnet, subnet, Timespan, timespan, Timestamp, timestamp, toData, toString, DATA_TYPE_NAMES, type DataTypeName, typeOf,
} from '@broker-ts/data';
export { Endpoint, type CloneOptions, type PeerOptions, type Topics } from './endpoint';
export { type AckOptions, type AwaitIdleOptions, type ExpiryOptions, Store } from './store/store';
export type { BackendKind, BackendOptions } from './store/backend';
export type { EndpointOptions, PeerOverflowPolicy, PublishOverflowPolicy, SslOptions } from './endpoint-options';
export type { EndpointStats, PeerInfo, ProcessedMessages } from './core-messages';
export { workerEndpointData, type WorkerEndpoint, type WorkerEndpointOptions } from './worker-endpoint';
export type { EndpointInfo, NetworkInfo } from './endpoint-info';
export { endpointInfoFromData, endpointInfoToData } from './endpoint-info';
export type { Duration } from './duration';
export type { GetOptions } from './message-queue';
export { Subscriber, type DataMessage, type SubscriberOptions } from './subscriber';
export { LazyDataMessage } from './lazy-data-message';
export { Hub } from './hub';
export { Publisher, type PublisherOptions } from './publisher';
export { StatusSubscriber, type StatusEvent } from './status-subscriber';
export { isStatus, Status } from './status';
export { storeEventsTopic, topicJoin, TOPIC_SEPARATOR, Topics as ReservedTopics } from './topic';
export {
  networkTimestamp, parseZeekMessage, ZEEK_PROTOCOL_VERSION, zeekEvent, type ZeekBatch, type ZeekEvent, type ZeekIdentifierUpdate, type ZeekLogCreate, type ZeekLogWrite,
  type ZeekMessage, zeekMessageToData, ZeekMessageType, ZeekMetadata,
} from './zeek';
export { connectWebSocket, type NodeWebSocketClientOptions } from './websocket/connect-web-socket';
export { WebSocketClient, type WebSocketClientOptions, type WebSocketServerInfo } from './websocket/web-socket-client';
export { WEB_SOCKET_API_VERSION, type WebSocketServerOptions } from './websocket/web-socket-server-options';
export type { WebSocketOverflowPolicy } from './websocket/json-client-session';
