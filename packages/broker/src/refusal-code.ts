/**
 * The Broker error code of a transport failure during a peering's handshake: of an
 * outbound connect that failed (reported on the dialing endpoint's status subscribers) or
 * of an inbound connection that the transport refused before its handshake completed
 * (reported on the listening endpoint's). One switch over every `NetErrorReason` of the
 * actor runtime, so that a new reason does not compile until it has a code. The codes are
 * Broker's `ec` values (`libbroker/broker/error.hh`).
 */
import { NET_ERROR_REASONS, type NetErrorReason } from '@broker-ts/actor';
import type { ErrorCodeName } from '@broker-ts/data';

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
