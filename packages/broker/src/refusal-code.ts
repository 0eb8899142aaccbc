/**
 * The Broker error code of a transport failure during a peering's handshake: of an
 * outbound connect that failed (reported on the dialing endpoint's status subscribers) or
 * of an inbound connection that the transport refused before its handshake completed
 * (reported on the listening endpoint's). One table over every `NetErrorReason` of the
 * actor runtime, so that a new reason does not compile until it has a code. The codes are
 * Broker's `ec` values (`libbroker/broker/error.hh`).
 */
import type { NetErrorReason } from '@broker-ts/actor';
import type { BrokerError, ErrorCodeName } from '@broker-ts/data';

/** Which side of the connection the failure is reported on. */
export type HandshakeSide = 'dialer' | 'listener';

/** The Broker code a failure gets on each side. */
interface SideCodes {
  /** On the endpoint that called `peer()`. */
  readonly dialer: ErrorCodeName;
  /** On the endpoint whose listening port the connection came in on. */
  readonly listener: ErrorCodeName;
}

/**
 * The one mapping from transport failures to Broker codes, a row for every
 * `NetErrorReason` (a reason without a row, or a row for no reason, does not compile).
 *
 * The dialer follows Broker's connector (`libbroker/broker/internal/connector.cc`), which
 * reports every failed connect or handshake as `peer_unavailable`, except where the
 * reason tells the user something the retry will not fix: a peer of another protocol
 * version (`peer_incompatible`, the code Broker's connector drops such a peer with) or a
 * server that is no peer at all, whose first bytes are not the protocol's magic
 * (`peer_incompatible` too: something else listens on that port). The listener names
 * what the client did wrong with the code Broker's handshake checks use
 * (`libbroker/broker/internal/wire_format.cc`: `wrong_magic_number` for another protocol's
 * bytes, such as HTTP) or the closest of Broker's handshake codes; Broker itself only logs
 * refused incoming connections (see docs/differences.md).
 */
const HANDSHAKE_FAILURE_CODES: { readonly [R in NetErrorReason]: SideCodes } = {
  /** Another protocol's bytes: another service on that port, or a client that is no peer (HTTP, garbage). */
  bad_magic: { dialer: 'peer_incompatible', listener: 'wrong_magic_number' },
  /** The version ranges do not overlap: both sides say so, as Broker does. */
  unsupported_version: { dialer: 'peer_incompatible', listener: 'peer_incompatible' },
  /** A frame too large for any handshake message. */
  oversized_frame: { dialer: 'peer_unavailable', listener: 'unexpected_handshake_message' },
  /** The connection ended inside the preamble or a frame. */
  truncated_frame: { dialer: 'peer_unavailable', listener: 'peer_disconnect_during_handshake' },
  /** A frame that is not a message of the handshake. */
  malformed_message: { dialer: 'peer_unavailable', listener: 'unexpected_handshake_message' },
  /**
   * The handshake did not complete in time. The dialer's peering table reports it as
   * `peer_unavailable` after the attempt, as Broker's connector does.
   */
  handshake_timeout: { dialer: 'peer_timeout', listener: 'peer_timeout' },
  /** The peer went silent after the handshake. */
  heartbeat_timeout: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
  /** A node dialled itself: the listener was asked for a peering that cannot be. */
  self_connection: { dialer: 'peer_unavailable', listener: 'invalid_peering_request' },
  /** Another connection to that node is kept instead. */
  duplicate_connection: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
  /** The node answering is not the one the connection was opened for. */
  unexpected_node: { dialer: 'peer_unavailable', listener: 'invalid_peering_request' },
  /** The peer read too slowly. */
  outbound_overflow: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
  /** The peer closed the connection before the handshake completed. */
  connection_closed: { dialer: 'peer_disconnect_during_handshake', listener: 'peer_disconnect_during_handshake' },
  /** The socket failed: nobody reachable there for the dialer, a vanished client for the listener. */
  socket_error: { dialer: 'peer_unavailable', listener: 'peer_disconnect_during_handshake' },
  /** The local node is shutting down. */
  shutdown: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
  /** A limit shared by every connection was reached. */
  resource_exhausted: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
  /** The shared secret did not match. */
  authentication_failed: { dialer: 'peer_unavailable', listener: 'peer_unavailable' },
};

/**
 * Maps the transport's reason for a failed handshake to Broker's error code, from the
 * table above: the dialer and the listener differ where the same reason means something
 * else to each (the dialer could not reach a peer; the listener was sent something that
 * is no peering request).
 * @param reason - the `NetError` reason
 * @param side - where the failure is reported
 */
export function handshakeFailureCode(reason: NetErrorReason, side: HandshakeSide): ErrorCodeName {
  return HANDSHAKE_FAILURE_CODES[reason][side];
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
  const code = typeof reason === 'string' && Object.hasOwn(HANDSHAKE_FAILURE_CODES, reason) ? handshakeFailureCode(reason as NetErrorReason, 'dialer') : 'peer_unavailable';
  const detail = (e as { message?: string } | null)?.message ?? String(e);
  return { code, message: `${DIALER_FAILURES[code] ?? 'unable to connect to remote peer'}: ${detail}` };
}

/**
 * What the dialer reports of an outbound peering whose native handshake failed, from the
 * error the connection closed with: the peer's DROP_CONN code or our own check. A peer
 * speaking no common version stays `peer_incompatible`, as in the table above;
 * everything else (refused or reset connection, TLS failure, timeout, garbage, a
 * connection to ourselves, another DROP_CONN) is `peer_unavailable`, the code Broker's
 * connector reports for a peering that could not be established; the message keeps the
 * detail.
 * @param error - why the connection closed
 * @returns the code and the message of the error event
 */
export function nativeConnectFailure(error: BrokerError): [code: ErrorCodeName, message: string] {
  const code = nativeDialerCode(error.code);
  return [code, `${DIALER_FAILURES[code] ?? 'unable to connect to remote peer'}: ${error.message}`];
}

function nativeDialerCode(code: ErrorCodeName): ErrorCodeName {
  return code === 'peer_incompatible' ? code : 'peer_unavailable';
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
