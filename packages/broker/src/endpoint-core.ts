/**
 * The core actor of an endpoint: one per endpoint, and every facade call is one message
 * to it. It owns the routing state (peers and their filters, the endpoint's own filter),
 * the local subscriptions, the peerings in progress and the links to each peer. Every TCP
 * peering starts with Broker's native handshake (`native/native-endpoint-peers.ts`): a
 * real Broker stays a native peer (`native/native-peer.ts`, a bounded buffer per peer over
 * the socket), another broker-ts endpoint continues on the actor runtime's transport and
 * is reached as its core actor, with credit-based streams (`ActorPeerLink`); endpoints in
 * worker threads are reached the same way over their MessagePort.
 *
 * The decisions live in parts without I/O, as Broker splits its core
 * (`libbroker/broker/internal/core_actor.cc`, `connector.cc`, `peering.hh`): `Router`
 * routes, `OutboundPeerings` runs the lifecycle of the peerings we open, `LocalTargets`
 * finds the subscriptions of a topic, `PublicationPacing` lets local publications go on
 * as the peers take them (parking the publishers that must wait, cutting off a stalled
 * peer), `StoreAttachments` keeps the attached stores, `PeerState` is one established
 * peering, `Delivery` moves messages to subscriptions and peers, `NativePeerHandlers`
 * turns the events of the TCP connections into peers, routed messages and losses,
 * `ActorPeerHandlers` runs broker-ts's own handshake with another broker-ts endpoint and
 * its data streams, filter updates and bye over the actor runtime; the messages are in
 * `core-messages.ts`, the timers and bounded waits in `core-timers.ts`.
 * This actor carries their decisions out: timers, sockets, streams.
 */
import { Actor, type ActorContext, type ActorRef, type AnyMessage, type Behavior, type Handler, FlowError, KEEP_ALIVE, FlowHost, TcpNetwork, withFlows } from '@broker-ts/actor';
import { BrokerError, type ErrorCodeName, errorToData } from '@broker-ts/data';
import type { CoreCommand, CoreMessage, EndpointStats, PeerInfo } from './core-messages';
import type { ResolvedEndpointOptions } from './endpoint-options';
import { type EndpointInfo, endpointInfoToData, type NetworkInfo } from './endpoint-info';
import { LocalSubscription } from './local-subscription';
import { flushedWithin, KeyedTimers, settledWithin } from './core-timers';
import { Delivery } from './delivery';
import { LocalTargets } from './local-targets';
import type { PublishBuffer } from './publish-buffer';
import { PublicationPacing } from './publication-pacing';
import { CORE_ACTOR_NAME, PEER_MESSAGE_MAX_BYTES, type WireItem } from './peer-protocol';
import { OutboundPeerings, type PeeringStep } from './outbound-peerings';
import { ActorPeerLink, newPeerState, type PeerState } from './peer-state';
import { ActorPeerHandlers } from './actor-peer-handlers';
import { NativeEndpointPeers } from './native/native-endpoint-peers';
import { NativePeer } from './native/native-peer';
import { NativePeerHandlers } from './native/native-peer-handlers';
import { Router } from './router';
import { Status } from './status';
import { FilterSources } from './topic-filter';
import { isInternalTopic, Topics } from './topic';
import { StoreAttachments } from './store-attachments';
import { ActorSink } from './store/actor-sink';
import { StoreActor, type StoreCommand, type StoreSpec } from './store/store-actor';
import { encodeStorePayload } from './store/store-payload';
import { isStoreItem, nativeCommandFrame, nativeStoreItem } from './store/native/native-store-items';
import { type EndpointLife, newEndpointLife } from './endpoint-life';

/** How long a peering handshake may take before the attempt counts as failed. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long shutdown waits for peers to take what was published before it. */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 3_000;
/** How long unpeer waits for the peer to take what was published before it (Broker's `unpeer_timeout`). */
const UNPEER_FLUSH_TIMEOUT_MS = 3_000;

