/**
 * A publisher: sends values on one topic with backpressure. `publish()` resolves at once
 * while the endpoint has room for this publisher's messages (its `capacity`), and waits
 * otherwise, so a publisher never outruns its endpoint.
 */
import { type ActorRef, type Clock, RateMeter } from '@broker-ts/actor';
import { BrokerError, type DataInput, toData } from '@broker-ts/data';
import type { CoreCommand } from './endpoint-core';
import type { PublisherPort } from './local-subscription';

/** Options of `makePublisher`. */
export interface PublisherOptions {
  /** Messages in flight to the endpoint at most (default 64). */
  capacity?: number;
}

/** Publishes on one topic; created by `Endpoint.makePublisher`. */
export class Publisher {
  /** Messages handed to the endpoint and not yet processed by it. */
  private inFlight = 0;
  /** Callers waiting for room, oldest first; bounded by the callers' own awaits. */
  private readonly waiting: Array<() => void> = [];
  private readonly meter: RateMeter;
  private readonly port: PublisherPort;
  private closed = false;

  /** @internal built by the endpoint */
  constructor(
    private readonly core: ActorRef<CoreCommand>,
    id: number,
    readonly topic: string,
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    this.meter = new RateMeter(clock.now());
    this.port = {
      id,
      processed: (n) => {
        this.inFlight -= n;
        this.meter.record(n, this.clock.now());
        while (this.inFlight < this.capacity && this.waiting.length > 0) this.waiting.shift()!();
      },
    };
  }

  /** Credit available now: how many messages `publish` takes without waiting. */
  get demand(): number {
    return Math.max(0, this.capacity - this.inFlight);
  }

  /** Messages handed over and not yet processed by the endpoint. */
  get buffered(): number {
    return this.inFlight;
  }

  /** Same as {@link Publisher.demand}. */
  get freeCapacity(): number {
    return this.demand;
  }

  /** Messages per second the endpoint processed for this publisher over the last second. */
  get sendRate(): number {
    return this.meter.rate(this.clock.now());
  }

  /**
   * Publishes a value; waits while the publisher has no credit.
   * @throws BrokerError for a value that is not Broker data, or `shutting_down` once closed
   */
  async publish(value: DataInput): Promise<void> {
    const data = toData(value);
    while (this.inFlight >= this.capacity) {
      if (this.closed) throw new BrokerError('shutting_down', 'the publisher is closed');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.closed) throw new BrokerError('shutting_down', 'the publisher is closed');
    this.inFlight++;
    this.core.tell({ type: 'publish', topic: this.topic, value: data, publisher: this.port });
  }

  /** Publishes each value as its own message, in order. */
  async publishMany(values: Iterable<DataInput>): Promise<void> {
    for (const v of values) await this.publish(v);
  }

  /** Refuses further messages and wakes waiting callers (they reject). */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
  }
}
