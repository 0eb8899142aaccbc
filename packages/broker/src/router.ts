/**
 * The routing decisions of an endpoint, without I/O: which peers get a message published
 * here, and what happens to a message that arrives from a peer (deliver, relay, drop).
 *
 * The model is Broker 1.4's subscription-driven forwarding (`src/detail/core_policy.cc` in
 * Broker 1.4; docs/differences.md), made safe for
 * cyclic topologies:
 * - every endpoint advertises only its own filter (local subscribers, stores, `forward()`),
 *   so a relay forwards only the topics it subscribes to or forwards;
 * - a message goes to every peer whose filter matches, never back to the peer it came from;
 * - relaying happens only with forwarding on; each relay decrements the hop limit (`ttl`)
 *   and drops the message when it reaches zero, after delivering it locally;
 * - every message carries (origin, seq) and each endpoint delivers and relays a given pair
 *   once, so a triangle or a ring delivers each message exactly once per subscriber
 *   (Broker 1.4 and newer Broker let messages circulate until the TTL runs out);
 * - data store channels (`<store>/<$>/data/master|clone`) are flooded to every peer, not
 *   only to subscribed ones, so that clones reach their master over any number of hops
 *   (Broker 1.4 resolved masters one hop away only and never relayed clone topics).
 */
import { DuplicateFilter } from './duplicate-filter';
import { NO_SEQUENCE } from './peer-protocol';
import { TopicFilter } from './topic-filter';
import { isInternalTopic, isStoreChannelTopic } from './topic';

/** Routing metadata of a message between endpoints. */
export interface RouteInfo {
  /** The message topic. */
  topic: string;
  /** Id of the endpoint that published the message. */
  origin: string;
  /** Per-origin sequence number. */
  seq: number;
  /** Remaining hop budget as received. */
  ttl: number;
  /** When set, only this endpoint may deliver the message (Broker's publish to a peer). */
  receiver?: string;
}

/** What to do with a message that arrived from a peer. */
export interface InboundDecision {
  /** Deliver to local subscribers. */
  deliver: boolean;
  /** Peers to relay to. */
  relayTo: string[];
  /** TTL to stamp on relayed copies. */
  ttl: number;
  /** Why nothing more happens, if something was dropped. */
  dropped?: 'duplicate' | 'ttl-expired' | 'internal-topic';
}

/** Options of a {@link Router}. */
export interface RouterOptions {
  /** This endpoint's id. */
  self: string;
  /** Relay messages received from peers (Broker's `forward`, default true). */
  forward: boolean;
  /** Hop limit stamped on messages published here (Broker's `ttl`, default 20). */
  ttl: number;
  /**
   * The sequence number of the first message published here (default: the wall clock in
   * microseconds since the epoch, see {@link firstSequence}).
   */
  firstSequence?: number;
}

/**
 * Where an endpoint's sequence numbers start: the wall clock in microseconds. Peers
 * remember the highest number seen from each origin (duplicate suppression); an endpoint
 * restarted with the same id (`endpointId`) must continue above what its previous run
 * sent, or its peers would drop its messages as old until it caught up. Starting at the
 * clock does that unless the previous run published more than one message per
 * microsecond of its life on average. Stays below 2^53 until the year 2255.
 */
export function firstSequence(): number {
  return Date.now() * 1000;
}

/** The decision for the common case: deliver here, relay nowhere (shared, never mutated). */
const DELIVER_ONLY: InboundDecision = Object.freeze({ deliver: true, relayTo: Object.freeze([]) as unknown as string[], ttl: 0 });
const NO_PEERS: string[] = Object.freeze([]) as unknown as string[];

/** Topics whose peer lists are cached at most; the cache is cleared when full. */
const PEER_CACHE_LIMIT = 1024;

/** Routing state of one endpoint: its peers and their advertised filters. */
export class Router {
  /** Peer id → the filter that peer advertised. */
  private readonly peers = new Map<string, TopicFilter>();
  /**
   * Topic → the peers whose filter matches it (or every peer, for store channels).
   * Cleared whenever a peer or a filter changes; bounded by {@link PEER_CACHE_LIMIT}.
   */
  private readonly peerCache = new Map<string, string[]>();
  /** The last topic looked up and its peers: a stream of messages mostly repeats one topic. */
  private lastTopic: string | undefined;
  private lastPeers: string[] = NO_PEERS;
  /** Messages already seen, by (origin, seq). */
  private readonly seen = new DuplicateFilter();
  private nextSeq: number;

  constructor(private readonly options: RouterOptions) {
    this.nextSeq = options.firstSequence ?? firstSequence();
  }

  /** The hop limit stamped on local publications. */
  get ttl(): number {
    return this.options.ttl;
  }

  /** Adds a peer with the filter it advertised (empty until it says otherwise). */
  addPeer(peer: string, topics: Iterable<string> = []): void {
    this.peers.set(peer, new TopicFilter(topics));
    this.clearPeerCache();
  }

  /** Removes a peer; returns false if it was unknown. */
  removePeer(peer: string): boolean {
    this.clearPeerCache();
    return this.peers.delete(peer);
  }