/** The core actor of one endpoint. */
export class EndpointCore extends Actor<CoreMessage> {
  /** Routing decisions: peers' filters, forwarding, TTL, duplicate suppression. */
  private readonly router: Router;
  /** The topics this endpoint asks its peers for, from every local source. */
  private readonly sources = new FilterSources();
  /** Local subscriptions, and the ones each topic's messages go to. */
  private readonly targets = new LocalTargets();
  /** Established peerings by peer endpoint id. */
  private readonly peers = new Map<string, PeerState>();
  /** Outbound peerings by `host:port`, pending or established: attempts, retries, waiters. */
  private readonly peerings: OutboundPeerings;
  /** The one pending timer (handshake timeout or retry) of each outbound peering, by key. */
  private readonly peeringTimers: KeyedTimers;
  /** Credit-based streams to and from peers. */
  private readonly flows: FlowHost;
  /** Counters. */
  private readonly stats: Omit<EndpointStats, 'publishDrops' | 'buffered' | 'subscriptions' | 'publishers' | 'published'> = {
    peerDrops: 0, localDrops: 0, duplicates: 0, ttlExpired: 0, malformed: 0, processed: { data: 0, command: 0, routingUpdate: 0 }, peerDisconnects: 0,
  };
  /** Local publications as the peers take them: parked publishers, stall checks. */
  private readonly pacing: PublicationPacing;
  /** Local and inbound messages to their subscriptions and peers. */
  private readonly delivery: Delivery;
  /** Store masters and clones of this endpoint, by store name. */
  private readonly stores = new StoreAttachments({
    spawn: (spec, topic) => this.spawnStore(spec, topic),
    unsubscribe: (id) => this.removeSubscription(id),
    peerAdvertises: (topic) => this.router.peerAdvertises(topic),
  });
  /** Ids of the subscriptions the core makes for its store actors (negative: never a facade id). */
  private nextStoreSubscription = -1;
  /** Set by `shutdown`: no new peerings, no reconnection. */
  private shuttingDown = false;
  /** Worker endpoints (peers) whose threads the application is terminating; each a current peer. */
  private readonly terminating = new Set<string>();
  /** Our listeners and connections over TCP, speaking Broker's native protocol first. */
  private readonly native: NativeEndpointPeers;
  /** What the core does with the events of those connections. */
  private readonly nativeEvents: NativePeerHandlers;
  /** What the core does with broker-ts peers over the actor runtime: handshake, streams, filters, bye. */
  private readonly actorPeers: ActorPeerHandlers;

