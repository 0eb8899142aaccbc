/**
 * Recognises the start of a TLS connection in the bytes a plain (disableSsl) connection
 * receives: a TLS peer opens with a handshake record, content type 22 and protocol
 * major version 3 (RFC 8446 section 5.1; every TLS version and SSL 3.0). No Broker
 * handshake frame starts that way on a sane connection: it would announce a frame of
 * more than 369 MB.
 */

/** TLS record content type "handshake". */
const HANDSHAKE_RECORD = 0x16;
/** The major protocol version of every TLS record layer. */
const TLS_MAJOR_VERSION = 0x03;

/**
 * Tells whether the first bytes received look like a TLS client's first record.
 * @param bytes - the first bytes received on the connection (two are enough)
 */
export function startsLikeTls(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === HANDSHAKE_RECORD && bytes[1] === TLS_MAJOR_VERSION;
}
