import type { Data } from './data';
import { EnumValue } from './enum-value';
import { ErrorCode, type ErrorCodeName, isErrorCodeName } from './error-code';

/** Facts attached to a {@link BrokerError}. */
export interface BrokerErrorContext {
  /** Byte offset (binary input) or character offset (text and JSON input) of the problem. */
  offset?: number;
  /** The `endpoint_info` the error concerns, in Broker's data layout (Broker's `libbroker/broker/error.cc`). */
  endpoint?: Data;
  /** Further facts about the problem. */
  [key: string]: unknown;
}

/**
 * The one error type of broker-ts: a Broker error code plus a message that says what
 * was wrong and where, plus structured context.
 */
export class BrokerError extends Error {
  /** Broker's name of the error code, e.g. `'type_clash'`. */
  readonly code: ErrorCodeName;
  /** Structured facts about the problem (offsets, the endpoint concerned, ...). */
  readonly context: BrokerErrorContext;

  /**
   * @param code - Broker's error code name
   * @param message - what was wrong and where
   * @param context - structured facts; `offset` is appended to the message when set
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

  /**
   * Broker's data layout of an error (Broker's `libbroker/broker/error.cc`):
   * `["error", enum_value(code), context]` where context is nil (empty message),
   * `[message]`, or `[endpoint_info, message]` when `context.endpoint` is set.
   * @returns the error as Broker data
   */
  toData(): Data {
    const endpoint = this.context.endpoint;
    let ctx: Data = null;
    if (endpoint !== undefined) ctx = [endpoint, this.message];
    else if (this.message !== '') ctx = [this.message];
    return ['error', new EnumValue(this.code), ctx];
  }

  /**
   * Rebuilds an error from Broker's data layout (the inverse of {@link BrokerError.toData}).
   * @param value - `["error", enum_value(code), context]`
   * @returns the error
   * @throws BrokerError `invalid_data` when the value does not have that layout
   */
  static fromData(value: Data): BrokerError {
    if (!Array.isArray(value) || value.length !== 3 || value[0] !== 'error' || !(value[1] instanceof EnumValue) || !isErrorCodeName(value[1].name)) {
      throw new BrokerError('invalid_data', 'not an error value: expected ["error", enum_value(code), context]');
    }
    const code = value[1].name;
    const ctx = value[2];
    if (ctx === null) return new BrokerError(code, '');
    if (Array.isArray(ctx) && ctx.length === 1 && typeof ctx[0] === 'string') return new BrokerError(code, ctx[0]);
    if (Array.isArray(ctx) && ctx.length === 2 && typeof ctx[1] === 'string') return new BrokerError(code, ctx[1], { endpoint: ctx[0] });
    throw new BrokerError('invalid_data', 'not an error value: its context is neither nil, [message] nor [endpoint_info, message]');
  }
}
