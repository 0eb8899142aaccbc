/**
 * Options of `Endpoint.listenWebSocket`, their defaults (Broker's where Broker has one)
 * and their validation.
 */
import { BrokerError } from '@broker-ts/data';
import { type Duration, toMilliseconds } from '../duration';
import type { SslOptions } from '../endpoint-options';
import type { WebSocketOverflowPolicy } from './json-client-session';

/** The version text of the `ack`: the Broker release whose JSON API this one serves. */
export const WEB_SOCKET_API_VERSION = '2.8.0';

/** Options of `Endpoint.listenWebSocket`. */
export interface WebSocketServerOptions {
  /** Plain TCP (default: as the endpoint's `disableSsl`). */
  disableSsl?: boolean;
  /**
   * TLS credentials (default: the endpoint's `ssl`). Without any, TLS is anonymous as in
   * Broker, which browsers cannot speak: for browsers serve verified TLS (with
   * `requireClientCertificate: false`) or plain TCP behind a TLS proxy.
   */
  ssl?: SslOptions;
  /**
   * With credentials: refuse clients that present no certificate signed by the CA
   * (default true, as Broker, which requires one from every WebSocket client).
   */
  requireClientCertificate?: boolean;
  /** Messages buffered for each client before the overflow policy applies (Broker: 512). */
  bufferSize?: number;
  /** What a client's full buffer does (Broker: `disconnect`). */
  overflowPolicy?: WebSocketOverflowPolicy;
  /** Clients served at once; more are refused with HTTP 503 (default 1024). */
  maxClients?: number;
  /** Largest frame accepted, in bytes; a larger one closes the connection with 1009 (default 16 MiB). */
  maxFrameSize?: number;
  /**
   * How long a client may take to send its subscription list before it is disconnected
   * (default 30 s; Broker waits forever).
   */
  handshakeTimeout?: Duration;
  /** The version text of the `ack` (default {@link WEB_SOCKET_API_VERSION}). */
  version?: string;
}

/** Options with every default applied. */
export interface ResolvedWebSocketServerOptions {
  disableSsl: boolean;
  ssl: SslOptions | undefined;
  requireClientCertificate: boolean;
  bufferSize: number;
  overflowPolicy: WebSocketOverflowPolicy;
  maxClients: number;
  maxFrameSize: number;
  handshakeTimeoutMs: number;
  version: string;
}

const POLICIES: readonly WebSocketOverflowPolicy[] = ['disconnect', 'dropOldest', 'dropNewest'];

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BrokerError('invalid_data', `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Applies defaults: TLS settings follow the endpoint's unless given.
 * @param endpointTls - the endpoint's `disableSsl` and `ssl`
 * @throws BrokerError `invalid_data` naming the first bad option
 */
export function resolveWebSocketServerOptions(options: WebSocketServerOptions, endpointTls: { disableSsl: boolean; ssl: SslOptions | undefined }): ResolvedWebSocketServerOptions {
  if (options === null || typeof options !== 'object') throw new BrokerError('invalid_data', 'web socket options must be an object');
  const policy = options.overflowPolicy ?? 'disconnect';
  if (!POLICIES.includes(policy)) throw new BrokerError('invalid_data', `overflowPolicy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`);
  const disableSsl = options.disableSsl ?? endpointTls.disableSsl;
  if (typeof disableSsl !== 'boolean') throw new BrokerError('invalid_data', `disableSsl must be a boolean, got ${String(disableSsl)}`);
  const requireClientCertificate = options.requireClientCertificate ?? true;
  if (typeof requireClientCertificate !== 'boolean') throw new BrokerError('invalid_data', `requireClientCertificate must be a boolean, got ${String(requireClientCertificate)}`);
  const version = options.version ?? WEB_SOCKET_API_VERSION;
  if (typeof version !== 'string') throw new BrokerError('invalid_data', 'version must be a string');
  return {
    disableSsl,
    ssl: options.ssl ?? endpointTls.ssl,
    requireClientCertificate,
    bufferSize: positiveInt(options.bufferSize ?? 512, 'bufferSize'),
    overflowPolicy: policy,
    maxClients: positiveInt(options.maxClients ?? 1024, 'maxClients'),
    maxFrameSize: positiveInt(options.maxFrameSize ?? 16 * 1024 * 1024, 'maxFrameSize'),
    handshakeTimeoutMs: toMilliseconds(options.handshakeTimeout ?? 30_000, 'handshakeTimeout'),
    version,
  };
}
