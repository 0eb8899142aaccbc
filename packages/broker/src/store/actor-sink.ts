/**
 * A subscription sink that hands messages to a local actor, with a bound on messages
 * handed over and not yet processed (the credit the core sees), so a busy store actor
 * slows its peers down instead of growing its mailbox.
 */
import type { ActorRef } from '@broker-ts/actor';
import type { Data } from '@broker-ts/data';
import type { SubscriptionSink } from '../local-subscription';

/** The message an {@link ActorSink} sends to its actor. */
export interface InboundMessage {
  type: 'store.inbound';
  topic: string;
  value: unknown;
}

/** Feeds an actor from the core; the actor calls {@link ActorSink.processed}. */
export class ActorSink implements SubscriptionSink {
  private inFlight = 0;
  private open = true;
  private target: ActorRef<InboundMessage> | undefined;

  /**
   * @param capacity - most messages handed over and not yet processed
   * @param onRoom - called when room appears after the sink was full
   */
  constructor(
    private readonly capacity: number,
    private readonly onRoom: () => void,
  ) {}

  /** Sets the actor to feed (it is spawned with this sink, so it comes second). */
  attach(target: ActorRef): void {
    this.target = target as ActorRef<InboundMessage>;
  }

  get freeCapacity(): number {
    return this.open ? this.capacity - this.inFlight : 0;
  }

  push([topic, value]: [string, Data]): boolean {
    if (!this.open || this.target === undefined || this.inFlight >= this.capacity) return false;
    this.inFlight++;
    this.target.tell({ type: 'store.inbound', topic, value });
    return true;
  }

  /** The actor finished one message. */
  processed(): void {
    const wasFull = this.inFlight >= this.capacity;
    this.inFlight--;
    if (wasFull) this.onRoom();
  }

  close(): void {
    this.open = false;
  }
}
