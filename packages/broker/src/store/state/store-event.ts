import { Count, type Data, type Timespan } from '@broker-ts/data';
import type { EntityId } from './entity-id';

/**
 * A store change event in Broker's data layout (`libbroker/broker/store_event.hh`), published locally on
 * `storeEventsTopic(store)` by the master and by every clone:
 *
 * - `["insert", store, key, value, expiry | nil, publisher_endpoint | nil, publisher_object | nil]`
 * - `["update", store, key, old_value, new_value, expiry | nil, publisher_endpoint | nil, publisher_object | nil]`
 * - `["erase", store, key, publisher_endpoint | nil, publisher_object | nil]`
 * - `["expire", store, key, publisher_endpoint | nil, publisher_object | nil]`
 *
 * `expiry` is the relative expiry (a timespan) the write carried; the publisher is the
 * endpoint id (string) and object number (count) of the frontend that wrote.
 */
export type StoreEvent = Data[];

/**
 * A store event, or a function that builds it: how a clone installing a snapshot hands
 * out one event per key without decoding every key and value for events that nobody may
 * listen to (the endpoint builds it only when a local subscription wants the topic).
 */
export type StoreEventSource = StoreEvent | (() => StoreEvent);

/**
 * The event of a {@link StoreEventSource}, built if it is a builder.
 * @param source - an event or its builder
 */
export function eventOf(source: StoreEventSource): StoreEvent {
  return typeof source === 'function' ? source() : source;
}

function publisherFields(publisher: EntityId | null): [Data, Data] {
  return publisher === null ? [null, null] : [publisher.endpoint, new Count(publisher.object)];
}

/** Builders of the four store events. */
export const storeEvents = Object.freeze({
  /** A key that did not exist now has a value. */
  insert(store: string, key: Data, value: Data, expiry: Timespan | null, publisher: EntityId | null): StoreEvent {
    return ['insert', store, key, value, expiry, ...publisherFields(publisher)];
  },
  /** A key's value changed from `oldValue` to `newValue`. */
  update(store: string, key: Data, oldValue: Data, newValue: Data, expiry: Timespan | null, publisher: EntityId | null): StoreEvent {
    return ['update', store, key, oldValue, newValue, expiry, ...publisherFields(publisher)];
  },
  /** A key was removed by a write. */
  erase(store: string, key: Data, publisher: EntityId | null): StoreEvent {
    return ['erase', store, key, ...publisherFields(publisher)];
  },
  /** A key expired (the publisher is the master). */
  expire(store: string, key: Data, publisher: EntityId | null): StoreEvent {
    return ['expire', store, key, ...publisherFields(publisher)];
  },
});
