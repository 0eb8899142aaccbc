/**
 * A subscriber: receives the messages that peers publish on its topics, through a
 * bounded queue (its size is the credit it grants upstream, so a slow reader slows its
 * peers down instead of growing memory).
 */
import type { Data } from '@broker-ts/data';
import { checkTopic, shutDownError } from './argument-checks';
import type { CoreCommand } from './core-messages';
import { LocalSubscription } from './local-subscription';
import { MessageQueue, type TimerSource } from './message-queue';
import { type DataMessage, MessageReader } from './message-reader';
import type { EndpointLife } from './endpoint-life';

export type { DataMessage } from './message-reader';

/** Options of `makeSubscriber`. */
export interface SubscriberOptions {
  /** Most messages buffered (default: the endpoint's `subscriberQueueSize`, 64). */
  queueSize?: number;
}

/** Wiring shared by subscribers and hubs; built by the endpoint. */
export interface SubscriptionWiring {
  /** Sends the endpoint's core a command, in order with the endpoint's publications. */
  core: { tell(msg: CoreCommand): void };
  id: number;
  timers: TimerSource;
  queueSize: number;
  seesLocal: boolean;
  /**
   * Publishes for a hub, in order with the endpoint's publications (`from`: the hub's id;
   * `payload`: the value encoded, if the hub encoded it; `value` undefined only beside a
   * payload, see `publishedData`).
   */
  publish(topic: string, value: Data | undefined, from: number, payload?: Uint8Array): void;
  /** Whether the endpoint was shut down, how many peers and local listeners it has. */
  life: Readonly<EndpointLife>;
}

/** Reads messages of a set of topics; created by `Endpoint.makeSubscriber`. */
export class Subscriber extends MessageReader {
  /** The queue the core fills. */
  protected readonly queue: MessageQueue<DataMessage>;
  /** What the core knows of this subscriber. */
  protected readonly local: LocalSubscription;
  /** Current topics. */
  private current: string[];

  /** @internal built by the endpoint */
  constructor(
    protected readonly wiring: SubscriptionWiring,
    topics: readonly string[],
  ) {
    super();
    const core = wiring.core;
    this.current = [...topics];
    // The sink needs its room callback before the subscription exists: the callback reads it later.
    let local: LocalSubscription | undefined;
    this.queue = new MessageQueue<DataMessage>(wiring.queueSize, wiring.timers, () => {
      // The core parked messages for lack of room: tell it once that there is room again.
      if (local?.unblock() === true) core.tell({ type: 'subscriber-drained', id: wiring.id });
    });
    local = new LocalSubscription(wiring.id, wiring.seesLocal, this.queue);
    this.local = local;
    core.tell({ type: 'add-subscription', sub: local, topics: [...topics] });
  }

  /** The topics subscribed to. */
  get topics(): readonly string[] {
    return this.current;
  }

  /**
   * Adds a topic; the original topics stay (unlike Broker 1.4, whose first add replaced them).
   * @throws BrokerError `invalid_topic_key` for a non-string, `shutting_down` after shutdown
   */
  addTopic(topic: string): void {
    this.checkTopicCall(topic);
    if (this.current.includes(topic)) return;
    this.current = [...this.current, topic];
    this.wiring.core.tell({ type: 'set-topics', id: this.wiring.id, topics: this.current });
  }

  /**
   * Removes a topic; the endpoint stops asking peers for it when nobody else wants it.
   * @throws BrokerError `invalid_topic_key` for a non-string, `shutting_down` after shutdown
   */
  removeTopic(topic: string): void {
    this.checkTopicCall(topic);
    if (!this.current.includes(topic)) return;
    this.current = this.current.filter((t) => t !== topic);
    this.wiring.core.tell({ type: 'set-topics', id: this.wiring.id, topics: this.current });
  }

  private checkTopicCall(topic: unknown): void {
    checkTopic(topic);
    if (this.wiring.life.stopped) throw shutDownError();
  }

  /** Ends the subscription: pending and later reads fail with `end_of_file`. */
  close(): void {
    if (this.queue.closed) return;
    this.queue.close();
    this.wiring.core.tell({ type: 'remove-subscription', id: this.wiring.id });
  }
}
