/**
 * The messages between the core actors of two peered endpoints, carried by the actor
 * runtime (over TCP or a worker MessagePort). Data travels on a credit-based stream of
 * {@link WireItem}s in each direction; the messages here set the peering up and down.
 *
 * ```
 * originator                      responder
 *   broker.hello {id, filter}  ──▶   checks protocol, registers the peer (peer_added)
 *                              ◀──   broker.welcome {id, filter}  or broker.reject {code}
 *   (peer_added)                     each side opens its data stream (flow.open ...)
 *   broker.filter {filter}     ◀─▶   whenever a side's subscriptions change
 *   broker.bye                 ──▶   unpeer: peer_removed here, peer_lost there
 * ```
 */
import type { ErrorCodeName } from '@broker-ts/data';

/** The version of this protocol; a peer with another version is refused (`peer_incompatible`). */
export const PEER_PROTOCOL_VERSION = 1;

/** The registered name of every endpoint's core actor. */
export const CORE_ACTOR_NAME = 'broker.core';

/** Opens a peering. */
export interface PeerHello {
  type: 'broker.hello';
  /** The originator's endpoint id. */
  endpoint: string;
  /** The originator's advertised filter. */
  filter: string[];
  /** Its {@link PEER_PROTOCOL_VERSION}. */
  protocol: number;
}

/** Accepts a peering. */
export interface PeerWelcome {
  type: 'broker.welcome';
  endpoint: string;
  filter: string[];
}

/** Refuses a peering. */
export interface PeerReject {
  type: 'broker.reject';
  code: ErrorCodeName;
  message: string;
}

/** A new advertised filter. */
export interface PeerFilterUpdate {
  type: 'broker.filter';
  filter: string[];
}

/** Ends a peering (the sender unpeered, or shuts down). */
export interface PeerBye {
  type: 'broker.bye';
  /** Why, for the receiver's log. */
  reason: string;
  /**
   * True when the sender shuts down (it may come back: the originator of a peering with
   * a retry reconnects); absent or false when it unpeered (no reconnection).
   */
  shutdown?: boolean;
}

/** Any peering message. */
export type PeerMessage = PeerHello | PeerWelcome | PeerReject | PeerFilterUpdate | PeerBye;

/**
 * One data message on a peer stream: `[topic, payload, origin, seq, ttl, receiver]`,
 * where the payload is the value in Broker's binary format (exact for every type, and
 * relayed without being decoded), origin/seq identify it for duplicate suppression, and
 * receiver (or null) restricts delivery to one endpoint. Origin is null when it is the
 * endpoint that produces the stream (the common case, which saves a 36-character id per
 * message on the wire); a relayed message names its origin.
 */
export type WireItem = [topic: string, payload: Uint8Array, origin: string | null, seq: number, ttl: number, receiver: string | null];

/** Meta of the data stream a core opens to its peer. */
export interface PeerStreamMeta {
  kind: 'broker.peer-data';
  /** The producer's endpoint id. */
  endpoint: string;
}

/**
 * Tells whether a value received from a peer is a list of topics (a filter).
 * @param x - the value as received
 */
export function isTopicList(x: unknown): x is string[] {
  return Array.isArray(x) && x.length <= MAX_FILTER_TOPICS && x.every((t) => typeof t === 'string');
}

/** Most topics a peer may advertise in one filter; more is refused as malformed. */
export const MAX_FILTER_TOPICS = 65_536;

/**
 * Checks a wire item that came off the network.
 * @returns the item typed, or undefined when it is malformed
 */
export function asWireItem(x: unknown): WireItem | undefined {
  if (!Array.isArray(x) || x.length !== 6) return undefined;
  const [topic, payload, origin, seq, ttl, receiver] = x as unknown[];
  if (typeof topic !== 'string' || !(payload instanceof Uint8Array) || (origin !== null && typeof origin !== 'string')) return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 0xffff) return undefined;
  if (receiver !== null && typeof receiver !== 'string') return undefined;
  return x as WireItem;
}
