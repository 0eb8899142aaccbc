import { BoundedBuffer } from './bounded-buffer';
import { FlowError } from './flow-error';
import type { FlowToSink } from './flow-protocol';
import type { OverflowPolicy } from './overflow-policy';
import { ProducerDemand } from './producer-demand';
import { RateMeter } from './rate-meter';
import { requireCount } from './require-count';

/** Lifecycle of one side of a stream. */
export type StreamState = 'opening' | 'open' | 'closing' | 'closed';

/** Options of the producer side of a stream. */
export interface SourceOptions {
  /** Bound of the producer's buffer for this stream (default 1024). */
  capacity?: number;
  /** What happens when that buffer is full (default `block`). */
  policy?: OverflowPolicy;
  /** Most items per batch message (default 512). */
  maxBatch?: number;
  /**
   * An item's size in bytes as it travels: with it, a batch holds at most `maxBatchBytes`
   * (a single larger item goes alone), so that a batch of large items stays well within a
   * transport's frame limit instead of becoming one message too large to send.
   */
  itemBytes?(item: never): number;
  /** Most bytes per batch by `itemBytes` (default 1 MiB; ignored without `itemBytes`). */
  maxBatchBytes?: number;
  /**
   * Turns a batch into the `items` of its `flow.batch` message (for example one encoded
   * block instead of many small values); the consumer undoes it with its `unpackBatch`.
   * Credit still counts the producer's items.
   */
  packBatch?(items: never[]): unknown[];
}

/** What a {@link StreamSource} needs from its host. Called only from the host's thread. */
export interface SourcePort<R> {
  /** Sends a protocol message to the consumer. */
  send(msg: FlowToSink<R>): void;
  /** Asks the host to call {@link StreamSource.flush} soon: once the current burst of work has run. */
  scheduleFlush(): void;
  /** Current time in ms (for `sendRate`). */
  now(): number;
  /**
   * The host may forget the stream and stop monitoring the consumer. Called once; for a
   * stream aborted before it was accepted, only when the consumer has answered or is gone.
   */
  closed(error: FlowError | undefined): void;
}

const WRITABLE = 0;
const DONE = 1;

/**
 * The producer side of one stream, without I/O: a bounded buffer with an overflow policy,
 * the demand granted by the consumer, and batching within that demand. The host feeds it
 * the consumer's messages and carries out what it asks through its {@link SourcePort}.
 *
 * Items are sent in batches of up to `maxBatch`: a batch goes out at once when it is as
 * large as it may get (`maxBatch` items, or all the demand); a smaller one goes out at
 * the flush the host runs once the current burst has run (the `FlowHost`: after the event
 * loop's pass), so items pushed in one burst share a message.
 */
export class StreamSource<T, R = unknown> {
  /** The producer's stream id. */
  readonly psid: number;
  /** Most items per batch. */
  readonly maxBatch: number;
  /** The consumer's stream id once accepted, else -1. */
  csid = -1;
  /** Where the stream is in its life. */
  state: StreamState = 'opening';
  /** Why the stream ended, if it ended abnormally. */
  error: FlowError | undefined;
  /** `WRITABLE` until close, abort or failure; a number keeps `push` cheap. */
  private writable = WRITABLE;
  private flushPending = false;
  /**
   * Aborted while opening: the host keeps the stream until the consumer answers, so that
   * the abort (with its reason) reaches it, or until the consumer is gone.
   */
  private abortOnAccept = false;
  private readonly buffer: BoundedBuffer<T>;
  private readonly pack: ((items: T[]) => unknown[]) | undefined;
  private readonly itemBytes: ((item: T) => number) | undefined;
  private readonly maxBatchBytes: number;
  private readonly credit = new ProducerDemand();
  private readonly meter: RateMeter;
  /** Resolves waiters of {@link ready}; one shared promise, however many wait. */
  private wake: ((writable: boolean) => void) | undefined;
  private readyPromise: Promise<boolean> | undefined;
  private donePromise: Promise<FlowError | undefined> | undefined;
  private resolveDone: ((e: FlowError | undefined) => void) | undefined;

