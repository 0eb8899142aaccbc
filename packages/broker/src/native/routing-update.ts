/**
 * The payload of a ROUTING_UPDATE message: the sender's new filter (its subscriptions),
 * a varbyte count followed by each topic as varbyte length and bytes, as written by
 * `routing_update_envelope::make` in libbroker/broker/routing_update_envelope.cc.
 */
import { BrokerError } from '@broker-ts/data';
import { WireReader } from './wire-reader';
import { WireWriter } from './wire-writer';

/**
 * Encodes a filter as a ROUTING_UPDATE payload.
 * @param filter - topic prefixes
 * @returns the payload bytes
 */
export function encodeRoutingUpdate(filter: readonly string[]): Buffer {
  return new WireWriter(16 + filter.length * 16).filter(filter).finish();
}

/**
 * Decodes a ROUTING_UPDATE payload. Broker reads topics up to the end of the payload;
 * a count that disagrees with the topics present, or a topic running past the end, is
 * malformed.
 * @param payload - the payload bytes
 * @returns the filter
 * @throws BrokerError `invalid_data` for a malformed payload
 */
export function decodeRoutingUpdate(payload: Uint8Array): string[] {
  const r = new WireReader(payload, 'invalid_data');
  const count = r.varbyte('filter size');
  const topics: string[] = [];
  while (r.remaining > 0) topics.push(r.string(`topic ${topics.length} of the routing update`));
  if (topics.length !== count) throw new BrokerError('invalid_data', `routing update announces ${count} topics but holds ${topics.length}`);
  return topics;
}
