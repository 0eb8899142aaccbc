/**
 * Maps endpoint options to Node `tls` options with Broker's semantics, after
 * `ssl_context_from_cfg` in libbroker/broker/internal/connector.cc:
 *
 * - `disableSsl`: plain TCP.
 * - No credentials (Broker's default): anonymous TLS 1.2 with the cipher
 *   `AECDH-AES256-SHA@SECLEVEL=0`, the group P-384 and no verification, on both sides.
 * - Any of certificate, key, passphrase, cafile, capath: verified TLS. Both sides
 *   present their certificate and require the peer's, verified against cafile/capath
 *   only (never the system's roots), ciphers `HIGH:!aNULL:!MD5`, TLS 1.2 or newer. As
 *   with OpenSSL's default verification, host names are not checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { BrokerError } from '@broker-ts/data';

/** Broker's `broker.ssl.*` credentials (all file paths except the passphrase). */
export interface NativeSslCredentials {
  /** PEM certificate chain file. */
  certificate?: string;
  /** PEM private key file. */
  key?: string;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  /** PEM file of trusted CA certificates. */
  cafile?: string;
  /** Directory of trusted CA certificates (every PEM certificate in it is trusted). */
  capath?: string;
}

/** The options that decide the transport of a native peering. */
export interface NativeTransportSettings {
  /** Plain TCP when true. */
  disableSsl?: boolean;
  /** Credentials; any of them switches to verified TLS. */
  ssl?: NativeSslCredentials;
}

/** The transport of a native peering, ready for `net`/`tls`. */
export type NativeTransport =
  | { mode: 'plain' }
  | {
      /** `anonymous`: Broker's default unauthenticated TLS; `verified`: certificates on both sides. */
      mode: 'anonymous' | 'verified';
      /** Options for `tls.connect` (the host and port are added by the caller). */
      client: tls.ConnectionOptions;
      /** Options for `tls.createServer`. */
      server: tls.TlsOptions;
    };

/** Broker's cipher for unauthenticated peerings. */
export const ANONYMOUS_CIPHERS = 'AECDH-AES256-SHA@SECLEVEL=0';
/** Broker's ECDH group for unauthenticated peerings. */
export const ANONYMOUS_CURVE = 'P-384';
/** Broker's cipher list for authenticated peerings. */
export const VERIFIED_CIPHERS = 'HIGH:!aNULL:!MD5';

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new BrokerError('cannot_open_file', `cannot read the ${what} ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/** Every file in `dir` that holds a PEM certificate (OpenSSL's hashed names or not). */
function readCaDirectory(dir: string): Buffer[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new BrokerError('cannot_open_file', `cannot read the CA directory ${dir}: ${(e as Error).message}`, { file: dir }, { cause: e });
  }
  const out: Buffer[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    let bytes: Buffer;
    try {
      if (!fs.statSync(file).isFile()) continue;
      bytes = fs.readFileSync(file);
    } catch {
      continue;
    }
    if (bytes.includes('-----BEGIN CERTIFICATE-----')) out.push(bytes);
  }
  return out;
}

function str(value: unknown, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BrokerError('invalid_data', `ssl.${what} must be a string, got ${typeof value}`);
  return value;
}

/**
 * Builds the transport of native peerings from endpoint options.
 * @param settings - `disableSsl` and `ssl` credentials
 * @returns plain TCP, or the `tls` options of both sides
 * @throws BrokerError `invalid_data` for malformed options, `cannot_open_file` for an
 *   unreadable certificate, key or CA file
 */
export function nativeTransport(settings: NativeTransportSettings = {}): NativeTransport {
  if (settings.disableSsl !== undefined && typeof settings.disableSsl !== 'boolean') {
    throw new BrokerError('invalid_data', `disableSsl must be a boolean, got ${String(settings.disableSsl)}`);
  }
  if (settings.disableSsl) return { mode: 'plain' };
  const ssl = settings.ssl ?? {};
  if (ssl === null || typeof ssl !== 'object') throw new BrokerError('invalid_data', 'ssl must be an object');
  const certificate = str(ssl.certificate, 'certificate');
  const key = str(ssl.key, 'key');
  const passphrase = str(ssl.passphrase, 'passphrase');
  const cafile = str(ssl.cafile, 'cafile');
  const capath = str(ssl.capath, 'capath');
  if (!certificate && !key && !passphrase && !cafile && !capath) {
    const common = { ciphers: ANONYMOUS_CIPHERS, ecdhCurve: ANONYMOUS_CURVE, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    return {
      mode: 'anonymous',
      client: { ...common, rejectUnauthorized: false },
      server: { ...common, requestCert: false, rejectUnauthorized: false },
    };
  }
  // Only the configured CAs are trusted: an empty list keeps Node from adding its roots.
  const ca: Buffer[] = [];
  if (cafile) ca.push(readPem(cafile, 'CA file'));
  if (capath) ca.push(...readCaDirectory(capath));
  const credentials: tls.SecureContextOptions = {
    ...(certificate ? { cert: readPem(certificate, 'certificate') } : {}),
    ...(key ? { key: readPem(key, 'key') } : {}),
    ...(passphrase ? { passphrase } : {}),
    ca,
    ciphers: VERIFIED_CIPHERS,
    minVersion: 'TLSv1.2',
  };
  return {
    mode: 'verified',
    client: { ...credentials, rejectUnauthorized: true, checkServerIdentity: () => undefined },
    server: { ...credentials, requestCert: true, rejectUnauthorized: true },
  };
}
