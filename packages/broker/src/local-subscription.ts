/**
 * What the core knows of a local consumer of messages: a subscriber, a hub, a status
 * subscriber or a callback subscription. The facade object and the core share it (they
 * live in the same thread); only the core reads `topics` and pushes into `sink`.
 */
import type { Data } from '@broker-ts/data';

/** Where the core puts the messages of a subscription. */
export interface SubscriptionSink {
  /** How many more messages it takes now; the core never pushes beyond it. */
  readonly freeCapacity: number;
  /** Takes a message; false if it had no room or is closed. */
  push(item: [string, Data]): boolean;
  /** Ends the subscription's stream (pending reads fail with `end_of_file`). */
  close(reason?: string): void;
}

/** A local subscription as the core tracks it. */
export interface LocalSubscription {
  /** Unique within the endpoint. */
  readonly id: number;
  /** Hubs see local publications of others; plain subscribers only remote ones. */
  readonly seesLocal: boolean;
  /** Where messages go. */
  readonly sink: SubscriptionSink;
  /**
   * Set by the core when the sink was full and a message had to wait; the facade clears
   * it and tells the core once the application drained the sink.
   */
  blocked: boolean;
}

/** The facade end of a publisher: the core reports processed messages back to it. */
export interface PublisherPort {
  /** Unique within the endpoint. */
  readonly id: number;
  /** Called by the core after it handled `n` of this publisher's messages. */
  processed(n: number): void;
}
