/**
 * What an endpoint's core does with the events of its TCP connections
 * ({@link NativeEvent}, from `native-endpoint-peers.ts`): admit or refuse a connection,
 * make a completed Broker handshake a peer, hand a broker-ts peer's connection over to
 * broker-ts's own handshake, report failed connections with Broker's codes, and carry a
 * native peer's messages (data, store commands, routing updates) into the routing, its
 * drained socket on to waiting publishers and relays, and its closed connection into the
 * loss of the peer. Broker does the same in `libbroker/broker/internal/core_actor.cc`
 * (`init_new_peer`, `handle_peer_close_event`) and `connector.cc` (redundant connections).
 *
 * The core owns the peers, the peerings and the statuses, and is called back through
 * {@link NativePeerHost}; this part keeps no state of its own.
 */
import { BrokerError, type ErrorCodeName } from '@broker-ts/data';
import type { Logger } from 'pino';
import type { CoreMessage, EndpointStats } from '../core-messages';
import type { Delivery } from '../delivery';
import { type EndpointInfo, type NetworkInfo, parseNetworkAddress } from '../endpoint-info';
import type { OutboundPeerings } from '../outbound-peerings';
import type { WireItem } from '../peer-protocol';
import type { PeerState } from '../peer-state';
import { nativeConnectFailure, nativeRefusalCode } from '../refusal-code';
import type { Router } from '../router';
import { nativeCommandItem } from '../store/native/native-store-items';
import type { NativeAttempt, NativeEvent } from './native-endpoint-peers';
import { type NativePeer, nativeDataItem } from './native-peer';
import { decodeRoutingUpdate } from './routing-update';

/** What {@link NativePeerHandlers} needs from the core that owns it. */
export interface NativePeerHost {
  /** Established peerings by peer id. */
  readonly peers: ReadonlyMap<string, PeerState>;
  /** The outbound peerings (which attempt is current, where a peering goes). */
  readonly peerings: Pick<OutboundPeerings, 'isCurrent' | 'network'>;
  readonly router: Pick<Router, 'setPeerFilter'>;
  readonly stats: Pick<EndpointStats, 'malformed' | 'processed'>;
  readonly delivery: Pick<Delivery, 'onNativeItems' | 'relayRoomMayHaveOpened'>;
  readonly log: Logger;
  /** Set once the endpoint shuts down: a handshake that completes then is closed. */
  readonly shuttingDown: boolean;
  /** The endpoint's filter now. */
  filter(): string[];
  /** Registers an established peer and reports it (`endpoint_discovered`, `peer_added`). */
  addPeer(id: string, link: NativePeer, filter: string[], network: NetworkInfo | undefined, peeringKey: string | undefined): PeerState;
  /** Reports the loss of a peer whose backlog waits, before a new peering with it. */
  finishLoss(peer: PeerState): void;
  /** An outbound peering reached a peer we are peered with already: it is that peering. */
  joinPeering(key: string, existing: PeerState): void;
  /** The handshake of an outbound peering completed. */
  peeringSucceeded(key: string): void;
  /** An attempt of an outbound peering failed. */
  attemptFailed(key: string, attempt: number, code: ErrorCodeName, message: string): void;
  /** An attempt of an outbound peering reached a broker-ts endpoint's node: broker-ts's own handshake follows. */
  reachedNode(key: string, attempt: number, node: string): void;
  /** Closes the actor runtime's connection to a node. */
  disconnectNode(node: string): void;
  /** Reports an error event. */
  emitError(code: ErrorCodeName, info: EndpointInfo | undefined, message: string, level?: 'warn' | 'info' | 'debug'): void;
  /** A peer went away without bye. */
  peerGone(peerId: string, why: string): void;
  /** The peer ended the peering: deliver what it sent, then report `peer_lost`. */
  losePeer(peer: PeerState, why: string, reconnect: boolean, disconnect: boolean): void;
  /** Publishers waiting for room in peer buffers may go on. */
  resumeParked(): void;
  /** Queues a message to the core itself. */
  tell(message: CoreMessage): void;
}

/** The core's handlers of its connections' events; see the file comment. */
export class NativePeerHandlers {
  /** @param host - the core's state and callbacks */
  constructor(private readonly host: NativePeerHost) {}

  /**
   * Refuses a second connection to an endpoint we are peered with (Broker's
   * `redundant_connection`, sent as DROP_CONN during the handshake).
   */
  admit(remoteId: string): BrokerError | undefined {
    const peer = this.host.peers.get(remoteId);
    if (peer === undefined || peer.ending) return undefined;
    return new BrokerError('redundant_connection', 'redundant connection');
  }