  /** Tells whether `peer` is a current peer. */
  hasPeer(peer: string): boolean {
    return this.peers.has(peer);
  }

  /** Current peer ids. */
  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  /** Replaces the filter a peer advertised; returns false for an unknown peer. */
  setPeerFilter(peer: string, topics: Iterable<string>): boolean {
    const filter = this.peers.get(peer);
    if (filter === undefined) return false;
    filter.replace(topics);
    this.clearPeerCache();
    return true;
  }

  /** The filter a peer advertised, or undefined for an unknown peer. */
  peerFilter(peer: string): string[] | undefined {
    return this.peers.get(peer)?.toArray();
  }

  /** Tells whether some peer's advertised filter matches `topic`. */
  peerAdvertises(topic: string): boolean {
    for (const filter of this.peers.values()) if (filter.matches(topic)) return true;
    return false;
  }

  /**
   * The union of all peers' filters, sorted and deduplicated but not prefix-minimized,
   * as Broker 1.4's `peer_subscriptions()`.
   */
  peerSubscriptions(): string[] {
    const all = new Set<string>();
    for (const filter of this.peers.values()) for (const t of filter.toArray()) all.add(t);
    return [...all].sort();
  }

  /**
   * The peers a message published here on `topic` would go to, without stamping it.
   * @param topic - the topic
   * @param receiver - a specific peer, for a publish to one peer
   * @returns a list shared with later calls until the peers change: never mutate it
   */
  peersFor(topic: string, receiver?: string): readonly string[] {
    if (receiver !== undefined) return !isInternalTopic(topic) && this.peers.has(receiver) ? [receiver] : NO_PEERS;
    if (topic === this.lastTopic) return this.lastPeers;
    let cached = this.peerCache.get(topic);
    if (cached === undefined) {
      cached = isInternalTopic(topic) ? NO_PEERS : this.matchingPeers(topic, undefined);
      if (this.peerCache.size >= PEER_CACHE_LIMIT) this.peerCache.clear();
      this.peerCache.set(topic, cached);
    }
    this.lastTopic = topic;
    this.lastPeers = cached;
    return cached;
  }

  private clearPeerCache(): void {
    this.peerCache.clear();
    this.lastTopic = undefined;
  }

  /**
   * Takes the next sequence number for a message published here. Own messages are not
   * entered in the duplicate filter: one that comes back through a cycle is recognized
   * by its origin ({@link Router.routeInbound}).
   */
  nextSequence(): number {
    return this.nextSeq++;
  }

  /**
   * Stamps a message published here and picks the peers it goes to.
   * @param topic - the topic
   * @param receiver - a specific peer, for a publish to one peer
   * @returns the routing info to send and the peers to send it to
   */
  routeLocal(topic: string, receiver?: string): { info: RouteInfo; to: string[] } {
    const info: RouteInfo = { topic, origin: this.options.self, seq: this.nextSeq++, ttl: this.options.ttl };
    if (receiver !== undefined) info.receiver = receiver;
    return { info, to: [...this.peersFor(topic, receiver)] };
  }

  /**
   * Decides what happens to a message received from a peer.
   * @param from - the peer it came from
   * @param info - its routing info
   */
  routeInbound(from: string, info: RouteInfo): InboundDecision {
    return this.decide(from, info.topic, info.origin, info.seq, info.ttl, info.receiver);
  }

  /**
   * {@link Router.routeInbound} on the fields of a wire item, without a `RouteInfo`.
   * @returns a decision that may be shared with other calls: never mutate it
   */
  decide(from: string, topic: string, origin: string, seq: number, ttl: number, receiver: string | undefined): InboundDecision {
    if (isInternalTopic(topic)) return { deliver: false, relayTo: [], ttl: 0, dropped: 'internal-topic' };
    // Our own message came back through a cycle. A message without a sequence number
    // (from a native peer) is not checked, as in Broker.
    if (origin === this.options.self || (seq !== NO_SEQUENCE && !this.seen.accept(origin, seq))) return { deliver: false, relayTo: [], ttl: 0, dropped: 'duplicate' };
    if (receiver !== undefined) {
      // A message for one endpoint is delivered there and never relayed.
      return receiver === this.options.self ? DELIVER_ONLY : { deliver: false, relayTo: [], ttl: 0 };
    }
    if (!this.options.forward) return DELIVER_ONLY;
    const next = ttl - 1;
    if (next <= 0) return { deliver: true, relayTo: [], ttl: 0, dropped: 'ttl-expired' };
    const all = this.peersFor(topic);
    if (all.length === 0 || (all.length === 1 && all[0] === from)) return DELIVER_ONLY;
    return { deliver: true, relayTo: all.filter((p) => p !== from), ttl: next };
  }

  private matchingPeers(topic: string, except: string | undefined): string[] {
    const out: string[] = [];
    const flood = isStoreChannelTopic(topic);
    for (const [peer, filter] of this.peers) {
      if (peer !== except && (flood || filter.matches(topic))) out.push(peer);
    }
    return out;
  }
}
