/**
 * The TCP transport of `@broker-ts/actor`: what the package index should re-export.
 * (The lead adds `export * from './net';` or these names to `src/index.ts`.)
 */
export { TcpNetwork, listenTcp, connectTcp, type InboundRefusal, type TcpNetworkOptions } from './tcp-network';
export type { TcpTransportLimits, BoundAddress } from './tcp-transport';
export { NetError, NetErrorCodes, NET_ERROR_REASONS, type NetErrorReason } from './net-error';
export { DEFAULT_LIVENESS, type LivenessOptions } from './liveness';
export { PROTOCOL_VERSION, DEFAULT_MAX_FRAME_SIZE, HANDSHAKE_MAX_FRAME_SIZE, type VersionRange } from './protocol';
