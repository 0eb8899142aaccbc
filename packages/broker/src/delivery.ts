/**
 * Delivery of messages inside an endpoint's core: local publications to local
 * subscriptions and to peers, and each peer's inbound messages to local subscriptions,
 * store actors and the peers they are relayed to, while the targets have room. A peer's
 * messages that find a full subscription or, under `disconnect`, a full relay target wait
 * in that peer's backlog (and its input is not acknowledged), so that back-pressure
 * reaches the peer instead of a queue growing here.
 *
 * The decisions come from the `Router`; the core owns the peers, the subscriptions and the
 * statuses, and is called back through {@link DeliveryHost}.
 */
import { type Data, decodeBinary, encodeBinary, type ErrorCodeName } from '@broker-ts/data';
import type { Logger } from 'pino';
import type { EndpointStats } from './core-messages';
import type { EndpointInfo } from './endpoint-info';
import type { ResolvedEndpointOptions } from './endpoint-options';
import type { LocalSubscription } from './local-subscription';
import type { LocalTargets } from './local-targets';
import { asWireItem, PEER_MESSAGE_MAX_BYTES, type WireItem } from './peer-protocol';
import type { PeerState } from './peer-state';
import type { Router } from './router';
import { isInternalTopic } from './topic';
import { isStoreItem } from './store/native/native-store-items';
import { decodeStorePayload, isNativeStorePayload, isStorePayload, nativeStoreCommand } from './store/store-payload';

// Local bindings of the per-message codec calls: see docs/architecture.md, "Local
// bindings on hot paths".
const encodePayload = encodeBinary;
const decodeData = decodeBinary;

/** The counters delivery updates (the core's own, shared). */
export type DeliveryStats = Pick<EndpointStats, 'peerDrops' | 'localDrops' | 'duplicates' | 'ttlExpired' | 'malformed' | 'processed'>;

/** What {@link Delivery} needs from the core that owns it. */
export interface DeliveryHost {
  readonly router: Router;
  readonly targets: LocalTargets;
  /** Established peerings by peer id. */
  readonly peers: ReadonlyMap<string, PeerState>;
  readonly stats: DeliveryStats;
  readonly options: Pick<ResolvedEndpointOptions, 'peerOverflowPolicy' | 'peerBufferSize'>;
  readonly log: Logger;
  /** Reports an error event. */
  emitError(code: ErrorCodeName, info: EndpointInfo | undefined, message: string, level?: 'warn' | 'info' | 'debug'): void;
  /** A relayed message waits for this peer: arm its stall check. */
  watchStall(peer: PeerState): void;
  /** A lost peer's backlog is now delivered: its loss can be reported. */
  backlogDelivered(peer: PeerState): void;
}

/** Delivery of an endpoint's messages; see the file comment. */
export class Delivery {
  /** Set when a peer's inbound messages wait for room in a relay target's buffer. */
  private relayBlocked = false;

  /** @param host - the core's state and callbacks */
  constructor(private readonly host: DeliveryHost) {}

  /** Room may have opened in peer outputs: inbound messages waiting for a relay target go on. */
  relayRoomMayHaveOpened(): void {
    if (!this.relayBlocked) return;
    this.relayBlocked = false;
    this.drainAll();
  }

  /**
   * Delivers a local publication to the local subscriptions of its topic and sends it to
   * the peers whose filters match (or to `receiver` only).
   * @param from - the id of the publishing hub, which does not get its own message
   * @param asRemote - deliver as a peer's message (a WebSocket client's publication)
   * @param value - the value; undefined when the publisher kept only `encoded` (it had no
   *   local listener then), decoded here if a local subscription takes values
   * @param encoded - `value` in Broker's binary format, when the publisher encoded it
   *   already (sent to peers instead of encoding the value again)
   */
  route(topic: string, value: Data | undefined, receiver?: string, from?: number, asRemote = false, encoded?: Uint8Array): void {
    this.host.stats.processed.data++;
    // A WebSocket client's message reaches local subscribers as a peer's message does.
    const local = asRemote ? this.host.targets.targetsFor(topic).remote : this.host.targets.targetsFor(topic).local;
    if (local.length > 0) this.deliverLocal(topic, value, local, from, encoded);
    if (isInternalTopic(topic)) return;
    const to = this.host.router.peersFor(topic, receiver);
    const seq = this.host.router.nextSequence();
    if (to.length === 0) return;
    let payload: Uint8Array;
    try {
      payload = encoded !== undefined ? encoded : encodePayload(value as Data);
    } catch (e) {
      // The facade checks every value (toData), so this is a value changed after it was
      // published: an error for this message only.
      this.host.stats.malformed++;
      this.host.emitError('serialization_failed', undefined, `dropped a publication on ${topic} that cannot be encoded: ${(e as Error).message}`, 'warn');
      return;
    }
    // Origin null: the peer knows we are the origin of what comes on our stream.
    const item: WireItem = [topic, payload, null, seq, this.host.router.ttl, receiver ?? null];
    if (payload.length <= PEER_MESSAGE_MAX_BYTES) {
      for (let i = 0; i < to.length; i++) this.sendToPeer(to[i], item);
      return;
    }
    // Too large for a broker-ts peer; Broker's own transport takes larger frames.
    let refused = false;
    for (let i = 0; i < to.length; i++) {
      if (this.host.peers.get(to[i])?.link.kind === 'native') this.sendToPeer(to[i], item);
      else refused = true;
    }
    if (refused) this.reportOversized(topic, payload.length);
  }

