/**
 * `connectWebSocket` for Node: the WebSocket JSON API client over the `ws` package, with
 * Broker's TLS for `wss://` URLs (anonymous by default, verified with credentials).
 */
import { BrokerError } from '@broker-ts/data';
import WebSocket from 'ws';
import { describeArg } from '../argument-checks';
import type { SslOptions } from '../endpoint-options';
import { connectWebSocketWith, type WebSocketClient, type WebSocketClientOptions, type WebSocketLike } from './web-socket-client';
import { webSocketClientTls } from './web-socket-tls';

/** Options of `connectWebSocket` in Node. */
export interface NodeWebSocketClientOptions extends WebSocketClientOptions {
  /**
   * For `wss://` URLs: credentials for verified TLS (certificate, key, CA file,
   * passphrase). Without them, TLS is anonymous, as Broker's default.
   */
  ssl?: SslOptions;
  /** Largest frame accepted from the server, in bytes (default 16 MiB). */
  maxFrameSize?: number;
}

/**
 * Connects to the WebSocket JSON API of a Zeek, a Broker or a broker-ts endpoint, e.g.
 * `ws://127.0.0.1:9997/v1/messages/json`.
 * @returns the client, once the server acknowledged its subscription list
 * @throws BrokerError `peer_unavailable` when the first connection fails and no retry
 *   was asked for; `invalid_data`/`invalid_topic_key` for bad options or URL
 */
export function connectWebSocket(url: string, options: NodeWebSocketClientOptions = {}): Promise<WebSocketClient> {
  if (options === null || typeof options !== 'object') return Promise.reject(new BrokerError('invalid_data', `connectWebSocket options must be an object, got ${describeArg(options)}`));
  let secure: boolean;
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'ws:' && protocol !== 'wss:') throw new Error(`unsupported scheme ${protocol}`);
    secure = protocol === 'wss:';
  } catch (e) {
    return Promise.reject(new BrokerError('invalid_data', `not a WebSocket URL: ${String(url)} (${(e as Error).message})`));
  }
  const tls = secure ? webSocketClientTls(options.ssl) : {};
  const maxPayload = options.maxFrameSize ?? 16 * 1024 * 1024;
  return connectWebSocketWith(url, options, (u) => new WebSocket(u, { perMessageDeflate: false, maxPayload, ...tls }) as unknown as WebSocketLike);
}
