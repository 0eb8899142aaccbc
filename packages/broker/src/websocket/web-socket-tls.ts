/**
 * Broker's TLS settings for its WebSocket port, mapped to Node's `tls` options. Broker
 * uses one SSL context for peering and WebSocket clients
 * (`libbroker/broker/internal/connector.cc`, `ssl_context_from_cfg`): without
 * certificates, anonymous TLS (cipher `AECDH-AES256-SHA@SECLEVEL=0`, group P-384, no
 * verification); with any of certificate, key or CA file, verified TLS that requires a
 * certificate from both sides (ciphers `HIGH:!aNULL:!MD5`); TLS 1.2 at least.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, SecureContextOptions, TlsOptions } from 'node:tls';
import { BrokerError } from '@broker-ts/data';
import type { SslOptions } from '../endpoint-options';

/** Broker's anonymous TLS: what Node needs to speak it, on either side. */
export const ANONYMOUS_TLS = {
  ciphers: 'AECDH-AES256-SHA@SECLEVEL=0',
  ecdhCurve: 'P-384',
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
} as const satisfies SecureContextOptions;

/** Whether the options name credentials (Broker's `authentication_enabled()`). */
export function hasCredentials(ssl: SslOptions | undefined): ssl is SslOptions {
  return ssl !== undefined && (ssl.certificate !== undefined || ssl.key !== undefined || ssl.cafile !== undefined);
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BrokerError('cannot_open_file', `cannot read the ${what} ${path}: ${(e as Error).message}`, {}, { cause: e });
  }
}

/** The credentials of `ssl` as Node's secure-context options (files read now). */
function credentials(ssl: SslOptions): SecureContextOptions {
  const out: SecureContextOptions = { ciphers: 'HIGH:!aNULL:!MD5', minVersion: 'TLSv1.2' };
  if (ssl.certificate !== undefined) out.cert = readPem(ssl.certificate, 'certificate');
  if (ssl.key !== undefined) out.key = readPem(ssl.key, 'key');
  if (ssl.passphrase !== undefined) out.passphrase = ssl.passphrase;
  if (ssl.cafile !== undefined) out.ca = readPem(ssl.cafile, 'CA file');
  return out;
}

/**
 * The TLS server options of a WebSocket port, or undefined for plain TCP.
 * @param disableSsl - plain TCP (Broker's `broker.disable-ssl`)
 * @param ssl - credentials; without them, anonymous TLS
 * @param requireClientCertificate - with credentials, refuse clients without a certificate
 *   signed by the CA (Broker always does; browsers rarely have one)
 * @throws BrokerError `cannot_open_file` when a credential file cannot be read
 */
export function webSocketServerTls(disableSsl: boolean, ssl: SslOptions | undefined, requireClientCertificate: boolean): TlsOptions | undefined {
  if (disableSsl) return undefined;
  if (!hasCredentials(ssl)) return { ...ANONYMOUS_TLS };
  return { ...credentials(ssl), requestCert: requireClientCertificate, rejectUnauthorized: requireClientCertificate };
}

/**
 * The TLS options of a client connecting to a `wss://` URL: anonymous TLS without
 * credentials (Broker's default), verified TLS with them.
 * @throws BrokerError `cannot_open_file` when a credential file cannot be read
 */
export function webSocketClientTls(ssl: SslOptions | undefined): ConnectionOptions {
  if (!hasCredentials(ssl)) return { ...ANONYMOUS_TLS, rejectUnauthorized: false };
  // Broker verifies the certificate chain only (SSL_VERIFY_PEER), never the host name.
  return { ...credentials(ssl), rejectUnauthorized: true, checkServerIdentity: () => undefined };
}