  /**
   * Routes local publications on an internal topic whose values are built only when a
   * local subscription wants the topic now (see `LocalPublication`).
   * @param topic - an internal topic (never sent to peers)
   * @param makes - build the values, in order
   */
  routeLocal(topic: string, makes: ReadonlyArray<() => Data>): void {
    this.host.stats.processed.data += makes.length;
    const local = this.host.targets.targetsFor(topic).local;
    if (local.length === 0) return;
    for (const make of makes) {
      let value: Data;
      try {
        value = make();
      } catch (e) {
        this.host.emitError('invalid_data', undefined, `dropped a local publication on ${topic} that cannot be built: ${(e as Error).message}`, 'warn');
        continue;
      }
      this.deliverLocal(topic, value, local, undefined);
    }
  }

  /**
   * Gives a local message to the subscriptions in `targets` (except the publishing hub).
   * Local publications never wait: a full hub or status subscriber misses the message
   * (counted).
   * @param value - the value, or undefined beside its `payload` (decoded once here, for
   *   the subscriptions that take values)
   */
  deliverLocal(topic: string, value: Data | undefined, targets: readonly LocalSubscription[], exceptId: number | undefined, payload?: Uint8Array): void {
    for (const sub of targets) {
      if (sub.id === exceptId) continue;
      const sink = sub.sink;
      if (sink.pushEncoded === undefined && value === undefined) {
        // Bytes of our own encoder: they decode (a failure would be a bug, reported).
        try {
          value = decodeData(payload!);
        } catch (e) {
          this.host.stats.malformed++;
          this.host.emitError('serialization_failed', undefined, `dropped a publication on ${topic} whose bytes do not decode: ${(e as Error).message}`, 'warn');
          return;
        }
      }
      if (!(sink.pushEncoded !== undefined ? sink.pushEncoded(topic, payload, value) : sink.push([topic, value!]))) {
        this.host.stats.localDrops++;
        this.host.log.debug({ event: 'local-drop', topic, subscription: sub.id }, 'local message dropped: subscription full');
      }
    }
  }

  /**
   * Reports a message larger than {@link PEER_MESSAGE_MAX_BYTES} that the caller sends to
   * no broker-ts peer (an error event, a warning, `stats().peerDrops`), instead of it
   * being lost in the transport with the stream's credit for it.
   * @param topic - its topic
   * @param bytes - its payload's size
   */
  reportOversized(topic: string, bytes: number): void {
    this.host.stats.peerDrops++;
    this.host.emitError('serialization_failed', undefined, `a message of ${bytes} bytes on ${topic} exceeds the ${PEER_MESSAGE_MAX_BYTES} bytes a message to a broker-ts peer may have: not sent to broker-ts peers (counted in stats().peerDrops)`, 'warn');
  }

  /** Pushes a wire item into a peer's output; drops by the overflow policy are counted and warned once. */
  sendToPeer(peerId: string, item: WireItem): void {
    const peer = this.host.peers.get(peerId);
    if (peer?.out === undefined || peer.ending) return;
    const before = peer.out.dropped;
    peer.out.push(item);
    if (peer.out.dropped !== before) {
      this.host.stats.peerDrops += peer.out.dropped - before;
      if (!peer.dropWarned && this.host.options.peerOverflowPolicy !== 'disconnect') {
        peer.dropWarned = true;
        this.host.log.warn({ event: 'peer-drops', peer: peer.id, policy: this.host.options.peerOverflowPolicy }, `a slow peer loses messages: its buffer of ${this.host.options.peerBufferSize} is full (peerOverflowPolicy ${this.host.options.peerOverflowPolicy}); counted in stats().peerDrops`);
      }
    }
  }

  /**
   * Under `disconnect`, tells whether a relayed message must wait because a peer it goes
   * to has no room left (it would overflow and be cut off for a burst).
   */
  private relayMustWait(relayTo: readonly string[]): boolean {
    if (this.host.options.peerOverflowPolicy !== 'disconnect') return false;
    for (const id of relayTo) {
      const peer = this.host.peers.get(id);
      const out = peer?.out;
      if (peer === undefined || out === undefined || peer.ending || out.buffered < out.capacity) continue;
      this.host.watchStall(peer);
      return true;
    }
    return false;
  }

