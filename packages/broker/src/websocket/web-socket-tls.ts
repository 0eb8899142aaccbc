/**
 * Broker's TLS settings for its WebSocket port, mapped to Node's `tls` options. Broker
 * uses one SSL context for peering and WebSocket clients
 * (`libbroker/broker/internal/connector.cc`, `ssl_context_from_cfg`), and so does
 * broker-ts: both sides come from {@link nativeTransport} (anonymous TLS 1.2 without
 * credentials, verified TLS with a certificate from both sides with them). The WebSocket
 * server may additionally waive the client certificate, for browsers.
 */
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { SslOptions } from '../endpoint-options';
import { nativeTransport } from '../native/tls-options';

/**
 * The TLS server options of a WebSocket port, or undefined for plain TCP.
 * @param disableSsl - plain TCP (Broker's `broker.disable-ssl`)
 * @param ssl - credentials; without them, anonymous TLS
 * @param requireClientCertificate - with credentials, refuse clients without a certificate
 *   signed by the CA (Broker always does; browsers rarely have one)
 * @throws BrokerError `cannot_open_file` when a credential file cannot be read
 */
export function webSocketServerTls(disableSsl: boolean, ssl: SslOptions | undefined, requireClientCertificate: boolean): TlsOptions | undefined {
  const transport = nativeTransport({ disableSsl, ssl });
  if (transport.mode === 'plain') return undefined;
  if (transport.mode === 'verified' && !requireClientCertificate) return { ...transport.server, requestCert: false, rejectUnauthorized: false };
  return transport.server;
}

/**
 * The TLS options of a client connecting to a `wss://` URL: anonymous TLS without
 * credentials (Broker's default), verified TLS with them (the certificate chain only,
 * never the host name, as Broker).
 * @throws BrokerError `cannot_open_file` when a credential file cannot be read
 */
export function webSocketClientTls(ssl: SslOptions | undefined): ConnectionOptions {
  const transport = nativeTransport({ ssl });
  return transport.mode === 'plain' ? {} : transport.client;
}