  /** A connection completed Broker's handshake: the peering is up. */
  established(m: Extract<NativeEvent, { type: 'native-established' }>): void {
    const host = this.host;
    const { peer: link, info, outbound } = m;
    if (host.shuttingDown || (outbound !== undefined && !host.peerings.isCurrent(outbound.key, outbound.attempt))) {
      link.disconnect();
      return;
    }
    const old = host.peers.get(info.remoteId);
    if (old?.lost !== undefined) host.finishLoss(old);
    const existing = host.peers.get(info.remoteId);
    if (existing !== undefined) {
      // Both sides peered at once: the peering already up is this one; Broker keeps one connection.
      link.disconnect();
      if (outbound !== undefined) host.joinPeering(outbound.key, existing);
      return;
    }
    const network = outbound === undefined ? parseNetworkAddress(m.address) : host.peerings.network(outbound.key);
    // The role follows the ids, not who connected (the smaller id originates).
    host.log.debug({ event: 'native-handshake-done', peer: info.remoteId, originator: info.originator, inbound: outbound === undefined }, `Broker handshake done as the ${info.originator ? 'originator' : 'responder'}`);
    host.addPeer(info.remoteId, link, info.remoteFilter, network, outbound?.key);
    const id = info.remoteId;
    void link.done().then((error) => {
      if (error?.code === 'overflow') host.tell({ type: 'peer-output-ended', peer: id, error });
    });
    // Our filter may have changed while the handshake ran.
    const filter = host.filter();
    if (!sameTopics(m.sentFilter, filter)) link.advertise(filter);
    if (outbound !== undefined) host.peeringSucceeded(outbound.key);
  }

  /**
   * A broker-ts peer's connection was handed to the actor runtime. Our outbound peering
   * goes on with broker-ts's own handshake (core lookup, hello, welcome); an inbound one
   * waits for the peer's hello.
   */
  adopted(node: string, outbound: NativeAttempt | undefined): void {
    const host = this.host;
    if (outbound === undefined) {
      host.log.debug({ event: 'inbound-broker-ts-peer', node }, 'a broker-ts peer connected');
      return;
    }
    if (!host.peerings.isCurrent(outbound.key, outbound.attempt) && !host.peers.has(node)) {
      // The attempt was given up meanwhile (timed out, unpeered): its connection goes too.
      host.disconnectNode(node);
      return;
    }
    host.reachedNode(outbound.key, outbound.attempt, node);
  }

  /** A connection failed before its handshake completed. */
  failed(m: Extract<NativeEvent, { type: 'native-failed' }>): void {
    const host = this.host;
    const { error, outbound } = m;
    if (error === undefined) return;
    if (outbound !== undefined) {
      // As Broker's connector: the peer refused a second connection to an endpoint we are
      // peered with, so the peering asked for is up.
      const remoteId = error.context.remoteId;
      const existing = typeof remoteId === 'string' ? host.peers.get(remoteId) : undefined;
      if (error.code === 'redundant_connection' && existing !== undefined && !existing.ending) {
        if (host.peerings.isCurrent(outbound.key, outbound.attempt)) host.joinPeering(outbound.key, existing);
        return;
      }
      host.attemptFailed(outbound.key, outbound.attempt, ...nativeConnectFailure(error));
      return;
    }
    const code = nativeRefusalCode(error);
    if (code === undefined) {
      host.log.debug({ event: 'inbound-redundant', address: m.address }, error.message);
      return;
    }
    host.emitError(code, { id: null, network: parseNetworkAddress(m.address) }, `refused an incoming connection: ${error.message}`, 'warn');
  }

  /** Takes a native peer's messages: data into the routing, filters, store commands. */
  input(link: NativePeer): void {
    const host = this.host;
    const messages = link.take();
    const peer = host.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link || peer.ending) return;
    let items: WireItem[] = [];
    for (const m of messages) {
      // Store commands are routed as data is: to the store actors here and on to peers.
      if (m.type === 'data' || m.type === 'command') {
        items.push(m.type === 'data' ? nativeDataItem(m) : nativeCommandItem(m));
        continue;
      }
      // Data and commands before a filter update are routed first, in order.
      if (items.length > 0) this.route(peer, link, items);
      items = [];
      if (m.type === 'routing_update') {
        host.stats.processed.routingUpdate++;
        host.router.setPeerFilter(peer.id, decodeRoutingUpdate(m.payload));
      }
    }
    if (items.length > 0) this.route(peer, link, items);
  }

  /** Routes a native peer's items; the peer's input holds them until they are delivered. */
  private route(peer: PeerState, link: NativePeer, items: WireItem[]): void {
    link.hold(items.length);
    this.host.delivery.onNativeItems(peer, items);
  }

  /** A native peer's socket took what waited: publishers and relays waiting for it go on. */
  drained(): void {
    this.host.resumeParked();
    this.host.delivery.relayRoomMayHaveOpened();
  }

  /** A native peer sent a malformed message: dropped and counted, the connection stays. */
  dropped(link: NativePeer, error: BrokerError): void {
    this.host.stats.malformed++;
    this.host.log.warn({ event: 'bad-item', peer: link.remoteId, code: error.code, detail: error.message }, 'dropped a malformed message from a peer');
  }

  /** A native peer's connection closed: the peer is lost (and reconnected by a peering with a retry). */
  closed(link: NativePeer, error: BrokerError | undefined, remote: boolean): void {
    const host = this.host;
    const peer = host.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link || peer.ending) return;
    const why = `connection closed${remote ? ' by the peer' : ''}${error === undefined ? '' : `: ${error.message}`}`;
    if (error !== undefined) {
      host.peerGone(peer.id, why);
      return;
    }
    host.log.info({ event: 'peer-closed', peer: peer.id }, why);
    host.losePeer(peer, why, true, false);
  }
}

/** Tells whether two sorted topic lists are the same. */
function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