  constructor(
    ctx: ActorContext<CoreMessage>,
    private readonly options: ResolvedEndpointOptions,
    /** The facade's buffer of `Endpoint.publish` calls (bounded by `publishBufferSize`). */
    private readonly input: PublishBuffer,
    /** The endpoint's wall clock in ms since the epoch (virtual unless `useRealTime`), for store timestamps. */
    private readonly wallNow: () => number,
    /** What the facade's publishing objects read: the core keeps its peer count there. */
    private readonly life: EndpointLife = newEndpointLife(),
  ) {
    super(ctx);
    this.router = new Router({ self: ctx.system.nodeId, forward: options.forward, ttl: options.ttl });
    // The publish calls encode a value at the call only for a topic some peer takes.
    const router = this.router;
    this.life.wantedByPeers = (topic) => router.peersFor(topic).length > 0;
    this.peerings = new OutboundPeerings(HANDSHAKE_TIMEOUT_MS, (id) => this.peers.has(id));
    // A retry is work the application waits on: it keeps the process alive.
    this.peeringTimers = new KeyedTimers(ctx.system.clock, KEEP_ALIVE);
    this.flows = new FlowHost(ctx as ActorContext, { onOpen: (s) => this.actorPeers.acceptStream(s) });
    this.delivery = new Delivery({
      router: this.router,
      targets: this.targets,
      peers: this.peers,
      stats: this.stats,
      options,
      log: ctx.log,
      emitError: (code, info, message, level) => this.emitError(code, info, message, level),
      watchStall: (peer) => this.pacing.watchStall(peer),
      backlogDelivered: (peer) => this.finishLoss(peer),
    });
    const self = ctx.self;
    const core = this;
    this.pacing = new PublicationPacing({
      input,
      peers: this.peers,
      router: this.router,
      delivery: this.delivery,
      options,
      clock: ctx.system.clock,
      log: ctx.log,
      emitError: (code, info, message) => this.emitError(code, info, message),
      disconnectPeer: (peer, message, graceful, reconnect) => this.disconnectPeer(peer, message, graceful, reconnect),
      tell: (message) => self.tell(message),
    });
    this.actorPeers = new ActorPeerHandlers({
      id: this.id,
      peers: this.peers,
      peerings: this.peerings,
      router: this.router,
      stats: this.stats,
      delivery: this.delivery,
      options,
      flows: this.flows,
      log: ctx.log,
      get shuttingDown() {
        return core.shuttingDown;
      },
      filter: () => this.sources.filter.toArray(),
      lookup: (node, name) => ctx.system.lookup(node, name),
      send: (to, message) => ctx.send(to, message),
      link: (to) => new ActorPeerLink(ctx as ActorContext, to),
      remoteAddress: (node) => TcpNetwork.of(ctx.system).remoteAddress(node),
      addPeer: (id, link, filter, network, peeringKey) => this.addPeer(id, link, filter, network, peeringKey),
      finishLoss: (peer) => this.finishLoss(peer),
      joinPeering: (key, existing) => this.joinPeering(key, existing),
      peeringSucceeded: (key) => this.applyPeering(this.peerings.succeeded(key)),
      attemptFailed: (key, attempt, code, message) => this.attemptFailed(key, attempt, code, message),
      emitError: (code, info, message) => this.emitError(code, info, message),
      peerGone: (id, why) => this.peerGone(id, why),
      losePeer: (peer, why, reconnect, disconnect) => this.losePeer(peer, why, reconnect, disconnect),
      tell: (message) => self.tell(message),
    });
    this.nativeEvents = new NativePeerHandlers({
      peers: this.peers,
      peerings: this.peerings,
      router: this.router,
      stats: this.stats,
      delivery: this.delivery,
      log: ctx.log,
      get shuttingDown() {
        return core.shuttingDown;
      },
      filter: () => this.sources.filter.toArray(),
      addPeer: (id, link, filter, network, peeringKey) => this.addPeer(id, link, filter, network, peeringKey),
      finishLoss: (peer) => this.finishLoss(peer),
      joinPeering: (key, existing) => this.joinPeering(key, existing),
      peeringSucceeded: (key) => this.applyPeering(this.peerings.succeeded(key)),
      attemptFailed: (key, attempt, code, message) => this.attemptFailed(key, attempt, code, message),
      reachedNode: (key, attempt, node) => this.actorPeers.connected(key, attempt, node),
      disconnectNode: (node) => TcpNetwork.of(ctx.system).disconnect(node),
      emitError: (code, info, message, level) => this.emitError(code, info, message, level),
      peerGone: (id, why) => this.peerGone(id, why),
      losePeer: (peer, why, reconnect, disconnect) => this.losePeer(peer, why, reconnect, disconnect),
      resumeParked: () => this.pacing.resume(),
      tell: (message) => self.tell(message),
    });
    this.native = new NativeEndpointPeers({
      connection: () => ({
        localId: this.id,
        filter: () => this.sources.filter.toArray(),
        transport: options.transport,
        admit: (remoteId) => this.nativeEvents.admit(remoteId),
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        extensions: true,
      }),
      adopt: (socket, role) => TcpNetwork.of(ctx.system).adopt(socket, role),
      capacity: options.peerBufferSize,
      policy: options.peerOverflowPolicy,
      tell: (event) => self.tell(event),
      isStoreItem,
      storeCommand: (_peer, item) => nativeCommandFrame(item, this.id),
    });
    ctx.system.register(CORE_ACTOR_NAME, ctx.self);
  }

  /** This endpoint's id. */
  private get id(): string {
    return this.ctx.system.nodeId;
  }

