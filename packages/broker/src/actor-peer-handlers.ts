/**
 * What an endpoint's core does with another broker-ts endpoint over the actor runtime,
 * once Broker's native handshake handed the connection to the runtime (or a worker
 * thread's MessagePort links the nodes): broker-ts's own handshake (the lookup of the
 * peer's core actor, `broker.hello`, `broker.welcome` or `broker.reject`), the
 * credit-based data streams both ways, and the peer's filter updates and bye
 * (`peer-protocol.ts`). Broker runs the same steps over its own connections in
 * `libbroker/broker/internal/core_actor.cc` (`init_new_peer`) and `connector.cc`.
 *
 * The core owns the peers, the peerings and the statuses, and is called back through
 * {@link ActorPeerHost}; this part keeps no state of its own.
 */
import type { ActorRef, FlowHost, IncomingStream, SinkSpec, StreamSink } from '@broker-ts/actor';
import { type ErrorCodeName, isErrorCodeName } from '@broker-ts/data';
import type { Logger } from 'pino';
import type { CoreMessage, EndpointStats } from './core-messages';
import type { Delivery } from './delivery';
import { type EndpointInfo, type NetworkInfo, parseNetworkAddress } from './endpoint-info';
import type { ResolvedEndpointOptions } from './endpoint-options';
import type { OutboundPeerings } from './outbound-peerings';
import { CORE_ACTOR_NAME, isTopicList, type PeerBye, type PeerFilterUpdate, type PeerHello, type PeerMessage, packWireItems, PEER_BATCH_BYTES, PEER_PROTOCOL_VERSION, type PeerReject, type PeerStreamMeta, type PeerWelcome, unpackWireItems, type WireItem, wireItemBytes } from './peer-protocol';
import { ActorPeerLink, type PeerState } from './peer-state';
import type { Router } from './router';

/** What {@link ActorPeerHandlers} needs from the core that owns it. */
export interface ActorPeerHost {
  /** This endpoint's id (its node id). */
  readonly id: string;
  /** Established peerings by peer id. */
  readonly peers: ReadonlyMap<string, PeerState>;
  /** The outbound peerings (which attempt is current, which one waits for a welcome). */
  readonly peerings: Pick<OutboundPeerings, 'isCurrent' | 'reached' | 'handshaking' | 'peered'>;
  /** The routing: it follows each peer's filter. */
  readonly router: Pick<Router, 'setPeerFilter'>;
  /** The core's counters (routing updates). */
  readonly stats: Pick<EndpointStats, 'processed'>;
  /** Takes a peer's inbound items. */
  readonly delivery: Pick<Delivery, 'onPeerItems'>;
  /** The bound and overflow policy of each peer's data stream. */
  readonly options: Pick<ResolvedEndpointOptions, 'peerBufferSize' | 'peerOverflowPolicy'>;
  /** The core's credit-based streams (it opens our data stream to each peer). */
  readonly flows: Pick<FlowHost, 'open'>;
  /** The core's logger. */
  readonly log: Logger;
  /** Set once the endpoint shuts down: a hello is rejected then. */
  readonly shuttingDown: boolean;
  /** The endpoint's filter now. */
  filter(): string[];
  /** Looks a named actor up on a node (the actor runtime's `lookup`). */
  lookup(node: string, name: string): Promise<ActorRef | undefined>;
  /** Sends a peer protocol message to a peer's core actor. */
  send(core: ActorRef, message: PeerMessage): void;
  /** The link to a peer's core actor. */
  link(core: ActorRef): ActorPeerLink;
  /** The address of the runtime's connection to a node, when it is a TCP connection. */
  remoteAddress(node: string): string | undefined;
  /** Registers an established peer and reports it (`endpoint_discovered`, `peer_added`). */
  addPeer(id: string, link: ActorPeerLink, filter: string[], network: NetworkInfo | undefined, peeringKey: string | undefined): PeerState;
  /** Reports the loss of a peer whose backlog waits, before a new peering with it. */
  finishLoss(peer: PeerState): void;
  /** An outbound peering reached a peer we are peered with already: it is that peering. */
  joinPeering(key: string, existing: PeerState): void;
  /** The handshake of an outbound peering completed. */
  peeringSucceeded(key: string): void;
  /** An attempt of an outbound peering failed. */
  attemptFailed(key: string, attempt: number, code: ErrorCodeName, message: string): void;
  /** Reports an error event. */
  emitError(code: ErrorCodeName, info: EndpointInfo | undefined, message: string): void;
  /** A peer went away without bye. */
  peerGone(peerId: string, why: string): void;
  /** The peer ended the peering: deliver what it sent, then report `peer_lost`. */
  losePeer(peer: PeerState, why: string, reconnect: boolean, disconnect: boolean): void;
  /** Queues a message to the core itself. */
  tell(message: CoreMessage): void;
}

