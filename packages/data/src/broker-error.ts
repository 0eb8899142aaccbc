import type { Data } from './data';
import { ErrorCode, type ErrorCodeName } from './error-code';

/** Facts attached to a {@link BrokerError}. */
export interface BrokerErrorContext {
  /** Byte offset (binary input) or character offset (text and JSON input) of the problem. */
  offset?: number;
  /** The `endpoint_info` the error concerns, in Broker's data layout (Broker's `libbroker/broker/error.cc`); `errorToData` writes it. */
  endpoint?: Data;
  /** Further facts about the problem. */
  [key: string]: unknown;
}

/**
 * The one error type of broker-ts: a Broker error code plus a message that says what
 * was wrong and where, plus structured context. Its Broker data layout is written and
 * read by `errorToData` and `errorFromData` (`error-data.ts`).
 */
export class BrokerError extends Error {
  /** Broker's name of the error code, e.g. `'type_clash'`. */
  readonly code: ErrorCodeName;
  /** Structured facts about the problem (offsets, the endpoint concerned, ...). */
  readonly context: BrokerErrorContext;

  /**
   * @param code - Broker's error code name
   * @param message - what was wrong and where
   * @param context - structured facts (an `offset` is kept here; the decoders also name it
   *   in their messages)
   * @param options - `cause`, the error that led to this one
   */
  constructor(code: ErrorCodeName, message: string, context: BrokerErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.context = context;
  }

  /** The numeric error code (current Broker numbering, e.g. `type_clash` is 11). */
  get ec(): number {
    return ErrorCode[this.code];
  }

  override get name(): string {
    return 'BrokerError';
  }
}
