/**
 * A publisher: sends values on one topic with backpressure. `publish()` resolves at once
 * while the publisher has credit (room for `capacity` messages the endpoint has not
 * passed on yet), and waits otherwise. The endpoint passes a message on only while the
 * peers it goes to have room in their buffers (every one under the `disconnect` policy,
 * the fastest one under the drop policies), and a peer's buffer drains only as fast as
 * the remote subscribers read: credit flows end to end.
 */
import type { Clock } from '@broker-ts/actor';
import { RateMeter } from '@broker-ts/actor/internal';
import { BrokerError, type Data, type DataInput } from '@broker-ts/data';
import { encodeForPeers as encodeForPeersExport, type EndpointLife, newEndpointLife, publishedData as publishedDataExport } from './endpoint-life';
import { arrayOf } from './argument-checks';
import type { PublisherPort } from './local-subscription';
import { type DrainMark, PublishBuffer } from './publish-buffer';

// Local bindings of the per-publication calls: see docs/architecture.md, "Local bindings
// on hot paths".
const encodeForPeers = encodeForPeersExport;
const publishedData = publishedDataExport;

/** The promise of a publication that had credit (shared: it carries no value). */
const RESOLVED: Promise<void> = Promise.resolve();

/** Options of `makePublisher`. */
export interface PublisherOptions {
  /** Messages in flight to the endpoint at most (default 64). */
  capacity?: number;
}

/** Tells the endpoint's core that a burst of messages waits in a publisher's buffer. */
export type StartBurst = (buffer: PublishBuffer, mark: DrainMark, publisher: PublisherPort) => void;

/** Publishes on one topic; created by `Endpoint.makePublisher`. */
export class Publisher {
  /** Messages handed to the endpoint and not yet passed on by it (bounded by `capacity`). */
  private readonly buffer: PublishBuffer;
  /** Callers waiting for room, oldest first; bounded by the callers' own awaits. */
  private readonly waiting: Array<() => void> = [];
  private readonly meter: RateMeter;
  private readonly port: PublisherPort;
  private closed = false;

  /** @internal built by the endpoint */
  constructor(
    id: number,
    readonly topic: string,
    readonly capacity: number,
    private readonly clock: Clock,
    private readonly startBurst: StartBurst,
    /** Called once, by the first `close()`. */
    private readonly onClose?: () => void,
    /** Whether the endpoint was shut down, how many peers and local listeners it has. */
    private readonly life: Readonly<EndpointLife> = newEndpointLife(),
  ) {
    this.buffer = new PublishBuffer(capacity);
    this.meter = new RateMeter(clock.now());
    this.port = {
      id,
      processed: (n) => {
        this.meter.record(n, this.clock.now());
        if (this.waiting.length === 0) return;
        while (!this.buffer.full && this.waiting.length > 0) this.waiting.shift()!();
        if (this.waiting.length === 0) this.life.waitingPublishers.delete(this.wakeAll);
      },
    };
  }

  /** Wakes every waiting caller; each then takes credit or rejects (closed, shut down). */
  private readonly wakeAll = (): void => {
    this.life.waitingPublishers.delete(this.wakeAll);
    for (const w of this.waiting.splice(0)) w();
  };

  /** Credit available now: how many messages `publish` takes without waiting. */
  get demand(): number {
    return this.capacity - this.buffer.length;
  }

  /** Messages handed over and not yet passed on by the endpoint. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Same as {@link Publisher.demand}. */
  get freeCapacity(): number {
    return this.demand;
  }

  /** Messages per second the endpoint passed on for this publisher over the last second. */
  get sendRate(): number {
    return this.meter.rate(this.clock.now());
  }

  /**
   * Publishes a value; waits while the publisher has no credit.
   * @throws BrokerError for a value that is not Broker data, or `shutting_down` once closed
   */
  publish(value: DataInput): Promise<void> {
    // With credit, no async frame and no new promise: this is the hot path. With peers,
    // exact data is checked while it is encoded (one walk, and the core sends these
    // bytes); otherwise toData checks or converts it, and the core encodes it if a peer
    // needs it.
    let data: Data | undefined;
    let payload: Uint8Array | undefined;
    try {
      payload = encodeForPeers(value, this.life, this.topic);
      data = publishedData(value, payload, this.life);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.closed || this.life.stopped) return Promise.reject(new BrokerError('shutting_down', this.closed ? 'the publisher is closed' : 'the endpoint is shut down'));
    if (this.buffer.full) return this.publishLater(data, payload);
    this.hand(data, payload);
    return RESOLVED;
  }

  /** Waits for credit, then hands the value over. */
  private async publishLater(data: Data | undefined, payload: Uint8Array | undefined): Promise<void> {
    while (this.buffer.full) {
      this.checkOpen();
      // The endpoint wakes us when it shuts down: no credit comes after that.
      if (this.waiting.length === 0) this.life.waitingPublishers.add(this.wakeAll);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.checkOpen();
    this.hand(data, payload);
  }

  /** @throws BrokerError `shutting_down` once the publisher is closed or the endpoint shut down */
  private checkOpen(): void {
    if (this.closed || this.life.stopped) throw new BrokerError('shutting_down', this.closed ? 'the publisher is closed' : 'the endpoint is shut down');
  }

  private hand(data: Data | undefined, payload: Uint8Array | undefined): void {
    const mark = this.buffer.push(this.topic, data, undefined, undefined, payload);
    if (mark !== undefined) this.startBurst(this.buffer, mark, this.port);
  }

  /** Publishes each value as its own message, in order. */
  async publishMany(values: Iterable<DataInput>): Promise<void> {
    for (const v of arrayOf(values, 'publishMany values') as DataInput[]) await this.publish(v);
  }

  /** Refuses further messages and wakes waiting callers (they reject). */
  close(): void {
    if (!this.closed) this.onClose?.();
    this.closed = true;
    this.wakeAll();
  }
}
