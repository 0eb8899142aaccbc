/**
 * Why a TCP connection between two nodes failed or was closed, with stable numbers (new
 * reasons are appended), as `ActorErrorCodes` and `FlowErrorCodes` number theirs (CAF's
 * `sec` is the model). The names are stable too: they appear on the wire (in REJECT and
 * GOODBYE messages), in logs and in exit reasons.
 */
export const NetErrorCodes = {
  /** The peer's first bytes are not this protocol's magic number (e.g. an HTTP request). */
  bad_magic: 1,
  /** The two nodes' protocol version ranges do not overlap. */
  unsupported_version: 2,
  /** A frame announced a length above the limit; nothing was allocated for it. */
  oversized_frame: 3,
  /** The connection ended in the middle of the preamble or of a frame. */
  truncated_frame: 4,
  /** A frame's payload is not a valid message of the current protocol phase. */
  malformed_message: 5,
  /** The peer did not complete the handshake in time (e.g. connects and says nothing). */
  handshake_timeout: 6,
  /** The peer sent nothing for too many heartbeat intervals. */
  heartbeat_timeout: 7,
  /** The peer is this very node. */
  self_connection: 8,
  /** Another connection to the same node already exists and is kept instead. */
  duplicate_connection: 9,
  /** The peer's node id is not the one this connection was opened for. */
  unexpected_node: 10,
  /** The bounded outbound queue overflowed because the peer reads too slowly. */
  outbound_overflow: 11,
  /** The peer closed the connection (or said GOODBYE). */
  connection_closed: 12,
  /** The socket failed (reset, refused, unreachable). */
  socket_error: 13,
  /** The local node is shutting down. */
  shutdown: 14,
  /**
   * A limit shared by every connection was reached: too many pending handshakes (the
   * oldest is evicted) or too much memory held by partial frames (the connection holding
   * the oldest partial frame is closed).
   */
  resource_exhausted: 15,
  /** The peer did not prove that it knows the shared secret, or asked for one we lack. */
  authentication_failed: 16,
} as const;

/** Name of a network error reason (see {@link NetErrorCodes}). */
export type NetErrorReason = keyof typeof NetErrorCodes;

/** Every {@link NetErrorReason}, in code order, for validating reasons received from the wire. */
export const NET_ERROR_REASONS: readonly NetErrorReason[] = Object.keys(NetErrorCodes) as NetErrorReason[];

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

  /** The stable number of {@link NetError.reason}. */
  get codeNumber(): number {
    return NetErrorCodes[this.reason];
  }

  /**
   * Rebuilds an error received from a peer; an unknown reason becomes `malformed_message`.
   * @param reason - the reason as received
   * @param detail - the detail as received
   */
  static fromWire(reason: unknown, detail: unknown): NetError {
    const text = typeof detail === 'string' ? detail : '';
    if (typeof reason === 'string' && Object.prototype.hasOwnProperty.call(NetErrorCodes, reason)) {
      return new NetError(reason as NetErrorReason, text);
    }
    return new NetError('malformed_message', `unknown reason ${String(reason)} (${text})`);
  }
}
