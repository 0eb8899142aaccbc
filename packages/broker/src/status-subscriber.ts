/**
 * A status subscriber: reads the endpoint's error events and, when asked for, its status
 * events (Broker's `<$>/local/data/errors` and `<$>/local/data/statuses`).
 */
import { type BrokerError, errorFromData } from '@broker-ts/data';
import type { GetOptions } from './message-queue';
import { Status } from './status';
import { Subscriber } from './subscriber';
import { Topics } from './topic';

/** A status or an error event. */
export type StatusEvent = Status | BrokerError;

/** Reads statuses and errors; created by `Endpoint.makeStatusSubscriber`. */
export class StatusSubscriber implements AsyncIterable<StatusEvent> {
  /** @internal built by the endpoint on a subscriber of the internal topics */
  constructor(private readonly inner: Subscriber) {}

  /** The internal topics of a status subscriber. */
  static topics(receiveStatuses: boolean): string[] {
    return receiveStatuses ? [Topics.errors, Topics.statuses] : [Topics.errors];
  }

  /** Waits for the next event. @throws BrokerError `end_of_file` once closed */
  async get(): Promise<StatusEvent>;
  /** Waits at most `timeout` ms; null on timeout. */
  async get(options: GetOptions): Promise<StatusEvent | null>;
  async get(options?: GetOptions): Promise<StatusEvent | null> {
    const msg = options === undefined ? await this.inner.get() : await this.inner.get(options);
    return msg === null ? null : toEvent(msg[1]);
  }

  /** Waits for `n` events; with `timeout`, returns what arrived in time. */
  async getMany(n: number, options: GetOptions = {}): Promise<StatusEvent[]> {
    return (await this.inner.getMany(n, options)).map((m) => toEvent(m[1]));
  }

  /** Takes every buffered event without waiting. */
  poll(): StatusEvent[] {
    return this.inner.poll().map((m) => toEvent(m[1]));
  }

  /** Number of buffered events. */
  available(): number {
    return this.inner.available();
  }

  /** Stops receiving events. */
  close(): void {
    this.inner.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StatusEvent> {
    for await (const m of this.inner) yield toEvent(m[1]);
  }
}

function toEvent(value: Parameters<typeof Status.fromData>[0]): StatusEvent {
  return Array.isArray(value) && value[0] === 'status' ? Status.fromData(value) : errorFromData(value);
}
