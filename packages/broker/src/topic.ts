/**
 * Broker topics: plain strings matched by raw string prefix (`/a` matches `/ab`), with
 * `/` as the separator and `<$>` marking reserved topics. Mirrors `broker::topic`.
 */

/** The topic separator. */
export const TOPIC_SEPARATOR = '/';

/** The marker that starts Broker's reserved topics; user topics should not contain it. */
export const TOPIC_RESERVED = '<$>';

/** Prefix of topics that never leave the endpoint (statuses, errors, store events). */
export const LOCAL_TOPIC_PREFIX = '<$>/local/';

/** Broker's internal topics. */
export const Topics = {
  /** Error events, read by status subscribers. */
  errors: '<$>/local/data/errors',
  /** Status events, read by status subscribers that asked for statuses. */
  statuses: '<$>/local/data/statuses',
  /** Prefix of store change events; the store name follows. */
  storeEvents: '<$>/local/data/store-events',
} as const;

/**
 * Tells whether `prefix` is a prefix of `topic` in Broker's sense (raw string prefix).
 * @param prefix - a subscription
 * @param topic - a message topic
 */
export function isPrefixOf(prefix: string, topic: string): boolean {
  return topic.startsWith(prefix);
}

/** Tells whether a topic is internal to an endpoint and must never be sent to peers. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith(LOCAL_TOPIC_PREFIX);
}

/**
 * Joins two topics as Broker's `operator/=` does: a `/` goes between them only when both
 * are non-empty and the right one does not start with `/`; then one trailing `/` is dropped.
 * @example topicJoin('/a/', '/b/c') === '/a//b/c'; topicJoin('/b/c', '/a/') === '/b/c/a'
 */
export function topicJoin(left: string, right: string): string {
  let out = left;
  if (out.length > 0 && right.length > 0 && !right.startsWith(TOPIC_SEPARATOR)) out += TOPIC_SEPARATOR;
  out += right;
  if (out.endsWith(TOPIC_SEPARATOR)) out = out.slice(0, -1);
  return out;
}

/**
 * Splits a topic at `/`, dropping empty components as Broker's `topic::split` does.
 * @example splitTopic('/foo/bar/baz/') → ['foo', 'bar', 'baz']
 */
export function splitTopic(topic: string): string[] {
  return topic.split(TOPIC_SEPARATOR).filter((part) => part.length > 0);
}

/** The topic on which clones send commands to the master of store `name`. */
export function masterTopic(name: string): string {
  return `${name}/${TOPIC_RESERVED}/data/master`;
}

/** The topic on which the master of store `name` broadcasts to its clones. */
export function cloneTopic(name: string): string {
  return `${name}/${TOPIC_RESERVED}/data/clone`;
}

/**
 * Tells whether a topic is a data store channel (`<store>/<$>/data/master` or `.../clone`).
 * Routers flood these to every peer, so masters and clones find each other across relays
 * that do not subscribe to them.
 */
export function isStoreChannelTopic(topic: string): boolean {
  return topic.endsWith(`/${TOPIC_RESERVED}/data/master`) || topic.endsWith(`/${TOPIC_RESERVED}/data/clone`);
}

/** The local topic carrying the change events of store `name`. */
export function storeEventsTopic(name: string): string {
  return `${Topics.storeEvents}/${name}`;
}
