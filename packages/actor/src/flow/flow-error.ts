/**
 * Why a flow ended abnormally, with stable numbers (new codes are appended). A closed
 * set, so that handlers can switch on it and the value survives serialization.
 */
export const FlowErrorCodes = {
  /** The producer's buffer overflowed under the `disconnect` policy. */
  overflow: 1,
  /** The consuming actor died (or its node went away). */
  consumer_down: 2,
  /** The producing actor died (or its node went away). */
  producer_down: 3,
  /** The consumer cancelled the stream. */
  cancelled: 4,
  /** The producer aborted the stream. */
  aborted: 5,
  /** The consumer refused to open the stream. */
  rejected: 6,
  /** The stream was already closed when an item was written to it. */
  closed: 7,
  /** The peer broke the credit protocol (sent more than granted, bad credit, bad message). */
  protocol: 8,
  /** A caller passed a bad option or value. */
  invalid_argument: 9,
} as const;

/** Name of a flow error code. */
export type FlowErrorCode = keyof typeof FlowErrorCodes;

/** The serializable form of a {@link FlowError}, as it travels inside flow messages. */
export interface FlowErrorData {
  /** The error code. */
  code: FlowErrorCode;
  /** Human-readable detail. */
  message: string;
}

/** A typed error that ends a flow or rejects a bad flow argument. */
export class FlowError extends Error {
  /** What went wrong, from a closed set. */
  readonly code: FlowErrorCode;

  /**
   * @param code - what went wrong
   * @param message - human-readable detail
   */
  constructor(code: FlowErrorCode, message: string) {
    super(message);
    this.name = 'FlowError';
    this.code = code;
  }

  /** The stable number of {@link FlowError.code}. */
  get codeNumber(): number {
    return FlowErrorCodes[this.code];
  }

  /** Returns the plain-data form that can cross a thread or process boundary. */
  toData(): FlowErrorData {
    return { code: this.code, message: this.message };
  }

  /**
   * Rebuilds an error from its data form. Unknown or malformed input (from a peer that
   * misbehaves) becomes a `protocol` error instead of throwing.
   * @param data - what arrived over the wire
   */
  static fromData(data: unknown): FlowError {
    if (typeof data === 'object' && data !== null) {
      const { code, message } = data as { code?: unknown; message?: unknown };
      if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(FlowErrorCodes, code)) {
        return new FlowError(code as FlowErrorCode, typeof message === 'string' ? message : code);
      }
    }
    return new FlowError('protocol', 'malformed flow error from peer');
  }
}