  /** Moves a peer's waiting inbound messages into local subscriptions while they have room. */
  drain(peer: PeerState): void {
    let consumed = 0;
    const backlog = peer.backlog;
    const decisions = peer.decisions;
    let i = 0;
    for (; i < backlog.length; i++) {
      const item = backlog[i];
      const decision = decisions[i];
      if (decision.relayTo.length > 0 && this.relayMustWait(decision.relayTo)) {
        this.relayBlocked = true;
        break;
      }
      if (decision.deliver) {
        const all = this.host.targets.targetsFor(item[0]).remote;
        // Store channel messages are for the store actors (negative ids), never for user
        // subscribers, as in Broker (a subscription to "" would otherwise get them).
        const targets = isStoreItem(item) ? all.filter((t) => t.id < 0) : all;
        let full: LocalSubscription | undefined;
        for (let k = 0; k < targets.length; k++) {
          if (targets[k].sink.freeCapacity === 0) {
            full = targets[k];
            break;
          }
        }
        if (full !== undefined) {
          full.markBlocked();
          break;
        }
        if (targets.length > 0) {
          // Decoded once, and only when a target takes values (lazy subscriptions take the
          // payload and decode it if they read it).
          let eager = false;
          for (let k = 0; k < targets.length; k++) if (targets[k].sink.pushEncoded === undefined) eager = true;
          const value = eager ? this.decodePayload(peer, item) : item[6];
          if (!eager || value !== undefined) {
            for (let k = 0; k < targets.length; k++) {
              const sink = targets[k].sink;
              if (sink.pushEncoded !== undefined) sink.pushEncoded(item[0], item[1], value);
              else sink.push([item[0], value!]);
            }
          }
        }
      }
      if (decision.relayTo.length > 0) {
        const relayed: WireItem = [item[0], item[1], item[2] ?? peer.id, item[3], decision.ttl, item[5]];
        for (const next of decision.relayTo) this.sendToPeer(next, relayed);
      }
      consumed++;
    }
    if (i > 0) {
      backlog.splice(0, i);
      decisions.splice(0, i);
    }
    if (consumed > 0) peer.in?.consumed(consumed);
    if (peer.lost !== undefined && peer.backlog.length === 0) this.host.backlogDelivered(peer);
  }

  /** Decodes a payload; a malformed one is logged, counted and yields undefined. */
  private decodePayload(peer: PeerState, item: WireItem): Data | undefined {
    // Decoded at receipt (a native peer's DATA).
    if (item[6] !== undefined) return item[6];
    try {
      // Store protocol messages are objects, not Data; only store actors subscribe to them.
      if (isStorePayload(item[1])) return decodeStorePayload(item[1]) as Data;
      // Broker's store commands reach the store actors as their bytes.
      if (isNativeStorePayload(item[1])) return nativeStoreCommand(item[1]) as unknown as Data;
      return decodeData(item[1]);
    } catch (e) {
      this.host.stats.malformed++;
      this.host.log.warn({ event: 'bad-payload', peer: peer.id, topic: item[0], detail: (e as Error).message }, 'dropped a message with a malformed payload');
      return undefined;
    }
  }

  /** Drains every peer whose inbound messages wait. */
  drainAll(): void {
    for (const peer of this.host.peers.values()) if (peer.backlog.length > 0) this.drain(peer);
  }

  /** Takes a peer's inbound messages: routing decisions, then delivery and relays while there is room. */
  onPeerItems(peer: PeerState, items: unknown[]): void {
    for (const raw of items) {
      const item = asWireItem(raw);
      if (item === undefined) {
        this.host.stats.malformed++;
        this.host.log.warn({ event: 'bad-item', peer: peer.id }, 'dropped a malformed message from a peer');
        peer.in?.consumed(1);
        continue;
      }
      this.admit(peer, item);
    }
    this.drain(peer);
  }

  /**
   * Takes a native peer's inbound messages as {@link onPeerItems} does, for items this
   * process made from frames its codec checked (they are well-formed, and a DATA item
   * carries its decoded value).
   */
  onNativeItems(peer: PeerState, items: readonly WireItem[]): void {
    for (let i = 0; i < items.length; i++) this.admit(peer, items[i]);
    this.drain(peer);
  }

  /** Counts an inbound item and queues it with its routing decision. */
  private admit(peer: PeerState, item: WireItem): void {
    if (isStoreItem(item)) this.host.stats.processed.command++;
    else this.host.stats.processed.data++;
    const decision = this.host.router.decide(peer.id, item[0], item[2] ?? peer.id, item[3], item[4], item[5] ?? undefined);
    if (decision.dropped === 'duplicate') this.host.stats.duplicates++;
    else if (decision.dropped === 'ttl-expired') this.host.stats.ttlExpired++;
    peer.backlog.push(item);
    peer.decisions.push(decision);
  }
}