  /**
   * @param psid - the producer's stream id
   * @param port - the host's services
   * @param options - buffer and batch settings
   * @throws FlowError `invalid_argument` for bad options
   */
  constructor(psid: number, private readonly port: SourcePort<R>, options: SourceOptions = {}) {
    this.psid = psid;
    this.buffer = new BoundedBuffer<T>(options.capacity ?? 1024, options.policy ?? 'block');
    this.maxBatch = requireCount('maxBatch', options.maxBatch ?? 512, 1);
    this.pack = options.packBatch as ((items: T[]) => unknown[]) | undefined;
    this.itemBytes = options.itemBytes as ((item: T) => number) | undefined;
    this.maxBatchBytes = requireCount('maxBatchBytes', options.maxBatchBytes ?? 1024 * 1024, 1);
    this.meter = new RateMeter(port.now());
  }

  /** The overflow policy. */
  get policy(): OverflowPolicy {
    return this.buffer.policy;
  }
  /** Items the consumer allows us to send now. */
  get demand(): number {
    return this.credit.demand;
  }
  /** Items waiting in the producer's buffer. */
  get buffered(): number {
    return this.buffer.buffered;
  }
  /** Bound of the producer's buffer. */
  get capacity(): number {
    return this.buffer.capacity;
  }
  /** Items that fit in the buffer now (0 once the stream is closing or closed). */
  get freeCapacity(): number {
    return this.writable === WRITABLE ? this.buffer.freeCapacity : 0;
  }
  /** Items accepted by {@link push} or dropped by the policy. */
  get pushed(): number {
    return this.buffer.pushed;
  }
  /** Items sent to the consumer. */
  get sent(): number {
    return this.buffer.delivered;
  }
  /** Items lost to the overflow policy or discarded when the stream failed. */
  get dropped(): number {
    return this.buffer.dropped;
  }
  /** Items per second sent over the last second. */
  get sendRate(): number {
    return this.meter.rate(this.port.now());
  }

  /**
   * Offers an item. Never waits.
   * @returns true if the item is now buffered or sent; false if the buffer was full under
   *   `block` (the caller keeps the item; see {@link ready}), it was dropped under
   *   `dropNewest`, it overflowed under `disconnect` (the stream is now cut), or the
   *   stream is closing or closed
   */
  push(item: T): boolean {
    if (this.writable !== WRITABLE) return false;
    const outcome = this.buffer.push(item);
    if (outcome === 'accepted' || outcome === 'droppedOldest') {
      const demand = this.credit.granted - this.credit.sent;
      if (demand > 0) {
        // Waiting for the flush gains nothing once a batch is as large as it may get:
        // send now and free the buffer.
        const buffered = this.buffer.buffered;
        if (buffered >= this.maxBatch || buffered >= demand) this.sendBatches();
        else if (!this.flushPending) {
          this.flushPending = true;
          this.port.scheduleFlush();
        }
      }
      return true;
    }
    if (outcome === 'overflow') {
      this.abort(new FlowError('overflow', `stream buffer overflowed its capacity of ${this.buffer.capacity} items`));
    }
    return false;
  }

