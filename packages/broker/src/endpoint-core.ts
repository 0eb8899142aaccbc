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
 * finds the subscriptions of a topic, `ParkedPublishers` queues the publishers waiting
 * for peers, `StoreAttachments` keeps the attached stores, `PeerState` is one established
 * peering, `Delivery` moves messages to subscriptions and peers; the messages are in
 * `core-messages.ts`. This actor carries their decisions out: timers, sockets, streams.
 */
import { Actor, type ActorContext, type ActorRef, type AnyMessage, type Behavior, type Handler, type Cancellable, FlowError, KEEP_ALIVE, FlowHost, type IncomingStream, type SinkSpec, type StreamSink, TcpNetwork, withFlows } from '@broker-ts/actor';
import { BrokerError, type ErrorCodeName, isErrorCodeName } from '@broker-ts/data';
import type { CoreCommand, CoreMessage, EndpointStats, PeerInfo } from './core-messages';
import type { ResolvedEndpointOptions } from './endpoint-options';
import { type EndpointInfo, endpointInfoToData, type NetworkInfo } from './endpoint-info';
import { LocalSubscription, type PublisherPort } from './local-subscription';
import { Delivery } from './delivery';
import { LocalTargets } from './local-targets';
import type { DrainMark, PublishBuffer } from './publish-buffer';
import { CORE_ACTOR_NAME, isTopicList, packWireItems, PEER_PROTOCOL_VERSION, type PeerBye, type PeerFilterUpdate, type PeerHello, type PeerReject, type PeerStreamMeta, type PeerWelcome, unpackWireItems, type WireItem } from './peer-protocol';
import { OutboundPeerings, type PeeringStep } from './outbound-peerings';
import { ActorPeerLink, newPeerState, type PeerState } from './peer-state';
import { type NativeAttempt, NativeEndpointPeers, type NativeEvent } from './native/native-endpoint-peers';
import { NativePeer, nativeDataItem } from './native/native-peer';
import type { OperationMessage } from './native/native-message';
import { decodeRoutingUpdate } from './native/routing-update';
import { ParkedPublishers } from './parked-publishers';
import { nativeConnectFailure, nativeRefusalCode } from './refusal-code';
import { Router } from './router';
import { Status } from './status';
import { FilterSources } from './topic-filter';
import { isInternalTopic, Topics } from './topic';
import { StoreAttachments } from './store-attachments';
import { ActorSink } from './store/actor-sink';
import { StoreActor, type StoreCommand, type StoreSpec } from './store/store-actor';
import { encodeStorePayload } from './store/store-payload';
import { isStoreItem, nativeCommandFrame, nativeCommandItem, nativeStoreItem } from './store/native/native-store-items';

/** How long a peering handshake may take before the attempt counts as failed. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long shutdown waits for peers to take what was published before it. */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 3_000;
/** How long unpeer waits for the peer to take what was published before it (Broker's `unpeer_timeout`). */
const UNPEER_FLUSH_TIMEOUT_MS = 3_000;