  behavior(): Behavior<CoreMessage> {
    const merged = withFlows<CoreMessage>(this.flows, {
      publish: (m) => this.delivery.route(m.topic, m.value, m.receiver, m.from, m.asRemote),
      'publish-drain': (m) => this.pacing.drain(m.buffer, m.mark, m.publisher),
      'publish-overflow': () => this.pacing.overflow(),
      'peer-stall-check': (m) => this.pacing.checkStall(m.peer),
      'add-subscription': (m) => this.addSubscription(m.sub, m.topics),
      'set-topics': (m) => this.setTopics(m.id, m.topics),
      'remove-subscription': (m) => this.removeSubscription(m.id),
      'subscriber-drained': () => this.delivery.drainAll(),
      forward: (m) => {
        if (this.sources.add(m.topics)) this.advertise();
      },
      listen: (m) => this.listen(m.host, m.port),
      peer: (m) => answer(() => this.peer(m.host, m.port, m.retryMs, m.wait, m.via)),
      unpeer: (m) => this.unpeer(m.host, m.port),
      peers: () => this.peerInfos(),
      'peer-subscriptions': () => this.router.peerSubscriptions(),
      stats: (): Omit<EndpointStats, 'publishers' | 'published'> => this.snapshotStats(),
      'publish-local': (m) => this.delivery.routeLocal(m.topic, m.makes),
      'publish-store': (m) => {
        this.publishStore(m.topic, m.msg, m.native);
      },
      'attach-master': (m) => answer(() => this.stores.attachMaster(m.name, m.backend, m.options)),
      'attach-clone': (m) => answer(() => this.stores.attachClone({ kind: 'clone', name: m.name, resyncInterval: m.resyncInterval, staleInterval: m.staleInterval, mutationBufferInterval: m.mutationBufferInterval })),
      'detach-store': (m) => this.stores.detach(m.name, m.actor),
      'peer-terminating': (m) => {
        if (this.peers.has(m.id)) this.terminating.add(m.id);
      },
      shutdown: () => this.shutdown(),
      'peering-connected': (m) => this.actorPeers.connected(m.key, m.attempt, m.node),
      'peer-core-found': (m) => this.actorPeers.coreFound(m.key, m.attempt, m.node, m.core),
      'peering-failed': (m) => this.attemptFailed(m.key, m.attempt, m.code, m.message),
      'peering-retry': (m) => this.applyPeering(this.peerings.attempt(m.key)),
      'peer-output-ended': (m) => this.onOutputEnded(m.peer, m.error),
      'native-established': (m) => this.nativeEvents.established(m),
      'native-adopted': (m) => this.nativeEvents.adopted(m.node, m.outbound),
      'native-failed': (m) => this.nativeEvents.failed(m),
      'native-input': (m) => this.nativeEvents.input(m.peer),
      'native-drained': () => this.nativeEvents.drained(),
      'native-dropped': (m) => this.nativeEvents.dropped(m.peer, m.error),
      'native-closed': (m) => this.nativeEvents.closed(m.peer, m.error, m.remote),
      'peer-flushed': (m) => m.link.bye({ type: 'broker.bye', reason: m.reason }),
      'broker.hello': (m) => this.actorPeers.hello(m, this.ctx.sender),
      'broker.welcome': (m) => this.actorPeers.welcome(m, this.ctx.sender),
      'broker.reject': (m) => this.actorPeers.reject(m, this.ctx.sender),
      'broker.filter': (m) => this.actorPeers.filterUpdate(m, this.ctx.sender),
      'broker.bye': (m) => this.actorPeers.bye(m, this.ctx.sender),
    }) as Behavior<AnyMessage>;
    // New credit from a peer may let waiting publishers go on.
    const accept = merged['flow.accept'] as Handler<AnyMessage>;
    const demand = merged['flow.demand'] as Handler<AnyMessage>;
    const flush = merged['flow.flush'] as Handler<AnyMessage>;
    const wrapped: Behavior<AnyMessage> = {
      ...merged,
      // A flush sends what the peers' demand allows: publications waiting for room go on.
      'flow.flush': (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        flush(m, ctx);
        this.pacing.resume();
      },
      'flow.accept': (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        accept(m, ctx);
        this.pacing.resume();
      },
      'flow.demand': (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        demand(m, ctx);
        this.pacing.resume();
        // Inbound messages that waited for room in a relay target's buffer may go on.
        this.delivery.relayRoomMayHaveOpened();
      },
    };
    return this.localOnly(wrapped) as Behavior<CoreMessage>;
  }

  /**
   * Guards every handler except the peering protocol (`broker.*`), flows and system
   * messages: facade commands and internal continuations are accepted only from this
   * node, so that another node can neither forge publications nor hand the core objects
   * it would crash on.
   */
  private localOnly(behavior: Behavior<AnyMessage>): Behavior<AnyMessage> {
    const guarded: Behavior<AnyMessage> = {};
    for (const [type, handler] of Object.entries(behavior) as Array<[string, Handler<AnyMessage>]>) {
      if (type.startsWith('broker.') || type.startsWith('flow.') || type === 'down' || type === 'exit') {
        guarded[type] = handler;
        continue;
      }
      guarded[type] = (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        const sender = ctx.sender;
        if (sender === null || sender.node === this.id) return handler(m, ctx);
        this.ctx.log.warn({ event: 'refused-remote-command', type, from: sender.key }, 'refused a command from another node');
        return undefined;
      };
    }
    return guarded;
  }