  /**
   * Writes an item, waiting for room under `block`. Under the other policies this is
   * {@link push} (an item the policy drops is counted in {@link dropped}).
   * A single writer that awaits each call keeps its items in order.
   * @returns a promise that resolves once the item is accepted
   * @throws FlowError (as a rejection) if the stream is closing or closed, with the
   *   stream's error if it failed, else code `closed`
   */
  async write(item: T): Promise<void> {
    for (;;) {
      if (this.writable !== WRITABLE) throw this.error ?? new FlowError('closed', 'stream is closed');
      if (this.push(item) || this.buffer.policy !== 'block') {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await this.ready();
    }
  }

  /**
   * Waits for room in the buffer.
   * @returns a promise of true once an item fits, or of false once the stream is closing
   *   or closed (so that `while (!s.push(x)) if (!(await s.ready())) break;` ends)
   */
  ready(): Promise<boolean> {
    if (this.writable !== WRITABLE) return Promise.resolve(false);
    if (this.buffer.freeCapacity > 0) return Promise.resolve(true);
    if (this.readyPromise === undefined) {
      this.readyPromise = new Promise<boolean>((resolve) => {
        this.wake = resolve;
      });
    }
    return this.readyPromise;
  }

  /** Resolves when the stream has ended: with `undefined` on completion, else its error. */
  done(): Promise<FlowError | undefined> {
    if (this.donePromise === undefined) {
      this.donePromise =
        this.state === 'closed'
          ? Promise.resolve(this.error)
          : new Promise((resolve) => {
              this.resolveDone = resolve;
            });
    }
    return this.donePromise;
  }

  /** Ends the stream normally once every buffered item has been sent. */
  close(): void {
    if (this.writable !== WRITABLE) return;
    this.writable = DONE;
    if (this.state === 'open') {
      this.state = 'closing';
      this.sendBatches();
    } else this.state = 'closing';
    this.wakeWriters();
  }

  /**
   * Ends the stream at once with an error; buffered items are discarded (counted dropped).
   * @param error - the reason (default code `aborted`)
   */
  abort(error: FlowError = new FlowError('aborted', 'stream aborted by producer')): void {
    if (this.state === 'closed') return;
    if (this.csid >= 0) this.port.send({ type: 'flow.abort', csid: this.csid, error: error.toData() });
    // Not accepted yet: the consumer still has to learn why, once it answers.
    else this.abortOnAccept = true;
    this.finish(error);
  }

  /**
   * The host's deferred flush: sends what the demand allows. The host calls it once per
   * {@link SourcePort.scheduleFlush}; a stream asks again only after this ran, so the
   * host's list of streams to flush never holds one twice.
   */
  flush(): void {
    this.flushPending = false;
    this.sendBatches();
  }

  /** Sends what the demand allows, in batches; completes a closing stream once empty. */
  private sendBatches(): void {
    if (this.state !== 'open' && this.state !== 'closing') return;
    let sentAny = false;
    while (this.buffer.buffered > 0) {
      let want = this.buffer.buffered < this.maxBatch ? this.buffer.buffered : this.maxBatch;
      if (this.itemBytes !== undefined) want = this.buffer.countWithin(want, this.itemBytes, this.maxBatchBytes);
      const n = this.credit.reserve(want);
      if (n === 0) break;
      const items = this.buffer.take(n);
      this.port.send({ type: 'flow.batch', csid: this.csid, items: this.pack === undefined ? items : this.pack(items) });
      this.meter.record(n, this.port.now());
      sentAny = true;
    }
    if (this.state === 'closing' && this.buffer.buffered === 0) {
      this.port.send({ type: 'flow.complete', csid: this.csid });
      this.finish(undefined);
    } else if (sentAny) this.wakeWriters();
  }

  /**
   * The consumer accepted the stream.
   * @param csid - its stream id
   * @param credit - its first grant
   */
  onAccept(csid: number, credit: number): void {
    if (this.abortOnAccept) {
      this.abortOnAccept = false;
      this.port.send({ type: 'flow.abort', csid, error: (this.error as FlowError).toData() });
      this.port.closed(this.error);
      return;
    }
    if (this.state !== 'opening' && !(this.state === 'closing' && this.csid < 0)) return;
    this.csid = csid;
    if (this.state === 'opening') this.state = 'open';
    this.onDemand(credit);
  }

  /**
   * The consumer granted more credit. A bad grant fails the stream with `protocol`.
   * @param credit - the grant
   */
  onDemand(credit: number): void {
    if (this.state === 'closed') return;
    try {
      this.credit.grant(credit);
    } catch (e) {
      this.abort(e as FlowError);
      return;
    }
    this.sendBatches();
  }

  /**
   * The consumer refused or cancelled the stream.
   * @param error - its reason
   */
  onCancel(error: FlowError): void {
    if (this.state !== 'closed') this.finish(error);
    else this.release();
  }

  /**
   * The consumer died or became unreachable.
   * @param reason - detail for the error message
   */
  onConsumerDown(reason: string): void {
    if (this.state !== 'closed') this.finish(new FlowError('consumer_down', `consumer is down: ${reason}`));
    else this.release();
  }

  private finish(error: FlowError | undefined): void {
    this.state = 'closed';
    this.writable = DONE;
    this.error = error;
    if (error !== undefined) this.buffer.discard();
    this.wakeWriters();
    this.resolveDone?.(error);
    if (this.donePromise === undefined) this.donePromise = Promise.resolve(error);
    if (!this.abortOnAccept) this.port.closed(error);
  }

  /** Lets the host forget a stream that was aborted before the consumer answered. */
  private release(): void {
    if (!this.abortOnAccept) return;
    this.abortOnAccept = false;
    this.port.closed(this.error);
  }

  private wakeWriters(): void {
    const wake = this.wake;
    if (wake === undefined) return;
    this.wake = undefined;
    this.readyPromise = undefined;
    wake(this.writable === WRITABLE);
  }
}
