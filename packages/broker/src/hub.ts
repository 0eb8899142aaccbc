/**
 * A hub: a subscriber that also publishes, and that sees the local publications of the
 * endpoint's other publishers, hubs and `publish` calls (never its own), as Broker 2.8's
 * hub does. Plain subscribers see only messages from peers.
 */
import type { DataInput } from '@broker-ts/data';
import { encodeForPeers as encodeForPeersExport, publishedData as publishedDataExport } from './endpoint-life';
import { checkPublishTopic } from './argument-checks';
import { Subscriber } from './subscriber';

// Local bindings of the per-publication calls: see docs/architecture.md, "Local bindings
// on hot paths".
const encodeForPeers = encodeForPeersExport;
const publishedData = publishedDataExport;

/** Publishes and receives; created by `Endpoint.makeHub`. */
export class Hub extends Subscriber {
  /**
   * Publishes a message (as `Endpoint.publish`, through the same bounded buffer); the hub
   * itself does not receive it.
   * @throws BrokerError `invalid_topic_key`, a value error (see `toData`), or
   *   `shutting_down` after shutdown
   */
  publish(topic: string, value: DataInput): void {
    checkPublishTopic(topic);
    // Checked while encoded, as Endpoint.publish does.
    const payload = encodeForPeers(value, this.wiring.life, topic);
    this.wiring.publish(topic, publishedData(value, payload, this.wiring.life), this.wiring.id, payload);
  }
}
