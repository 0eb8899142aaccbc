/**
 * The Broker error code of a transport failure during a peering's handshake: of an
 * outbound connect that failed (reported on the dialing endpoint's status subscribers) or
 * of an inbound connection that the transport refused before its handshake completed
 * (reported on the listening endpoint's). One switch over every `NetErrorReason` of the
 * actor runtime, so that a new reason does not compile until it has a code. The codes are
 * Broker's `ec` values (`libbroker/broker/error.hh`).
 */
import { NET_ERROR_REASONS, type NetErrorReason } from '@broker-ts/actor';
import type { BrokerError, ErrorCodeName } from '@broker-ts/data';

/** Which side of the connection the failure is reported on. */
export type HandshakeSide = 'dialer' | 'listener';

/**
 * Maps the transport's reason for a failed handshake to Broker's error code.
 *
 * Both sides agree except where the reason means something else to the dialer: the first
 * bytes of a server that is no Broker node (`bad_magic`) make it an incompatible peer for
 * the dialer, while the listener reports `wrong_magic_number` for a client speaking
 * another protocol (garbage, HTTP); a socket error or a connection to itself means the
 * dialer could not reach a peer at that address (`peer_unavailable`); a dialer's handshake
 * that timed out is `peer_timeout`, which the dialer reports as `peer_unavailable` like
 * Broker's connector.
 * @param reason - the `NetError` reason
 * @param side - where the failure is reported
 */
export function handshakeFailureCode(reason: NetErrorReason, side: HandshakeSide): ErrorCodeName {
  switch (reason) {
    case 'bad_magic':
      return side === 'listener' ? 'wrong_magic_number' : 'peer_incompatible';
    case 'unsupported_version':
      return 'peer_incompatible';
    case 'handshake_timeout':
      return 'peer_timeout';
    case 'connection_closed':
      return 'peer_disconnect_during_handshake';
    case 'truncated_frame':
    case 'socket_error':
      return side === 'listener' ? 'peer_disconnect_during_handshake' : 'peer_unavailable';
    case 'malformed_message':
    case 'oversized_frame':
      return side === 'listener' ? 'unexpected_handshake_message' : 'peer_unavailable';
    case 'self_connection':
    case 'unexpected_node':
      return side === 'listener' ? 'invalid_peering_request' : 'peer_unavailable';
    case 'heartbeat_timeout':
    case 'duplicate_connection':
    case 'outbound_overflow':
    case 'shutdown':
    case 'resource_exhausted':
    case 'authentication_failed':
      return 'peer_unavailable';
    default:
      return unknownReason(reason);
  }
}

/** Refuses to compile when a `NetErrorReason` has no case above. */
function unknownReason(reason: never): ErrorCodeName {
  void reason;
  return 'peer_unavailable';
}

/** What the dialer says of a failed connect, by its code. */
const DIALER_FAILURES: Partial<Record<ErrorCodeName, string>> = {
  peer_incompatible: 'incompatible peer',
  peer_timeout: 'peer did not complete the handshake',
  peer_disconnect_during_handshake: 'peer disconnected during the handshake',
};

/**
 * Maps a failed outbound connect to Broker's error code and a message.
 * @param e - the rejection of the transport's `connect`: a `NetError`, or any other error
 *   (then `peer_unavailable`)
 */
export function connectFailure(e: unknown): { code: ErrorCodeName; message: string } {
  const reason = (e as { reason?: unknown } | null)?.reason;
  const code = typeof reason === 'string' && (NET_ERROR_REASONS as readonly string[]).includes(reason) ? handshakeFailureCode(reason as NetErrorReason, 'dialer') : 'peer_unavailable';
  const detail = (e as { message?: string } | null)?.message ?? String(e);
  return { code, message: `${DIALER_FAILURES[code] ?? 'unable to connect to remote peer'}: ${detail}` };
}

/**
 * What the dialer reports of an outbound peering whose native handshake failed, from the
 * error the connection closed with: the peer's DROP_CONN code or our own check. A peer
 * speaking no common version stays `peer_incompatible` and a connection to ourselves
 * `peer_invalid`; everything else (refused or reset connection, TLS failure, timeout,
 * garbage, another DROP_CONN) is `peer_unavailable`, the code Broker's connector reports
 * for a peering that could not be established.
 * @param error - why the connection closed
 * @returns the code and the message of the error event
 */
export function nativeConnectFailure(error: BrokerError): [code: ErrorCodeName, message: string] {
  const code = nativeDialerCode(error.code);
  return [code, `${DIALER_FAILURES[code] ?? 'unable to connect to remote peer'}: ${error.message}`];
}

function nativeDialerCode(code: ErrorCodeName): ErrorCodeName {
  switch (code) {
    case 'peer_incompatible':
    case 'peer_invalid':
      return code;
    default:
      return 'peer_unavailable';
  }
}

/**
 * What the listener reports of an inbound connection whose native handshake failed: the
 * code of the DROP_CONN it sent or of the check that failed (`wrong_magic_number`,
 * `invalid_message`, `peer_incompatible`, `unexpected_handshake_message`, `peer_timeout`,
 * `peer_unavailable` for a TLS failure or a peer that left mid-handshake, ...). A
 * redundant connection (both sides peered at once) is no error: undefined.
 * @param error - why the connection closed
 */
export function nativeRefusalCode(error: BrokerError): ErrorCodeName | undefined {
  return error.code === 'redundant_connection' ? undefined : error.code;
}