/** The core's handlers of broker-ts peers over the actor runtime; see the file comment. */
export class ActorPeerHandlers {
  /** @param host - the core's state and callbacks */
  constructor(private readonly host: ActorPeerHost) {}

  /**
   * An attempt of an outbound peering reached a broker-ts endpoint's node: looks its
   * core actor up (the answer comes back to the core as `peer-core-found`).
   */
  connected(key: string, attempt: number, node: string): void {
    const host = this.host;
    if (!host.peerings.isCurrent(key, attempt)) return;
    host.lookup(node, CORE_ACTOR_NAME).then(
      (core) => host.tell({ type: 'peer-core-found', key, attempt, core, node }),
      (e: unknown) => host.tell({ type: 'peering-failed', key, attempt, code: 'peer_unavailable', message: `no endpoint at the remote node: ${(e as Error).message}` }),
    );
  }

  /** The lookup of the peer's core actor answered: we say hello (or fail the attempt). */
  coreFound(key: string, attempt: number, node: string, core: ActorRef | undefined): void {
    const host = this.host;
    if (!host.peerings.isCurrent(key, attempt)) return;
    if (core === undefined) {
      host.attemptFailed(key, attempt, 'peer_incompatible', `node ${node} runs no broker endpoint`);
      return;
    }
    host.peerings.reached(key, attempt, node);
    const existing = host.peers.get(node);
    if (existing !== undefined) {
      // Already peered (the other side peered with us first): this peering is that one.
      host.joinPeering(key, existing);
      return;
    }
    host.send(core, { type: 'broker.hello', endpoint: host.id, filter: host.filter(), protocol: PEER_PROTOCOL_VERSION } satisfies PeerHello);
  }

  /** The peer accepted our hello: the outbound peering is up. */
  welcome(m: PeerWelcome, core: ActorRef | null): void {
    const host = this.host;
    if (core === null || core.node !== m.endpoint) return;
    const p = host.peerings.handshaking(core.node);
    if (p === undefined) return;
    if (!isTopicList(m.filter)) {
      host.attemptFailed(p.key, p.attempt, 'unexpected_handshake_message', 'the peer welcomed us with a malformed filter');
      return;
    }
    const existing = host.peers.get(m.endpoint);
    if (existing !== undefined) {
      // Both sides peered at once: the inbound peering is this one.
      existing.peeringKey ??= p.key;
      existing.network ??= p.network;
      host.peerings.peered(p.key, m.endpoint);
    } else {
      host.addPeer(m.endpoint, host.link(core), m.filter, p.network, p.key);
    }
    host.peeringSucceeded(p.key);
  }

  /** The peer refused our hello: the attempt failed with its code. */
  reject(m: PeerReject, core: ActorRef | null): void {
    const host = this.host;
    if (core === null) return;
    const p = host.peerings.handshaking(core.node);
    const code = typeof m.code === 'string' && isErrorCodeName(m.code) ? m.code : 'peer_unavailable';
    if (p !== undefined) host.attemptFailed(p.key, p.attempt, code, `peer refused: ${String(m.message)}`);
  }

