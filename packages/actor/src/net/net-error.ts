/**
 * Why a TCP connection between two nodes failed or was closed. The names are stable: they
 * appear on the wire (in REJECT and GOODBYE messages), in logs and in exit reasons.
 */
export type NetErrorReason =
  /** The peer's first bytes are not this protocol's magic number (e.g. an HTTP request). */
  | 'bad_magic'
  /** The two nodes' protocol version ranges do not overlap. */
  | 'unsupported_version'
  /** A frame announced a length above the limit; nothing was allocated for it. */
  | 'oversized_frame'
  /** The connection ended in the middle of the preamble or of a frame. */
  | 'truncated_frame'
  /** A frame's payload is not a valid message of the current protocol phase. */
  | 'malformed_message'
  /** The peer did not complete the handshake in time (e.g. connects and says nothing). */
  | 'handshake_timeout'
  /** The peer sent nothing for too many heartbeat intervals. */
  | 'heartbeat_timeout'
  /** The peer is this very node. */
  | 'self_connection'
  /** Another connection to the same node already exists and is kept instead. */
  | 'duplicate_connection'
  /** The peer's node id is not the one this connection was opened for. */
  | 'unexpected_node'
  /** The bounded outbound queue overflowed because the peer reads too slowly. */
  | 'outbound_overflow'
  /** The peer closed the connection (or said GOODBYE). */
  | 'connection_closed'
  /** The socket failed (reset, refused, unreachable). */
  | 'socket_error'
  /** The local node is shutting down. */
  | 'shutdown'
  /**
   * A limit shared by every connection was reached: too many pending handshakes (the
   * oldest is evicted) or too much memory held by partial frames (the connection holding
   * the oldest partial frame is closed).
   */
  | 'resource_exhausted'
  /** The peer did not prove that it knows the shared secret, or asked for one we lack. */
  | 'authentication_failed';

/** Every {@link NetErrorReason}, for validating reasons received from the wire. */
export const NET_ERROR_REASONS: readonly NetErrorReason[] = [
  'bad_magic',
  'unsupported_version',
  'oversized_frame',
  'truncated_frame',
  'malformed_message',
  'handshake_timeout',
  'heartbeat_timeout',
  'self_connection',
  'duplicate_connection',
  'unexpected_node',
  'outbound_overflow',
  'connection_closed',
  'socket_error',
  'shutdown',
  'resource_exhausted',
  'authentication_failed',
];

/**
 * A typed network error of the actor runtime's TCP transport.
 *
 * `reason` is a closed set of names (see {@link NetErrorReason}); `message` adds the
 * detail (e.g. the offending length). Errors cross the wire as `[reason, detail]` and are
 * rebuilt with {@link NetError.fromWire}.
 */
export class NetError extends Error {
  /** Stable reason name. */
  readonly reason: NetErrorReason;

  /**
   * @param reason - stable reason name
   * @param detail - human-readable detail
   */
  constructor(reason: NetErrorReason, detail: string, options?: { cause?: unknown }) {
    super(`${reason}: ${detail}`, options);
    this.name = 'NetError';
    this.reason = reason;
  }

  /**
   * Rebuilds an error received from a peer; an unknown reason becomes `malformed_message`.
   * @param reason - the reason as received
   * @param detail - the detail as received
   */
  static fromWire(reason: unknown, detail: unknown): NetError {
    const text = typeof detail === 'string' ? detail : '';
    if (typeof reason === 'string' && (NET_ERROR_REASONS as readonly string[]).includes(reason)) {
      return new NetError(reason as NetErrorReason, text);
    }
    return new NetError('malformed_message', `unknown reason ${String(reason)} (${text})`);
  }
}