  override onStop(): void {
    void this.native.close();
    this.pacing.stop();
    for (const peer of this.peers.values()) {
      // A Broker peer's socket is ours; a broker-ts peer's belongs to the runtime, which closes it.
      if (peer.link.kind === 'native') peer.link.disconnect();
    }
    this.stopPeerings();
    for (const sub of this.targets.subscriptions()) sub.sink.close('endpoint shut down');
  }

  // ---------------------------------------------------------------------------------
  // Subscriptions

  private addSubscription(sub: LocalSubscription, topics: string[]): void {
    this.targets.add(sub, topics);
    this.life.localListeners = this.targets.localListeners;
    if (this.sources.add(topics.filter((t) => !isInternalTopic(t)))) this.advertise();
  }

  private setTopics(id: number, topics: string[]): void {
    const before = this.targets.setTopics(id, topics);
    if (before === undefined) return;
    this.life.localListeners = this.targets.localListeners;
    const changedRemove = this.sources.remove(before.filter((t) => !isInternalTopic(t)));
    const changedAdd = this.sources.add(topics.filter((t) => !isInternalTopic(t)));
    if (changedRemove || changedAdd) this.advertise();
  }

  private removeSubscription(id: number): void {
    const entry = this.targets.remove(id);
    if (entry === undefined) return;
    this.life.localListeners = this.targets.localListeners;
    entry.sub.sink.close();
    if (this.sources.remove(entry.topics.filter((t) => !isInternalTopic(t)))) this.advertise();
    // Messages that waited only for this subscription can move on.
    this.delivery.drainAll();
  }

  /** Tells every peer our new filter. */
  private advertise(): void {
    const filter = this.sources.filter.toArray();
    for (const peer of this.peers.values()) {
      if (!peer.ending) peer.link.advertise(filter);
    }
  }

  // ---------------------------------------------------------------------------------
  // Statuses and errors

  private emitStatus(code: Status['code'], info: EndpointInfo, message: string): void {
    this.ctx.log.info({ event: code.replace(/_/g, '-'), peer: info.id, address: info.network }, message);
    this.delivery.deliverLocal(Topics.statuses, new Status(code, info, message).toData(), this.targets.targetsFor(Topics.statuses).local, undefined);
  }

  private emitError(code: ErrorCodeName, info: EndpointInfo | undefined, message: string, level: 'warn' | 'info' | 'debug' = 'info'): void {
    this.ctx.log[level]({ event: 'error', code, peer: info?.id, address: info?.network }, message);
    const err = new BrokerError(code, message, info === undefined ? {} : { endpoint: endpointInfoToData(info) });
    this.delivery.deliverLocal(Topics.errors, errorToData(err), this.targets.targetsFor(Topics.errors).local, undefined);
  }

  // ---------------------------------------------------------------------------------
  // Listening

  private listen(host: string, port: number): Promise<number> {
    if (this.shuttingDown) return Promise.reject(new BrokerError('shutting_down', 'the endpoint is shutting down'));
    return this.native.listen(host, port);
  }

  // ---------------------------------------------------------------------------------
  // Outbound peering

  private peer(host: string, port: number, retryMs: number, wait: boolean, via?: string): Promise<boolean> | boolean {
    if (this.shuttingDown) throw new BrokerError('shutting_down', 'the endpoint is shutting down');
    const { key, peered, step } = this.peerings.request(host, port, retryMs, via);
    if (peered) return true;
    // A peering to that address in progress is joined: the caller waits for its outcome.
    const outcome = wait ? this.peerings.wait(key) : true;
    this.applyPeering(step);
    return outcome;
  }