  /** A peer said hello: we welcome it (and open our data stream to it) or reject it. */
  hello(m: PeerHello, core: ActorRef | null): void {
    const host = this.host;
    if (core === null || core.node !== m.endpoint) return;
    if (m.protocol !== PEER_PROTOCOL_VERSION) {
      host.send(core, { type: 'broker.reject', code: 'peer_incompatible', message: `protocol ${String(m.protocol)} is not ${PEER_PROTOCOL_VERSION}` } satisfies PeerReject);
      host.emitError('peer_incompatible', { id: m.endpoint }, `refused a peer speaking protocol ${String(m.protocol)}`);
      return;
    }
    if (!isTopicList(m.filter)) {
      host.send(core, { type: 'broker.reject', code: 'invalid_peering_request', message: 'malformed filter' } satisfies PeerReject);
      host.emitError('invalid_peering_request', { id: m.endpoint }, 'refused a peer whose hello carries a malformed filter');
      return;
    }
    if (host.shuttingDown) {
      host.send(core, { type: 'broker.reject', code: 'shutting_down', message: 'the endpoint is shutting down' } satisfies PeerReject);
      return;
    }
    const old = host.peers.get(m.endpoint);
    if (old?.lost !== undefined) host.finishLoss(old);
    if (!host.peers.has(m.endpoint)) {
      // As Broker: the accepting side names the peer by its connection's remote address.
      const remote = host.remoteAddress(m.endpoint);
      host.addPeer(m.endpoint, host.link(core), m.filter, remote === undefined ? undefined : parseNetworkAddress(remote), undefined);
    }
    host.send(core, { type: 'broker.welcome', endpoint: host.id, filter: host.filter() } satisfies PeerWelcome);
    this.openOutput(host.peers.get(m.endpoint)!);
  }

  /**
   * Opens our data stream to a broker-ts peer (bounded by `peerBufferSize`, its overflow
   * by `peerOverflowPolicy`); its end comes back to the core as `peer-output-ended`. A
   * native peer, or one whose stream is open, is left as it is.
   */
  openOutput(peer: PeerState): void {
    const host = this.host;
    if (peer.out !== undefined || !(peer.link instanceof ActorPeerLink)) return;
    const out = host.flows.open<WireItem>(peer.link.core, {
      capacity: host.options.peerBufferSize,
      policy: host.options.peerOverflowPolicy,
      maxBatch: 512,
      // Large values: batches of at most about 1 MiB (a single larger item goes alone).
      itemBytes: wireItemBytes,
      maxBatchBytes: PEER_BATCH_BYTES,
      packBatch: packWireItems,
      meta: { kind: 'broker.peer-data', endpoint: host.id } satisfies PeerStreamMeta,
    });
    peer.out = out;
    void out.done().then((error) => host.tell({ type: 'peer-output-ended', peer: peer.id, error }));
  }

  /**
   * A stream offered to the core: a broker-ts peer's data stream is taken (with manual
   * acknowledgement, so that its credit follows local delivery); anything else is refused.
   */
  acceptStream(s: IncomingStream): SinkSpec<unknown> | undefined {
    const host = this.host;
    const meta = s.meta as Partial<PeerStreamMeta> | null;
    if (meta?.kind !== 'broker.peer-data' || typeof meta.endpoint !== 'string') return undefined;
    const peer = host.peers.get(meta.endpoint);
    if (peer === undefined || peer.ending || !(peer.link instanceof ActorPeerLink) || !s.source.equals(peer.link.core)) return undefined;
    return {
      ack: 'manual',
      highWatermark: host.options.peerBufferSize,
      unpackBatch: unpackWireItems,
      onItems: (items, sink) => {
        peer.in = sink as StreamSink<WireItem>;
        host.delivery.onPeerItems(peer, items);
      },
      onComplete: () => {
        peer.in = undefined;
      },
      onError: (error) => {
        peer.in = undefined;
        host.peerGone(peer.id, `input stream ended: ${error.message}`);
      },
    };
  }

  /** A peer's new filter: the routing follows it; a malformed one is ignored. */
  filterUpdate(m: PeerFilterUpdate, sender: ActorRef | null): void {
    const host = this.host;
    if (sender === null) return;
    if (!isTopicList(m.filter)) {
      host.log.warn({ event: 'bad-filter', peer: sender.node }, 'ignored a malformed filter update');
      return;
    }
    host.stats.processed.routingUpdate++;
    host.router.setPeerFilter(sender.node, m.filter);
  }

  /** A peer ended the peering: it is lost once what it sent is delivered. */
  bye(m: PeerBye, sender: ActorRef | null): void {
    const host = this.host;
    if (sender === null) return;
    const peer = host.peers.get(sender.node);
    if (peer === undefined) return;
    host.log.debug({ event: 'peer-bye', peer: peer.id, reason: m.reason }, 'peer said bye');
    // A peer that unpeered us is not reconnected; one that shut down or cut us off for a
    // fault that may pass is, when we peered with a retry (as after a lost connection).
    host.losePeer(peer, `peer said bye: ${m.reason}`, m.shutdown === true || m.reconnect === true, true);
  }
}
