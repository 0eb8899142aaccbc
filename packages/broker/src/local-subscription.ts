/**
 * What the core knows of a local consumer of messages: a subscriber, a hub, a status
 * subscriber, a callback subscription, a WebSocket client or a store actor.
 */
import type { Data } from '@broker-ts/data';

/** Where the core puts the messages of a subscription. */
export interface SubscriptionSink {
  /** How many more messages it takes now; the core never pushes beyond it. */
  readonly freeCapacity: number;
  /** Takes a message; false if it had no room or is closed. */
  push(item: [string, Data]): boolean;
  /**
   * Present on sinks that take messages undecoded (lazy subscriptions): the core calls
   * it instead of {@link SubscriptionSink.push}, with the value's encoding and the value
   * when it has it already (at least one of the two), and decodes nothing for them.
   * @returns false if it had no room or is closed
   */
  pushEncoded?(topic: string, payload: Uint8Array | undefined, value: Data | undefined): boolean;
  /** Ends the subscription's stream (pending reads fail with `end_of_file`). */
  close(reason?: string): void;
}

/**
 * A local subscription as the core tracks it: shared by the facade object that owns the
 * sink and the core (they live in the same thread), so that a message costs no mailbox
 * hop on its way to a local subscriber.
 *
 * Who may call what: only the core pushes into {@link LocalSubscription.sink} and calls
 * {@link LocalSubscription.markBlocked}; only the owner of the sink (the subscriber, hub
 * or store actor whose consumer made room) calls {@link LocalSubscription.unblock}, and
 * tells the core `subscriber-drained` when it returns true.
 */
export class LocalSubscription {
  /** Set while messages wait in the core for room in the sink. */
  private blocked = false;

  /**
   * @param id - unique within the endpoint
   * @param seesLocal - hubs see local publications of others; plain subscribers only remote ones
   * @param sink - where messages go
   */
  constructor(
    readonly id: number,
    readonly seesLocal: boolean,
    readonly sink: SubscriptionSink,
  ) {}

  /** The core: a message had to wait because the sink was full. */
  markBlocked(): void {
    this.blocked = true;
  }

  /**
   * The sink's owner: its consumer made room.
   * @returns true once per blocked episode: the owner then tells the core to deliver what waits
   */
  unblock(): boolean {
    if (!this.blocked) return false;
    this.blocked = false;
    return true;
  }
}

/** The facade end of a publisher: the core reports processed messages back to it. */
export interface PublisherPort {
  /** Unique within the endpoint. */
  readonly id: number;
  /** Called by the core after it handled `n` of this publisher's messages. */
  processed(n: number): void;
}