  /**
   * Carries out a step of an outbound peering: replaces its timer (the handshake timeout
   * of an attempt, or the next retry), logs, reports its error, starts its attempt.
   */
  private applyPeering(step: PeeringStep | undefined): void {
    if (step === undefined) return;
    const { key, timer } = step;
    const self = this.ctx.self;
    if (timer.kind === 'handshake') {
      const attempt = timer.attempt;
      this.peeringTimers.set(key, timer.ms, () => self.tell({ type: 'peering-failed', key, attempt, code: 'peer_timeout', message: 'peering handshake timed out' }));
    } else if (timer.kind === 'retry') {
      this.peeringTimers.set(key, timer.ms, () => self.tell({ type: 'peering-retry', key }));
      if (step.event === 'reconnecting') this.ctx.log.info({ event: 'peer-reconnecting', address: key, retryMs: timer.ms }, 'peering lost: reconnecting');
    } else {
      this.peeringTimers.cancel(key);
    }
    if (step.event === 'recovered') this.ctx.log.warn({ event: 'peering-recovered', address: key }, 'peered after failed attempts');
    if (step.error !== undefined) this.emitError(step.error.code, { id: null, network: step.error.network }, step.error.message, step.error.level);
    const connect = step.connect;
    if (connect === undefined) return;
    const attempt = connect.attempt;
    if (connect.via !== undefined) {
      // The node is already linked (a worker thread's MessagePort): go straight to the handshake.
      self.tell({ type: 'peering-connected', key, attempt, node: connect.via });
      return;
    }
    this.native.connect(connect.host, connect.port, { key, attempt });
  }

  /** No new attempt or retry: every waiter hears false, every peering timer is cancelled. */
  private stopPeerings(): void {
    this.peerings.stop();
    this.peeringTimers.cancelAll();
  }

  private attemptFailed(key: string, attempt: number, code: ErrorCodeName, message: string): void {
    this.applyPeering(this.peerings.failed(key, attempt, code, message));
  }

  /** An outbound peering reached a peer we are peered with already: it is that peering. */
  private joinPeering(key: string, existing: PeerState): void {
    this.peerings.peered(key, existing.id);
    existing.peeringKey ??= key;
    this.applyPeering(this.peerings.succeeded(key));
  }

  /**
   * Registers a peer and reports it as Broker does (`endpoint_discovered`, then
   * `peer_added`); a broker-ts originator then opens its data stream.
   */
  private addPeer(id: string, link: ActorPeerLink | NativePeer, filter: string[], network: NetworkInfo | undefined, peeringKey: string | undefined): PeerState {
    const peer = newPeerState(id, link, network, peeringKey);
    if (link instanceof NativePeer) {
      peer.out = link;
      peer.in = link;
    }
    this.peers.set(id, peer);
    this.life.peers = this.peers.size;
    this.router.addPeer(id, filter);
    if (peeringKey !== undefined) this.peerings.peered(peeringKey, id);
    this.emitStatus('endpoint_discovered', { id }, 'found a new peer in the network');
    this.emitStatus('peer_added', { id, network }, 'handshake successful');
    if (peeringKey !== undefined) this.actorPeers.openOutput(peer);
    // A clone still looking for its master asks the new peer at once.
    this.stores.peerAdded(id);
    return peer;
  }

