/**
 * Typed, numbered, serializable errors of the actor runtime (modelled on CAF's `sec`).
 * Codes never change meaning; new ones are appended.
 */

/** Every error code of the runtime with its stable number. */
export const ActorErrorCodes = {
  /** The receiver has no handler for the message type. */
  unexpected_message: 1,
  /** The receiver of a request stopped (or never existed) before answering. */
  request_receiver_down: 2,
  /** A request was not answered within its timeout. */
  request_timeout: 3,
  /** A response promise was dropped (its actor stopped) before it was fulfilled. */
  broken_promise: 4,
  /** A name is already registered to a live actor. */
  name_taken: 5,
  /** The actor system is shutting down or shut down. */
  system_shutdown: 6,
  /** The receiver's mailbox is full (its bound was reached). */
  mailbox_full: 7,
  /** No route to the target node, or the node was lost. */
  unreachable: 8,
  /** A handler threw while processing a request. */
  runtime_error: 9,
  /** An argument was invalid (bad option, bad message shape, wrong export). */
  invalid_argument: 10,
  /** Spawning an actor failed (for example a worker module could not be loaded). */
  spawn_failed: 11,
  /** A supervisor exceeded its restart intensity. */
  restart_intensity: 12,
  /** A worker thread failed to start or crashed. */
  worker_failed: 13,
  /** Bytes received from another node could not be decoded. */
  decode_failed: 14,
} as const;

/** Name of an actor error code. */
export type ActorErrorCode = keyof typeof ActorErrorCodes;

/** Plain-data form of an {@link ActorError}, as it travels between nodes. */
export interface ActorErrorData {
  /** The code name. */
  code: ActorErrorCode;
  /** Human-readable message. */
  message: string;
  /** Optional cause, reduced to name and message when it is an Error. */
  cause?: unknown;
}

/**
 * An error raised by the runtime. It carries a stable `code` (and its number) and an
 * optional cause; it survives the trip between threads and processes.
 */
export class ActorError extends Error {
  /** Stable code name, e.g. `request_timeout`. */
  readonly code: ActorErrorCode;

  /**
   * @param code - the error code
   * @param message - human-readable detail (defaults to the code name)
   * @param cause - the underlying error, if any
   */
  constructor(code: ActorErrorCode, message?: string, cause?: unknown) {
    super(message ?? code, cause === undefined ? undefined : { cause });
    this.name = 'ActorError';
    this.code = code;
  }

  /** The stable number of {@link ActorError.code}. */
  get codeNumber(): number {
    return ActorErrorCodes[this.code];
  }

  /** Plain data for serialization; causes are reduced to `{ name, message }`. */
  toData(): ActorErrorData {
    const data: ActorErrorData = { code: this.code, message: this.message };
    if (this.cause !== undefined) data.cause = reduceCause(this.cause);
    return data;
  }

  /**
   * Rebuilds an error from {@link ActorError.toData} output; unknown codes become
   * `runtime_error` so that a newer peer never crashes an older one.
   */
  static fromData(data: ActorErrorData): ActorError {
    const code = Object.prototype.hasOwnProperty.call(ActorErrorCodes, data.code) ? data.code : 'runtime_error';
    return new ActorError(code, String(data.message), data.cause);
  }
}

/**
 * Reduces an arbitrary cause to data that every codec can carry.
 * @param cause - anything thrown
 * @returns an ActorErrorData, `{ name, message }` for other errors, or the value itself
 */
export function reduceCause(cause: unknown): unknown {
  if (cause instanceof ActorError) return cause.toData();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}
