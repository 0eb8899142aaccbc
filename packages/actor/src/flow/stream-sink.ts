import { CreditController, type CreditControllerOptions } from './credit-controller';
import { FlowError } from './flow-error';
import type { FlowToSource } from './flow-protocol';

/** Options of the consumer side of a stream. */
export interface SinkOptions extends CreditControllerOptions {
  /**
   * `auto` (default): items count as consumed when `onItems` returns.
   * `manual`: the consumer calls {@link StreamSink.consumed} when it is done with them
   * (for example when a queue it fed is read), so credit follows its real backlog.
   */
  ack?: 'auto' | 'manual';
  /**
   * Undoes the producer's `packBatch`: turns a `flow.batch` message's `items` back into
   * the stream's items before they are counted against credit. It must not throw (it
   * reports malformed input as items the handlers drop).
   */
  unpackBatch?(items: unknown[]): unknown[];
}

/** What the consumer does with a stream's items and its end. */
export interface SinkHandlers<T> {
  /** A batch arrived (never more than the credit granted). The array is the caller's to keep. */
  onItems(items: T[], sink: StreamSink<T>): void;
  /** The producer completed the stream after its last batch. */
  onComplete?(sink: StreamSink<T>): void;
  /** The stream ended with an error (producer aborted, overflowed, died, or broke protocol). */
  onError?(error: FlowError, sink: StreamSink<T>): void;
}

/** What a {@link StreamSink} needs from its host. */
export interface SinkPort {
  /** Sends a protocol message to the producer. */
  send(msg: FlowToSource): void;
  /** The stream ended; the host forgets it and stops monitoring the producer. */
  closed(error: FlowError | undefined): void;
}

/**
 * The consumer side of one stream, without I/O: checks that the producer stays within
 * the credit granted, hands batches to the handlers and grants new credit as items are
 * consumed, in batch-sized grants (see {@link CreditController}).
 */
export class StreamSink<T> {
  /** The consumer's stream id. */
  readonly csid: number;
  /** The producer's stream id. */
  readonly psid: number;
  /** Application data the producer attached when opening. */
  readonly meta: unknown;
  /** True once the stream ended. */
  closed = false;
  /** Why the stream ended, if abnormally. */
  error: FlowError | undefined;
  private readonly credit: CreditController;
  private readonly auto: boolean;
  private readonly unpack: ((items: unknown[]) => unknown[]) | undefined;
  private handlers: SinkHandlers<T> | undefined;

  /**
   * @param csid - the consumer's stream id
   * @param psid - the producer's stream id
   * @param meta - the producer's stream description
   * @param port - the host's services
   * @param options - credit window and acknowledgement mode
   * @throws FlowError `invalid_argument` for bad options
   */
  constructor(csid: number, psid: number, meta: unknown, private readonly port: SinkPort, options: SinkOptions = {}) {
    this.csid = csid;
    this.psid = psid;
    this.meta = meta;
    this.credit = new CreditController(options);
    this.auto = (options.ack ?? 'auto') === 'auto';
    this.unpack = options.unpackBatch;
  }

  /** Items received and not yet consumed (always 0 under `auto` between batches). */
  get buffered(): number {
    return this.credit.buffered;
  }
  /** Credit granted and not yet used by the producer. */
  get outstanding(): number {
    return this.credit.outstanding;
  }
  /** Items received in total. */
  get received(): number {
    return this.credit.received;
  }

  /**
   * Accepts the stream: installs the handlers and sends the first credit.
   * @param handlers - what to do with items and the end of the stream
   */
  accept(handlers: SinkHandlers<T>): void {
    this.handlers = handlers;
    this.port.send({ type: 'flow.accept', psid: this.psid, csid: this.csid, credit: this.credit.grant() });
  }

  /**
   * A batch arrived. More items than granted fails the stream with `protocol`.
   * @param items - the batch
   */
  onBatch(received: T[]): void {
    if (this.closed || this.handlers === undefined) return;
    const items = this.unpack === undefined ? received : (this.unpack(received) as T[]);
    const n = items.length;
    try {
      this.credit.onReceived(n);
    } catch (e) {
      this.cancel(e as FlowError);
      this.handlers.onError?.(e as FlowError, this);
      return;
    }
    this.handlers.onItems(items, this);
    if (this.auto && !this.closed) this.consumed(n);
  }

  /**
   * Reports items the consumer finished with (manual acknowledgement); grants credit when
   * the backlog has fallen to the low watermark.
   * @param n - how many items
   * @throws FlowError `invalid_argument` if more than {@link buffered}
   */
  consumed(n: number): void {
    if (this.closed) return;
    const credit = this.credit.onConsumed(n);
    if (credit > 0) this.port.send({ type: 'flow.demand', psid: this.psid, credit });
  }

  /**
   * Stops the stream from the consumer side; the producer learns it with `flow.cancel`.
   * @param error - the reason (default code `cancelled`)
   */
  cancel(error: FlowError = new FlowError('cancelled', 'stream cancelled by consumer')): void {
    if (this.closed) return;
    this.port.send({ type: 'flow.cancel', psid: this.psid, error: error.toData() });
    this.finish(error);
  }

  /** The producer completed the stream. */
  onComplete(): void {
    if (this.closed) return;
    this.finish(undefined);
    this.handlers?.onComplete?.(this);
  }

  /**
   * The producer aborted the stream.
   * @param error - its reason
   */
  onAbort(error: FlowError): void {
    if (this.closed) return;
    this.finish(error);
    this.handlers?.onError?.(error, this);
  }

  /**
   * The producer died or became unreachable.
   * @param reason - detail for the error message
   */
  onProducerDown(reason: string): void {
    this.onAbort(new FlowError('producer_down', `producer is down: ${reason}`));
  }

  private finish(error: FlowError | undefined): void {
    this.closed = true;
    this.error = error;
    this.port.closed(error);
  }
}