/** The publisher port of the endpoint's own publish buffer (nobody waits on it). */
const INPUT_PORT: PublisherPort = { id: 0, processed: () => {} };


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
  private readonly peeringTimers = new Map<string, Cancellable>();
  /** Credit-based streams to and from peers. */
  private readonly flows: FlowHost;
  /** Counters. */
  private readonly stats: Omit<EndpointStats, 'publishDrops' | 'buffered' | 'subscriptions' | 'publishers' | 'published'> = {
    peerDrops: 0, localDrops: 0, duplicates: 0, ttlExpired: 0, malformed: 0, processed: { data: 0, command: 0, routingUpdate: 0 }, peerDisconnects: 0,
  };
  /** Publishers waiting for room in peer buffers, oldest first, each once. */
  private readonly parked = new ParkedPublishers();
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
  /** Our listeners and connections over TCP, speaking Broker's native protocol first. */
  private readonly native: NativeEndpointPeers;

  constructor(
    ctx: ActorContext<CoreMessage>,
    private readonly options: ResolvedEndpointOptions,
    /** The facade's buffer of `Endpoint.publish` calls (bounded by `publishBufferSize`). */
    private readonly input: PublishBuffer,
    /** The endpoint's wall clock in ms since the epoch (virtual unless `useRealTime`), for store timestamps. */
    private readonly wallNow: () => number,
  ) {
    super(ctx);
    this.router = new Router({ self: ctx.system.nodeId, forward: options.forward, ttl: options.ttl });
    this.peerings = new OutboundPeerings(HANDSHAKE_TIMEOUT_MS, (id) => this.peers.has(id));
    this.flows = new FlowHost(ctx as ActorContext, { onOpen: (s) => this.acceptStream(s) });
    this.delivery = new Delivery({
      router: this.router,
      targets: this.targets,
      peers: this.peers,
      stats: this.stats,
      options,
      log: ctx.log,
      emitError: (code, info, message, level) => this.emitError(code, info, message, level),
      watchStall: (peer) => this.watchStall(peer),
      backlogDelivered: (peer) => this.finishLoss(peer),
    });
    const self = ctx.self;
    this.native = new NativeEndpointPeers({
      connection: () => ({
        localId: this.id,
        filter: () => this.sources.filter.toArray(),
        transport: options.transport,
        admit: (remoteId) => this.admit(remoteId),
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
      'publish-drain': (m) => (m.publisher === undefined ? this.drainInput(m.buffer, m.mark) : this.drainPublisher(m.buffer, m.publisher)),
      'publish-overflow': () => this.onPublishOverflow(),
      'peer-stall-check': (m) => this.checkStall(m.peer),
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
      'publish-store': (m) => {
        this.publishStore(m.topic, m.msg, m.native);
      },
      'attach-master': (m) => answer(() => this.stores.attachMaster(m.name, m.backend, m.options)),
      'attach-clone': (m) => answer(() => this.stores.attachClone({ kind: 'clone', name: m.name, resyncInterval: m.resyncInterval, staleInterval: m.staleInterval, mutationBufferInterval: m.mutationBufferInterval })),
      'detach-store': (m) => this.stores.detach(m.name, m.actor),
      shutdown: () => this.shutdown(),
      'peering-connected': (m) => this.onConnected(m.key, m.attempt, m.node),
      'peer-core-found': (m) => this.onCoreFound(m.key, m.attempt, m.node, m.core),
      'peering-failed': (m) => this.attemptFailed(m.key, m.attempt, m.code, m.message),
      'peering-retry': (m) => this.applyPeering(this.peerings.attempt(m.key)),
      'peer-output-ended': (m) => this.onOutputEnded(m.peer, m.error),
      'native-established': (m) => this.onNativeEstablished(m),
      'native-adopted': (m) => this.onAdopted(m.node, m.outbound),
      'native-failed': (m) => this.onNativeFailed(m),
      'native-input': (m) => this.onNativeInput(m.peer),
      'native-drained': () => this.onNativeDrained(),
      'native-dropped': (m) => this.onNativeDropped(m.peer, m.error),
      'native-closed': (m) => this.onNativeClosed(m.peer, m.error, m.remote),
      'peer-flushed': (m) => m.link.bye({ type: 'broker.bye', reason: m.reason }),
      'broker.hello': (m) => this.onHello(m),
      'broker.welcome': (m) => this.onWelcome(m),
      'broker.reject': (m) => this.onReject(m),
      'broker.filter': (m) => this.onFilter(m),
      'broker.bye': (m) => this.onBye(m),
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
        if (this.parked.length > 0) this.resumeParked();
      },
      'flow.accept': (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        accept(m, ctx);
        this.resumeParked();
      },
      'flow.demand': (m: AnyMessage, ctx: ActorContext<AnyMessage>) => {
        demand(m, ctx);
        this.resumeParked();
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
    for (const peer of this.peers.values()) {
      peer.stallTimer?.cancel();
      // A Broker peer's socket is ours; a broker-ts peer's belongs to the runtime, which closes it.
      if (peer.link.kind === 'native') peer.link.disconnect();
    }
    this.stopPeerings();
    for (const sub of this.targets.subscriptions()) sub.sink.close('endpoint shut down');
  }

  // ---------------------------------------------------------------------------------
  // Publishing and delivery

  /**
   * Routes the burst of `Endpoint.publish` calls (and hub publications) that `mark` ends.
   * Under the drop policies they are fire-and-forget, in one turn, as in Broker: a peer
   * that cannot keep up drops by its policy. Under `disconnect` they wait in the bounded
   * publish buffer, as a publisher's messages do, until the peers they go to have room.
   */
  private drainInput(buffer: PublishBuffer, mark: DrainMark): void {
    // Later publications need a drain message of their own.
    buffer.seal();
    if (this.options.peerOverflowPolicy === 'disconnect') {
      // Lossless: the burst goes on as the peers take it (see mustWait); what waits stays
      // in the bounded publish buffer.
      buffer.limitTakeTo(mark);
      this.drainPublisher(buffer, INPUT_PORT);
      return;
    }
    while (buffer.hasItemFor(mark)) {
      const topic = buffer.headTopic;
      const value = buffer.headValue;
      const receiver = buffer.headReceiver;
      const from = buffer.headFrom;
      buffer.shift();
      this.delivery.route(topic, value, receiver, from);
    }
    this.inputEmptied();
  }

  /**
   * The facade dropped a publication for lack of room in the publish buffer: reported
   * once per overflow episode (an error event and one warning); {@link inputEmptied} ends
   * the episode.
   */
  private onPublishOverflow(): void {
    const input = this.input;
    const message = `the publish buffer of ${input.capacity} messages is full: publications are dropped (publishOverflowPolicy ${this.options.publishOverflowPolicy}); peers take them slower than they are published`;
    this.ctx.log.warn({ event: 'publish-overflow', capacity: input.capacity, dropped: input.dropped }, message);
    this.emitError('unspecified', undefined, message);
  }

  /** Ends an overflow episode of the publish buffer once it ran empty. */
  private inputEmptied(): void {
    const input = this.input;
    if (input.endOverflowEpisode()) this.ctx.log.info({ event: 'publish-overflow-ended', dropped: input.dropped }, 'the publish buffer has room again');
  }

  /**
   * Routes a publisher's messages while a peer they go to has room; the rest wait in the
   * publisher's buffer (its promise stays pending once that is full) until credit comes.
   */
  private drainPublisher(buffer: PublishBuffer, publisher: PublisherPort): void {
    // Later publications need a drain message of their own.
    buffer.seal();
    if (buffer.parked) return;
    // Publishers go on in order: one that comes while others wait, waits behind them.
    if (this.parked.length > 0 || !this.takeFrom(buffer, publisher)) this.parked.park(buffer, publisher);
  }

  /**
   * Routes a publisher's buffered messages while peers have room.
   * @returns true when the buffer is empty, false when the rest must wait
   */
  private takeFrom(buffer: PublishBuffer, publisher: PublisherPort): boolean {
    let n = 0;
    let waiting = false;
    while (buffer.takeable) {
      const topic = buffer.headTopic;
      const receiver = buffer.headReceiver;
      if (this.mustWait(topic, receiver)) {
        waiting = true;
        break;
      }
      const value = buffer.headValue;
      const from = buffer.headFrom;
      buffer.shift();
      this.delivery.route(topic, value, receiver, from);
      n++;
    }
    if (n > 0) publisher.processed(n);
    if (buffer === this.input) this.inputEmptied();
    return !waiting;
  }

  /**
   * Tells whether a local publication must wait for room in peer buffers. Under
   * `disconnect`: when any peer it goes to has half its buffer or more waiting, so that
   * nothing is lost to a burst; a peer that stops taking messages is cut off by
   * {@link EndpointCore.checkStall}, so it cannot stall the others for long. Under the
   * drop policies (publishers only): when every peer it goes to has half its buffer
   * waiting, so that the fastest peer paces it and a slower one drops by its policy.
   */
  private mustWait(topic: string, receiver: string | undefined): boolean {
    const to = this.router.peersFor(topic, receiver);
    if (to.length === 0) return false;
    const soft = Math.ceil(this.options.peerBufferSize / 2);
    if (this.options.peerOverflowPolicy === 'disconnect') {
      // Wait for every peer, up to half its buffer (the other half is headroom for relayed
      // and store messages, which do not wait here); a peer that stops taking messages
      // altogether is cut off by checkStall.
      for (let i = 0; i < to.length; i++) {
        const peer = this.peers.get(to[i]);
        if (peer === undefined || peer.ending || peer.out === undefined || peer.out.buffered < soft) continue;
        this.watchStall(peer);
        return true;
      }
      return false;
    }
    for (const id of to) {
      const out = this.peers.get(id)?.out;
      if (out === undefined || out.buffered < soft) return false;
    }
    return true;
  }

  /** Routes parked publisher messages while the peers have room. */
  private resumeParked(): void {
    this.parked.resume(this.takeFromParked);
  }

  private readonly takeFromParked = (buffer: PublishBuffer, publisher: PublisherPort): boolean => this.takeFrom(buffer, publisher);

  /** Arms the stall check of a peer that local publications wait for. */
  private watchStall(peer: PeerState): void {
    if (peer.stallTimer !== undefined || peer.out === undefined) return;
    peer.stallSent = peer.out.sent;
    const self = this.ctx.self;
    const id = peer.id;
    peer.stallTimer = this.ctx.system.clock.setTimer(this.options.peerStallTimeout, () => self.tell({ type: 'peer-stall-check', peer: id }));
  }

  /**
   * A peer that publications waited for took nothing during `peerStallTimeout`: it stays
   * slow, and is disconnected (the originator of a peering with a retry reconnects). One
   * that took something but still holds messages back is checked again later.
   */
  private checkStall(id: string): void {
    const peer = this.peers.get(id);
    if (peer === undefined || peer.ending || peer.out === undefined) return;
    peer.stallTimer = undefined;
    const out = peer.out;
    if (out.buffered < Math.ceil(this.options.peerBufferSize / 2)) return;
    if (out.sent !== peer.stallSent) {
      this.watchStall(peer);
      return;
    }
    const message = `disconnected a slow peer: it took no message for ${this.options.peerStallTimeout} ms with ${out.buffered} waiting in its buffer`;
    this.ctx.log.warn({ event: 'slow-peer-disconnected', peer: peer.id, buffered: out.buffered }, message);
    this.disconnectPeer(peer, message, false, true);
  }

  // ---------------------------------------------------------------------------------
  // Subscriptions

  private addSubscription(sub: LocalSubscription, topics: string[]): void {
    this.targets.add(sub, topics);
    if (this.sources.add(topics.filter((t) => !isInternalTopic(t)))) this.advertise();
  }

  private setTopics(id: number, topics: string[]): void {
    const before = this.targets.setTopics(id, topics);
    if (before === undefined) return;
    const changedRemove = this.sources.remove(before.filter((t) => !isInternalTopic(t)));
    const changedAdd = this.sources.add(topics.filter((t) => !isInternalTopic(t)));
    if (changedRemove || changedAdd) this.advertise();
  }

  private removeSubscription(id: number): void {
    const entry = this.targets.remove(id);
    if (entry === undefined) return;
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
    this.delivery.deliverLocal(Topics.errors, err.toData(), this.targets.targetsFor(Topics.errors).local, undefined);
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
    this.peeringTimers.get(key)?.cancel();
    this.peeringTimers.delete(key);
    const self = this.ctx.self;
    if (timer.kind === 'handshake') {
      const attempt = timer.attempt;
      this.peeringTimers.set(key, this.ctx.system.clock.setTimer(timer.ms, () => self.tell({ type: 'peering-failed', key, attempt, code: 'peer_timeout', message: 'peering handshake timed out' }), KEEP_ALIVE));
    } else if (timer.kind === 'retry') {
      this.peeringTimers.set(key, this.ctx.system.clock.setTimer(timer.ms, () => self.tell({ type: 'peering-retry', key }), KEEP_ALIVE));
      if (step.event === 'reconnecting') this.ctx.log.info({ event: 'peer-reconnecting', address: key, retryMs: timer.ms }, 'peering lost: reconnecting');
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
    for (const key of this.peerings.stop()) this.applyPeering({ key, timer: { kind: 'none' } });
  }

  private onConnected(key: string, attempt: number, node: string): void {
    if (!this.peerings.isCurrent(key, attempt)) return;
    const self = this.ctx.self;
    this.ctx.system.lookup(node, CORE_ACTOR_NAME).then(
      (core) => self.tell({ type: 'peer-core-found', key, attempt, core, node }),
      (e: unknown) => self.tell({ type: 'peering-failed', key, attempt, code: 'peer_unavailable', message: `no endpoint at the remote node: ${(e as Error).message}` }),
    );
  }

  private onCoreFound(key: string, attempt: number, node: string, core: ActorRef | undefined): void {
    if (!this.peerings.isCurrent(key, attempt)) return;
    if (core === undefined) {
      this.attemptFailed(key, attempt, 'peer_incompatible', `node ${node} runs no broker endpoint`);
      return;
    }
    this.peerings.reached(key, attempt, node);
    const existing = this.peers.get(node);
    if (existing !== undefined) {
      // Already peered (the other side peered with us first): this peering is that one.
      this.peerings.peered(key, node);
      existing.peeringKey ??= key;
      this.applyPeering(this.peerings.succeeded(key));
      return;
    }
    this.ctx.send(core, { type: 'broker.hello', endpoint: this.id, filter: this.sources.filter.toArray(), protocol: PEER_PROTOCOL_VERSION } satisfies PeerHello);
  }

  private onWelcome(m: PeerWelcome): void {
    const core = this.ctx.sender;
    if (core === null || core.node !== m.endpoint) return;
    const p = this.peerings.handshaking(core.node);
    if (p === undefined) return;
    if (!isTopicList(m.filter)) {
      this.attemptFailed(p.key, p.attempt, 'unexpected_handshake_message', 'the peer welcomed us with a malformed filter');
      return;
    }
    const existing = this.peers.get(m.endpoint);
    if (existing !== undefined) {
      // Both sides peered at once: the inbound peering is this one.
      existing.peeringKey ??= p.key;
      existing.network ??= p.network;
      this.peerings.peered(p.key, m.endpoint);
    } else {
      this.addPeer(m.endpoint, new ActorPeerLink(this.ctx as ActorContext, core), m.filter, p.network, p.key);
    }
    this.applyPeering(this.peerings.succeeded(p.key));
  }

  private onReject(m: PeerReject): void {
    const core = this.ctx.sender;
    if (core === null) return;
    const p = this.peerings.handshaking(core.node);
    const code = typeof m.code === 'string' && isErrorCodeName(m.code) ? m.code : 'peer_unavailable';
    if (p !== undefined) this.attemptFailed(p.key, p.attempt, code, `peer refused: ${String(m.message)}`);
  }

  private attemptFailed(key: string, attempt: number, code: ErrorCodeName, message: string): void {
    this.applyPeering(this.peerings.failed(key, attempt, code, message));
  }

  // ---------------------------------------------------------------------------------
  // Inbound peering

  private onHello(m: PeerHello): void {
    const core = this.ctx.sender;
    if (core === null || core.node !== m.endpoint) return;
    if (m.protocol !== PEER_PROTOCOL_VERSION) {
      this.ctx.send(core, { type: 'broker.reject', code: 'peer_incompatible', message: `protocol ${String(m.protocol)} is not ${PEER_PROTOCOL_VERSION}` } satisfies PeerReject);
      this.emitError('peer_incompatible', { id: m.endpoint }, `refused a peer speaking protocol ${String(m.protocol)}`);
      return;
    }
    if (!isTopicList(m.filter)) {
      this.ctx.send(core, { type: 'broker.reject', code: 'invalid_peering_request', message: 'malformed filter' } satisfies PeerReject);
      this.emitError('invalid_peering_request', { id: m.endpoint }, 'refused a peer whose hello carries a malformed filter');
      return;
    }
    if (this.shuttingDown) {
      this.ctx.send(core, { type: 'broker.reject', code: 'shutting_down', message: 'the endpoint is shutting down' } satisfies PeerReject);
      return;
    }
    const old = this.peers.get(m.endpoint);
    if (old?.lost !== undefined) this.finishLoss(old);
    if (!this.peers.has(m.endpoint)) {
      // As Broker: the accepting side names the peer by its connection's remote address.
      const remote = TcpNetwork.of(this.ctx.system).remoteAddress(m.endpoint);
      this.addPeer(m.endpoint, new ActorPeerLink(this.ctx as ActorContext, core), m.filter, remote === undefined ? undefined : parseAddress(remote), undefined);
    }
    this.ctx.send(core, { type: 'broker.welcome', endpoint: this.id, filter: this.sources.filter.toArray() } satisfies PeerWelcome);
    this.openOutput(this.peers.get(m.endpoint)!);
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
    this.router.addPeer(id, filter);
    if (peeringKey !== undefined) this.peerings.peered(peeringKey, id);
    this.emitStatus('endpoint_discovered', { id }, 'found a new peer in the network');
    this.emitStatus('peer_added', { id, network }, 'handshake successful');
    if (peeringKey !== undefined) this.openOutput(peer);
    // A clone still looking for its master asks the new peer at once.
    this.stores.peerAdded(id);
    return peer;
  }

  private openOutput(peer: PeerState): void {
    if (peer.out !== undefined || !(peer.link instanceof ActorPeerLink)) return;
    const out = this.flows.open<WireItem>(peer.link.core, {
      capacity: this.options.peerBufferSize,
      policy: this.options.peerOverflowPolicy,
      maxBatch: 512,
      packBatch: packWireItems,
      meta: { kind: 'broker.peer-data', endpoint: this.id } satisfies PeerStreamMeta,
    });
    peer.out = out;
    const self = this.ctx.self;
    void out.done().then((error) => self.tell({ type: 'peer-output-ended', peer: peer.id, error }));
  }

  private acceptStream(s: IncomingStream): SinkSpec<unknown> | undefined {
    const meta = s.meta as Partial<PeerStreamMeta> | null;
    if (meta?.kind !== 'broker.peer-data' || typeof meta.endpoint !== 'string') return undefined;
    const peer = this.peers.get(meta.endpoint);
    if (peer === undefined || peer.ending || !(peer.link instanceof ActorPeerLink) || !s.source.equals(peer.link.core)) return undefined;
    return {
      ack: 'manual',
      highWatermark: this.options.peerBufferSize,
      unpackBatch: unpackWireItems,
      onItems: (items, sink) => {
        peer.in = sink as StreamSink<WireItem>;
        this.delivery.onPeerItems(peer, items);
      },
      onComplete: () => {
        peer.in = undefined;
      },
      onError: (error) => {
        peer.in = undefined;
        this.peerGone(peer.id, `input stream ended: ${error.message}`);
      },
    };
  }

  private onFilter(m: PeerFilterUpdate): void {
    const sender = this.ctx.sender;
    if (sender === null) return;
    if (!isTopicList(m.filter)) {
      this.ctx.log.warn({ event: 'bad-filter', peer: sender.node }, 'ignored a malformed filter update');
      return;
    }
    this.stats.processed.routingUpdate++;
    this.router.setPeerFilter(sender.node, m.filter);
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
  // Peers speaking Broker's native protocol

  /**
   * Refuses a second connection to an endpoint we are peered with (Broker's
   * `redundant_connection`, sent as DROP_CONN during the handshake).
   */
  private admit(remoteId: string): BrokerError | undefined {
    const peer = this.peers.get(remoteId);
    if (peer === undefined || peer.ending) return undefined;
    return new BrokerError('redundant_connection', 'redundant connection');
  }

  /** A connection completed Broker's handshake: the peering is up. */
  private onNativeEstablished(m: Extract<NativeEvent, { type: 'native-established' }>): void {
    const { peer: link, info, outbound } = m;
    if (this.shuttingDown || (outbound !== undefined && !this.peerings.isCurrent(outbound.key, outbound.attempt))) {
      link.disconnect();
      return;
    }
    const old = this.peers.get(info.remoteId);
    if (old?.lost !== undefined) this.finishLoss(old);
    const existing = this.peers.get(info.remoteId);
    if (existing !== undefined) {
      // Both sides peered at once: the peering already up is this one; Broker keeps one connection.
      link.disconnect();
      if (outbound !== undefined) this.redundantPeering(outbound.key, existing);
      return;
    }
    const network = outbound === undefined ? parseAddress(m.address) : this.peerings.network(outbound.key);
    this.addPeer(info.remoteId, link, info.remoteFilter, network, outbound?.key);
    const self = this.ctx.self;
    const id = info.remoteId;
    void link.done().then((error) => {
      if (error?.code === 'overflow') self.tell({ type: 'peer-output-ended', peer: id, error });
    });
    // Our filter may have changed while the handshake ran.
    const filter = this.sources.filter.toArray();
    if (!sameTopics(m.sentFilter, filter)) link.advertise(filter);
    if (outbound !== undefined) this.applyPeering(this.peerings.succeeded(outbound.key));
  }

  /**
   * A broker-ts peer's connection was handed to the actor runtime. Our outbound peering
   * goes on with broker-ts's own handshake (core lookup, hello, welcome); an inbound one
   * waits for the peer's hello.
   */
  private onAdopted(node: string, outbound: NativeAttempt | undefined): void {
    if (outbound === undefined) {
      this.ctx.log.debug({ event: 'inbound-broker-ts-peer', node }, 'a broker-ts peer connected');
      return;
    }
    if (!this.peerings.isCurrent(outbound.key, outbound.attempt) && !this.peers.has(node)) {
      // The attempt was given up meanwhile (timed out, unpeered): its connection goes too.
      TcpNetwork.of(this.ctx.system).disconnect(node);
      return;
    }
    this.onConnected(outbound.key, outbound.attempt, node);
  }

  /** An outbound peering reached a peer we are peered with already: it is that peering. */
  private redundantPeering(key: string, existing: PeerState): void {
    this.peerings.peered(key, existing.id);
    existing.peeringKey ??= key;
    this.applyPeering(this.peerings.succeeded(key));
  }

  /** A connection failed before its handshake completed. */
  private onNativeFailed(m: Extract<NativeEvent, { type: 'native-failed' }>): void {
    const { error, outbound } = m;
    if (error === undefined) return;
    if (outbound !== undefined) {
      // As Broker's connector: the peer refused a second connection to an endpoint we are
      // peered with, so the peering asked for is up.
      const remoteId = error.context.remoteId;
      const existing = typeof remoteId === 'string' ? this.peers.get(remoteId) : undefined;
      if (error.code === 'redundant_connection' && existing !== undefined && !existing.ending) {
        if (this.peerings.isCurrent(outbound.key, outbound.attempt)) this.redundantPeering(outbound.key, existing);
        return;
      }
      this.attemptFailed(outbound.key, outbound.attempt, ...nativeConnectFailure(error));
      return;
    }
    const code = nativeRefusalCode(error);
    if (code === undefined) {
      this.ctx.log.debug({ event: 'inbound-redundant', address: m.address }, error.message);
      return;
    }
    this.emitError(code, { id: null, network: parseAddress(m.address) }, `refused an incoming connection: ${error.message}`, 'warn');
  }

  /** Takes a native peer's messages: data into the routing, filters, store commands. */
  private onNativeInput(link: NativePeer): void {
    const messages = link.take();
    const peer = this.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link || peer.ending) return;
    let items: WireItem[] = [];
    for (const m of messages) {
      // Store commands are routed as data is: to the store actors here and on to peers.
      if (m.type === 'data' || m.type === 'command') {
        items.push(m.type === 'data' ? nativeDataItem(m) : nativeCommandItem(m));
        continue;
      }
      // Data and commands before a filter update are routed first, in order.
      if (items.length > 0) this.nativeItems(peer, link, items);
      items = [];
      if (m.type === 'routing_update') {
        this.stats.processed.routingUpdate++;
        this.router.setPeerFilter(peer.id, decodeRoutingUpdate(m.payload));
      }
    }
    if (items.length > 0) this.nativeItems(peer, link, items);
  }

  private nativeItems(peer: PeerState, link: NativePeer, items: WireItem[]): void {
    link.hold(items.length);
    this.delivery.onPeerItems(peer, items);
  }

  /** A native peer's socket took what waited: publishers and relays waiting for it go on. */
  private onNativeDrained(): void {
    if (this.parked.length > 0) this.resumeParked();
    this.delivery.relayRoomMayHaveOpened();
  }

  private onNativeDropped(link: NativePeer, error: BrokerError): void {
    this.stats.malformed++;
    this.ctx.log.warn({ event: 'bad-item', peer: link.remoteId, code: error.code, detail: error.message }, 'dropped a malformed message from a peer');
  }

  /** A native peer's connection closed: the peer is lost (and reconnected by a peering with a retry). */
  private onNativeClosed(link: NativePeer, error: BrokerError | undefined, remote: boolean): void {
    const peer = this.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link || peer.ending) return;
    const why = `connection closed${remote ? ' by the peer' : ''}${error === undefined ? '' : `: ${error.message}`}`;
    if (error !== undefined) {
      this.peerGone(peer.id, why);
      return;
    }
    this.ctx.log.info({ event: 'peer-closed', peer: peer.id }, why);
    this.losePeer(peer, why, true, false);
  }

  // ---------------------------------------------------------------------------------
  // Ending peerings

  private async unpeer(host: string, port: number): Promise<boolean> {
    // What was published before goes first (bounded by the flush timeout).
    if (this.parked.length > 0) await withTimeout(this.parked.allTaken(), UNPEER_FLUSH_TIMEOUT_MS, this.ctx.system.clock);
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
      out.close();
      const self = this.ctx.self;
      const link = peer.link;
      void withTimeout(out.done(), UNPEER_FLUSH_TIMEOUT_MS, this.ctx.system.clock).then(() => {
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

  private onBye(m: PeerBye): void {
    const sender = this.ctx.sender;
    if (sender === null) return;
    const peer = this.peers.get(sender.node);
    if (peer === undefined) return;
    this.ctx.log.debug({ event: 'peer-bye', peer: peer.id, reason: m.reason }, 'peer said bye');
    // A peer that unpeered us is not reconnected; one that shut down or cut us off for a
    // fault that may pass is, when we peered with a retry (as after a lost connection).
    this.losePeer(peer, `peer said bye: ${m.reason}`, m.shutdown === true || m.reconnect === true, true);
  }

  /** A peer went away without bye (connection lost, process killed, stream failed). */
  private peerGone(peerId: string, why: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined || peer.ending) return;
    this.ctx.log.warn({ event: 'peer-gone', peer: peerId, detail: why }, 'lost a peer without goodbye');
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
    peer.stallTimer?.cancel();
    peer.stallTimer = undefined;
    this.peers.delete(peer.id);
    this.router.removePeer(peer.id);
    peer.backlog = [];
    peer.decisions = [];
    // Publishers that waited for this peer may go on.
    this.resumeParked();
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
      const item: WireItem = [topic, encodeStorePayload(msg), null, seq, this.router.ttl, null];
      for (const peer of to) if (this.peers.get(peer)?.link.kind !== 'native') this.delivery.sendToPeer(peer, item);
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
    buffered += this.parked.buffered;
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
    await withTimeout(this.parked.allTaken(), SHUTDOWN_FLUSH_TIMEOUT_MS, this.ctx.system.clock);
    const peers = [...this.peers.values()].filter((peer) => !peer.ending);
    const flushed = peers.map((peer) => {
      if (peer.out === undefined) return Promise.resolve(undefined);
      peer.out.close();
      return peer.out.done();
    });
    await withTimeout(Promise.all(flushed), SHUTDOWN_FLUSH_TIMEOUT_MS, this.ctx.system.clock);
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

/** Resolves when `p` settles or after `ms`, whichever comes first. */
function withTimeout(p: Promise<unknown>, ms: number, clock: { setTimer(ms: number, cb: () => void): Cancellable }): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimer(ms, resolve);
    void p.then(() => {
      timer.cancel();
      resolve();
    });
  });
}

/** Tells whether two sorted topic lists are the same. */
function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Splits `ip:port` (IPv6 addresses contain colons) into a network info. */
function parseAddress(address: string): NetworkInfo {
  const i = address.lastIndexOf(':');
  return { address: address.slice(0, i), port: Number(address.slice(i + 1)) };
}