  private onOutputEnded(peerId: string, error: FlowError | undefined): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined || peer.ending) return;
    if (error === undefined) return;
    if (error.code === 'overflow') {
      const message = `disconnected a slow peer: its buffer of ${this.options.peerBufferSize} messages overflowed`;
      this.ctx.log.warn({ event: 'slow-peer-disconnected', peer: peer.id }, message);
      this.disconnectPeer(peer, message, false, true);
      return;
    }
    this.peerGone(peerId, `output stream ended: ${error.message}`);
  }

  // ---------------------------------------------------------------------------------
  // Ending peerings

  private async unpeer(host: string, port: number): Promise<boolean> {
    // What was published before goes first (bounded by the flush timeout).
    if (this.pacing.waiting > 0) await settledWithin(this.pacing.allTaken(), UNPEER_FLUSH_TIMEOUT_MS, this.ctx.system.clock);
    const key = `${host}:${port}`;
    const peer = [...this.peers.values()].find((p) => !p.ending && (p.peeringKey === key || (p.network !== undefined && `${p.network.address}:${p.network.port}` === key)));
    const removed = this.peerings.remove(key);
    this.applyPeering(removed);
    if (peer === undefined) {
      if (removed === undefined) this.emitError('peer_invalid', { id: null, network: { address: host, port } }, 'cannot unpeer from unknown peer');
      return true;
    }
    this.disconnectPeer(peer, 'removed connection to remote peer', true, false);
    return true;
  }

  /**
   * Ends a peering from our side (`peer_removed` here); the peer hears bye and reports
   * peer_lost. A graceful end first sends what is buffered for the peer (at most
   * {@link UNPEER_FLUSH_TIMEOUT_MS}), so that bye follows our last message.
   * @param reconnect - false for an explicit unpeer; true for a fault that may pass (a
   *   slow peer): the originator of a peering with a retry (either side) peers again
   */
  private disconnectPeer(peer: PeerState, message: string, graceful: boolean, reconnect: boolean): void {
    if (peer.ending) return;
    peer.ending = true;
    peer.in?.cancel(new FlowError('cancelled', message));
    const out = peer.out;
    if (graceful && out !== undefined) {
      const self = this.ctx.self;
      const link = peer.link;
      void flushedWithin(out, UNPEER_FLUSH_TIMEOUT_MS, this.ctx.system.clock).then(() => {
        out.abort(new FlowError('aborted', message));
        self.tell({ type: 'peer-flushed', link, reason: message });
      });
    } else {
      out?.abort(new FlowError('aborted', message));
      peer.link.bye({ type: 'broker.bye', reason: message, reconnect });
    }
    this.forgetPeer(peer);
    this.emitStatus('peer_removed', { id: peer.id, network: peer.network }, message);
    this.emitStatus('endpoint_unreachable', { id: peer.id }, 'lost the last path');
    if (peer.peeringKey !== undefined) this.applyPeering(this.peerings.peerEnded(peer.peeringKey, reconnect));
  }

  /** A peer went away without bye (connection lost, process killed, stream failed). */
  private peerGone(peerId: string, why: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined || peer.ending) return;
    // A worker endpoint whose thread the application terminated needs no human.
    this.ctx.log[this.terminating.has(peerId) ? 'info' : 'warn']({ event: 'peer-gone', peer: peerId, detail: why }, 'lost a peer without goodbye');
    this.losePeer(peer, why, true, false);
  }

  /**
   * The peer ended the peering or went away: stop sending to it, deliver what it sent
   * (the backlog), then report `peer_lost` ({@link EndpointCore.finishLoss}).
   * @param reconnect - whether the originator of a peering with a retry reconnects
   * @param disconnect - whether to close the transport connection to its node
   */
  private losePeer(peer: PeerState, why: string, reconnect: boolean, disconnect: boolean): void {
    if (peer.ending) return;
    peer.ending = true;
    peer.lost = { reconnect, disconnect };
    peer.out?.abort(new FlowError('aborted', why));
    this.router.removePeer(peer.id);
    if (peer.backlog.length === 0) this.finishLoss(peer);
  }

  /** Reports a lost peer once its messages are delivered, and reconnects when asked. */
  private finishLoss(peer: PeerState): void {
    const lost = peer.lost;
    if (lost === undefined || this.peers.get(peer.id) !== peer) return;
    peer.lost = undefined;
    peer.in?.cancel(new FlowError('cancelled', 'peer lost'));
    this.forgetPeer(peer);
    this.emitStatus('peer_lost', { id: peer.id, network: peer.network }, 'lost connection to remote peer');
    this.emitStatus('endpoint_unreachable', { id: peer.id }, 'lost the last path');
    if (lost.disconnect) peer.link.disconnect();
    // The originator of a peering with a retry interval reconnects.
    if (peer.peeringKey !== undefined) this.applyPeering(this.peerings.peerEnded(peer.peeringKey, lost.reconnect));
  }

  private forgetPeer(peer: PeerState): void {
    if (this.peers.get(peer.id) === peer) this.stats.peerDisconnects++;
    this.terminating.delete(peer.id);
    this.pacing.forgetPeer(peer.id);
    this.peers.delete(peer.id);
    this.life.peers = this.peers.size;
    this.router.removePeer(peer.id);
    peer.backlog = [];
    peer.decisions = [];
    // Publishers that waited for this peer may go on.
    this.pacing.resume();
    // A clone whose master was this peer stops waiting for the channel timeout.
    this.stores.peerLost(peer.id);
  }

  // ---------------------------------------------------------------------------------
  // Data stores

  /**
   * Sends a store actor's protocol messages to the peers (store channels reach every
   * peer): `msg` to broker-ts peers, the `internal_command`s of `native` to Broker peers.
   */
  private publishStore(topic: string, msg: unknown, native: Uint8Array[] | undefined): void {
    const to = this.router.peersFor(topic);
    if (msg !== undefined) {
      this.stats.processed.command++;
      const seq = this.router.nextSequence();
      const ours = to.filter((peer) => this.peers.get(peer)?.link.kind !== 'native');
      // Encoded only for a broker-ts peer that takes the topic: a master without remote
      // clones (or a clone whose master is a Broker) encodes nothing.
      if (ours.length > 0) {
        const payload = encodeStorePayload(msg);
        if (payload.length > PEER_MESSAGE_MAX_BYTES) this.delivery.reportOversized(topic, payload.length);
        else {
          const item: WireItem = [topic, payload, null, seq, this.router.ttl, null];
          for (const peer of ours) this.delivery.sendToPeer(peer, item);
        }
      }
    }
    if (native === undefined) return;
    this.stats.processed.command += native.length;
    const brokers = to.filter((peer) => this.peers.get(peer)?.link.kind === 'native');
    for (const command of native) {
      const item = nativeStoreItem(topic, command, this.router.ttl);
      for (const peer of brokers) this.delivery.sendToPeer(peer, item);
    }
  }

  /** Spawns the actor of a store with a sink of ours, subscribed to its channel's `topic`. */
  private spawnStore(spec: StoreSpec, topic: string): { actor: ActorRef<StoreCommand>; subscription: number } {
    const id = this.nextStoreSubscription--;
    let sub: LocalSubscription | undefined;
    const sink = new ActorSink(1024, () => {
      if (sub?.unblock() === true) this.ctx.self.tell({ type: 'subscriber-drained', id });
    });
    sub = new LocalSubscription(id, false, sink);
    const actor = this.ctx.spawn(StoreActor, { args: [spec, this.ctx.self as unknown as ActorRef<CoreCommand>, sink, this.wallNow], onHandlerError: 'drop' }) as unknown as ActorRef<StoreCommand>;
    // A store whose actor failed as it started (logged as actor-failed) is refused here,
    // never registered: a frontend on it, and every later attach, would get a dead store.
    if (!this.ctx.system.isAlive(actor as unknown as ActorRef)) throw new BrokerError('unspecified', `${spec.kind} of store ${spec.name} failed as it started (see the log: actor-failed)`);
    sink.attach(actor as unknown as ActorRef);
    this.addSubscription(sub, [topic]);
    this.ctx.log.info({ event: `${spec.kind}-attached`, store: spec.name }, 'store attached');
    return { actor, subscription: id };
  }

  // ---------------------------------------------------------------------------------
  // Introspection and shutdown

  /** The counters, with the gauges (buffered messages, subscriptions) measured now. */
  private snapshotStats(): Omit<EndpointStats, 'publishers' | 'published'> {
    let buffered = this.input.length;
    buffered += this.pacing.buffered;
    for (const peer of this.peers.values()) buffered += peer.backlog.length + (peer.out?.buffered ?? 0);
    const subscriptions = this.targets.facadeCount;
    return { ...this.stats, processed: { ...this.stats.processed }, publishDrops: this.input.dropped, buffered, subscriptions };
  }

  private peerInfos(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const peer of this.peers.values()) {
      if (!peer.ending) out.push({ peer: { id: peer.id, network: peer.network }, status: 'peered', outbound: peer.peeringKey !== undefined });
    }
    for (const p of this.peerings.pending()) out.push({ peer: { id: null, network: p.network }, status: p.reconnecting ? 'reconnecting' : 'connecting', outbound: true });
    return out;
  }

  /**
   * Sends what is buffered for each peer, says bye to every peer (they report
   * peer_lost), and stops taking new peerings. The endpoint then shuts its system down.
   */
  private async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.stopPeerings();
    void this.native.close();
    // Publications still waiting for peers go first (bounded by the flush timeout).
    const clock = this.ctx.system.clock;
    await settledWithin(this.pacing.allTaken(), SHUTDOWN_FLUSH_TIMEOUT_MS, clock);
    const peers = [...this.peers.values()].filter((peer) => !peer.ending);
    await Promise.all(peers.map((peer) => (peer.out === undefined ? undefined : flushedWithin(peer.out, SHUTDOWN_FLUSH_TIMEOUT_MS, clock))));
    for (const peer of peers) {
      if (!peer.ending) {
        peer.ending = true;
        peer.link.bye({ type: 'broker.bye', reason: 'endpoint shut down', shutdown: true });
        this.forgetPeer(peer);
      }
    }
  }
}

/**
 * Runs a request handler whose failure must answer the requester, not stop the core: a
 * handler that throws would stop its actor, a rejected promise only fails the request.
 */
function answer<R>(run: () => R | Promise<R>): R | Promise<R> {
  try {
    return run();
  } catch (e) {
    return Promise.reject(e);
  }
}
