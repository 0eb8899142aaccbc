/**
 * A hub: a subscriber that also publishes, and that sees the local publications of the
 * endpoint's other publishers, hubs and `publish` calls (never its own), as Broker 2.8's
 * hub does. Plain subscribers see only messages from peers.
 */
import { type DataInput, toData } from '@broker-ts/data';
import { Subscriber } from './subscriber';

/** Publishes and receives; created by `Endpoint.makeHub`. */
export class Hub extends Subscriber {
  /** Publishes a message; the hub itself does not receive it. */
  publish(topic: string, value: DataInput): void {
    this.wiring.core.tell({ type: 'publish', topic, value: toData(value), from: this.wiring.id });
  }
}
