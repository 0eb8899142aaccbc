/**
 * The Broker endpoint: the facade of broker-ts. Each endpoint has its own actor system
 * (its node) and one core actor; every method here is one message to that core.
 */
import { ActorSystem, type ActorRef, type Clock, VirtualClock } from '@broker-ts/actor';
import { FLOW_MESSAGE_TYPES } from '@broker-ts/actor/internal';
import { BrokerError, type Data, type DataInput } from '@broker-ts/data';
import { arrayOf, checkBoolean, checkFunction, checkHost, checkName, checkPort, checkPositiveInt, checkPublishTopic, checkTopic, describeArg, optionsObject, shutDownError, type Topics, topicList } from './argument-checks';
import { type Duration, toMilliseconds } from './duration';
import type { AttachedStore, CoreCommand, EndpointStats, PeerInfo } from './core-messages';
import { EndpointCore } from './endpoint-core';
import type { BackendKind, BackendOptions } from './store/backend';
import { openStoreFrontend, type Store } from './store/store';
import { type EndpointOptions, resolveEndpointOptions, type ResolvedEndpointOptions } from './endpoint-options';
import { Hub } from './hub';
import { encodeForPeers as encodeForPeersExport, type EndpointLife, newEndpointLife, publishedData as publishedDataExport } from './endpoint-life';
import { LazyCallbackSink, ValueCallbackSink } from './callback-sinks';
import type { LazyDataMessage } from './lazy-data-message';
import type { Logger } from 'pino';
import { LocalSubscription, type PublisherPort } from './local-subscription';
import { type DrainMark, PublishBuffer } from './publish-buffer';
import { Publisher, type PublisherOptions } from './publisher';
import { isStatus } from './status';
import { StatusSubscriber } from './status-subscriber';
import { type DataMessage, Subscriber, type SubscriberOptions, type SubscriptionWiring } from './subscriber';
import { linkToParent, startWorkerEndpoint, type WorkerEndpoint, type WorkerEndpointOptions } from './worker-endpoint';
import { webSocketEndpointPort } from './websocket/endpoint-port';
import { EndpointWebSocketServer } from './websocket/web-socket-server';
import { resolveWebSocketServerOptions, type WebSocketServerOptions } from './websocket/web-socket-server-options';
import { PEER_MESSAGE_TYPES } from './peer-protocol';

// Local bindings of the per-publication calls: see docs/architecture.md, "Local bindings
// on hot paths".
const encodeForPeers = encodeForPeersExport;
const publishedData = publishedDataExport;

/** Options of `peer` and `peerNoWait`. */
export interface PeerOptions {
  /**
   * Retry interval: with one, a failed attempt is retried every `retry` until it succeeds
   * (`peer()` keeps waiting) and a lost peering is re-established; without one (or 0),
   * `peer()` fails at once.
   */
  retry?: Duration;
}

/** Options of `attachClone` (Broker's defaults: 10 s, 300 s, 120 s). */
export interface CloneOptions {
  /** How often the clone looks for its master until it finds one (default 10 s; above 0). */
  resyncInterval?: Duration;
  /** How long after losing its master the clone answers `stale_data` (default 300 s; negative: never). */
  staleInterval?: Duration;
  /** How long writes without a master are buffered for replay (default 120 s; 0 or negative disables). */
  mutationBufferInterval?: Duration;
}

export type { Topics };

/** A retry option as milliseconds (0: none). */
function retryOf(options: unknown): number {
  const { retry } = optionsObject<PeerOptions>(options, 'peer options');
  return retry === undefined ? 0 : toMilliseconds(retry, 'retry');
}

/** A Broker endpoint: publish/subscribe, peering, status events and data stores. */
export class Endpoint {
  /** The endpoint's name, as given in the options or generated. */
  readonly name: string;
  /** The options with defaults applied. */
  private readonly options: ResolvedEndpointOptions;
  private readonly system: ActorSystem;
  private readonly core: ActorRef<CoreCommand>;
  private readonly virtualClock: VirtualClock | undefined;
  /** `publish` calls the core has not taken yet (bounded: `publishBufferSize`). */
  private readonly input: PublishBuffer;
  /**
   * Buffers (ours and publishers') that may have an open burst: sealed before any other
   * command. Bounded by the number of publishers (a set, each buffer once).
   */
  private readonly openBursts = new Set<PublishBuffer>();
  private nextId = 1;
  /** Publishers made and not closed, for `stats().publishers`. */
  private openPublishers = 0;
  /** Messages `publish`/`publishTo`/`publishBatch` accepted, for `stats().published`. */
  private published = 0;
  private stopping: Promise<void> | undefined;
  /** WebSocket JSON API servers, closed by `shutdown`. */
  private readonly webSocketServers = new Set<EndpointWebSocketServer>();

  /**
   * @param options - see {@link EndpointOptions}
   * @throws BrokerError `invalid_data` for a bad option
   */
  constructor(options: EndpointOptions = {}) {
    this.options = resolveEndpointOptions(options);
    this.name = this.options.name;
    this.virtualClock = this.options.useRealTime ? undefined : new VirtualClock(Date.now());
    this.system = new ActorSystem({ name: this.options.name, nodeId: this.options.endpointId, logger: this.options.logger, clock: this.virtualClock });
    this.input = new PublishBuffer(this.options.publishBufferSize);
    // Other endpoints reach the core with peering and stream messages only; a failing
    // handler drops its message and never takes the core down.
    const remote = [...PEER_MESSAGE_TYPES, ...FLOW_MESSAGE_TYPES];
    this.core = this.system.spawn(EndpointCore, { args: [this.options, this.input, this.wallNow, this.life], remote, onHandlerError: 'drop' }) as unknown as ActorRef<CoreCommand>;
  }

  /** This endpoint's id (a UUID), as peers see it. */
  get id(): string {
    return this.system.nodeId;
  }

  /** The endpoint's clock (real, or virtual with `useRealTime: false`). */
  get clock(): Clock {
    return this.system.clock;
  }

  /**
   * Current time of the endpoint clock, in milliseconds.
   */
  now(): number {
    return this.system.clock.now();
  }

  /**
   * Moves the virtual clock forward (only with `useRealTime: false`), firing what falls due.
   * @throws BrokerError `bad_member_function_call` on a real-time endpoint
   */
  advanceTime(by: Duration): void {
    if (this.virtualClock === undefined) throw new BrokerError('bad_member_function_call', 'advanceTime needs an endpoint created with useRealTime: false');
    this.virtualClock.advance(toMilliseconds(by, 'advanceTime'));
  }

  /**
   * Accepts peerings on a TCP address: from Broker or Zeek (Broker's native protocol) and
   * from other broker-ts endpoints, over TLS (Broker's default) or plain TCP
   * (`disableSsl`), as the endpoint options say.
   * @param host - address to bind (default `127.0.0.1`)
   * @param port - port to bind (default 0: the OS picks a free one)
   * @returns the bound port
   * @throws BrokerError `cannot_open_resource` when the address cannot be bound
   */
  listen(host: string = '127.0.0.1', port: number = 0): Promise<number> {
    try {
      checkHost(host);
      checkPort(port, 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request<number>({ type: 'listen', host, port });
  }

  /**
   * Peers with the endpoint listening at `host:port`: a Broker, Zeek or another broker-ts
   * endpoint (the TLS settings of both sides must agree).
   * @returns true once peered; false when the attempt failed and no retry was asked for
   *   (the failure is also reported as a `peer_unavailable` error event)
   */
  peer(host: string, port: number, options: PeerOptions = {}): Promise<boolean> {
    let retryMs: number;
    try {
      checkHost(host);
      checkPort(port, 1);
      retryMs = retryOf(options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request<boolean>({ type: 'peer', host, port, retryMs, wait: true });
  }

  /**
   * Starts peering without waiting; the outcome arrives as status and error events.
   * @throws BrokerError `invalid_data` for a bad argument, `shutting_down` after shutdown
   */
  peerNoWait(host: string, port: number, options: PeerOptions = {}): void {
    checkHost(host);
    checkPort(port, 1);
    const retryMs = retryOf(options);
    this.checkOpen();
    this.tell({ type: 'peer', host, port, retryMs, wait: false });
  }

  /**
   * Ends the peering with the endpoint at `host:port` (the address it was peered at).
   * @returns true, also for an unknown peer (which is reported as a `peer_invalid` error event)
   */
  unpeer(host: string, port: number): Promise<boolean> {
    try {
      checkHost(host);
      checkPort(port, 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request<boolean>({ type: 'unpeer', host, port });
  }

  /** The current peers, and outbound peerings still connecting. */
  peers(): Promise<PeerInfo[]> {
    return this.request<PeerInfo[]>({ type: 'peers' });
  }

  /** The union of the peers' subscriptions, sorted. */
  peerSubscriptions(): Promise<string[]> {
    return this.request<string[]>({ type: 'peer-subscriptions' });
  }

  /** Makes the endpoint receive and relay these topics without a local subscriber. */
  forward(topics: Topics): void {
    const list = topicList(topics);
    this.checkOpen();
    this.tell({ type: 'forward', topics: list });
  }

  /**
   * Publishes a value to the peers subscribed to its topic (fire-and-forget). Local
   * subscribers do not see it; local hubs do.
   * @throws BrokerError when the value is not Broker data or the topic not a string,
   *   `shutting_down` after shutdown
   */
  publish(topic: string, value: DataInput): void {
    checkPublishTopic(topic);
    // With peers, exact data is checked while it is encoded (one walk); see encodeForPeers.
    const payload = encodeForPeers(value, this.life, topic);
    this.enqueue(topic, publishedData(value, payload, this.life), undefined, undefined, payload);
  }

  /**
   * Publishes a value to one peer only, which delivers it locally and never relays it.
   * @param peer - the peer's endpoint id
   */
  publishTo(peer: string, topic: string, value: DataInput): void {
    checkName(peer, 'a peer id');
    checkPublishTopic(topic);
    const payload = encodeForPeers(value, this.life);
    this.enqueue(topic, publishedData(value, payload, this.life), peer, undefined, payload);
  }

  /**
   * Publishes several messages, each as its own message, in order. Every value is checked
   * before the first is published.
   */
  publishBatch(items: Iterable<readonly [string, DataInput]>): void {
    const batch: Array<[string, Data | undefined, Uint8Array | undefined]> = [];
    for (const item of arrayOf(items, 'publishBatch items')) {
      if (!Array.isArray(item) || item.length !== 2) throw new BrokerError('invalid_data', 'publishBatch takes [topic, value] pairs');
      const [topic, value] = item as [unknown, DataInput];
      checkPublishTopic(topic);
      const payload = encodeForPeers(value, this.life, topic);
      batch.push([topic, publishedData(value, payload, this.life), payload]);
    }
    for (const [topic, value, payload] of batch) this.enqueue(topic, value, undefined, undefined, payload);
  }

  /**
   * Hands a publication to the core through the publish buffer, applying
   * `publishOverflowPolicy` when it is full. The first drop of an overflow episode is
   * reported (an error event and one warning, by the core); every drop is counted.
   * @throws BrokerError under the `throw` policy when the buffer is full, `shutting_down`
   *   after shutdown
   */
  private enqueue(topic: string, value: Data | undefined, receiver: string | undefined, from: number | undefined, payload?: Uint8Array): void {
    if (this.stopping !== undefined) throw shutDownError();
    const input = this.input;
    if (input.full) {
      const policy = this.options.publishOverflowPolicy;
      if (policy === 'throw') {
        throw new BrokerError('unspecified', `the publish buffer of ${input.capacity} messages is full: yield to the event loop, or use a Publisher`, { publishBufferSize: input.capacity });
      }
      if (input.countDrop()) this.core.tell({ type: 'publish-overflow' });
      if (policy === 'dropNewest') return;
      input.shift();
    }
    this.published++;
    const mark = input.push(topic, value, receiver, from, payload);
    if (mark !== undefined) this.startBurst(input, mark, undefined);
  }

  /** Tells the core about a new burst in a buffer; it is sealed by the next other command. */
  private readonly startBurst = (buffer: PublishBuffer, mark: DrainMark, publisher: PublisherPort | undefined): void => {
    this.openBursts.add(buffer);
    this.core.tell(publisher === undefined ? { type: 'publish-drain', buffer, mark } : { type: 'publish-drain', buffer, mark, publisher });
  };

  /** Ends the open bursts, so that a command follows the publications before it and precedes those after it. */
  private sealBursts(): void {
    const open = this.openBursts;
    if (open.size === 0) return;
    for (const b of open) b.seal();
    open.clear();
  }

  /** The core as subscribers and hubs see it: their commands, too, follow earlier publications. */
  private readonly sealingCore = { tell: (msg: CoreCommand): void => this.tell(msg) };

  /** How hubs publish: through the publish buffer, in order with `publish` calls. */
  private readonly hubPublish = (topic: string, value: Data | undefined, from: number, payload?: Uint8Array): void => this.enqueue(topic, value, undefined, from, payload);

  /** Whether the endpoint was shut down (shared with its subscribers and publishers). */
  private readonly life: EndpointLife = newEndpointLife();

  /** @throws BrokerError `shutting_down` after shutdown */
  private checkOpen(): void {
    if (this.stopping !== undefined) throw shutDownError();
  }

  /** Sends the core a command, after the publications made before it. */
  private tell(msg: CoreCommand): void {
    this.sealBursts();
    this.core.tell(msg);
  }

  /** Creates a subscriber to the messages that peers publish on these topics. */
  makeSubscriber(topics: Topics, options: SubscriberOptions = {}): Subscriber {
    const list = topicList(topics);
    return new Subscriber(this.wiring(options, false), list);
  }

  /** Creates a hub: a subscriber that also publishes and sees local publications of others. */
  makeHub(topics: Topics, options: SubscriberOptions = {}): Hub {
    const list = topicList(topics);
    return new Hub(this.wiring(options, true), list);
  }

  /**
   * Creates a publisher on one topic, with backpressure.
   * @param options - `capacity`: messages in flight at most (default 64)
   */
  makePublisher(topic: string, options: PublisherOptions = {}): Publisher {
    checkPublishTopic(topic);
    const { capacity = 64 } = optionsObject<PublisherOptions>(options, 'publisher options');
    checkPositiveInt(capacity, 'publisher capacity');
    this.checkOpen();
    this.sealBursts();
    this.openPublishers++;
    return new Publisher(this.nextId++, topic, capacity, this.system.clock, this.startBurst, () => this.openPublishers--, this.life);
  }

  /**
   * Calls `callback` for each message on these topics (callback style). A callback that
   * throws, or an `async` one whose promise rejects, is logged (`callback-failed`) and the
   * subscription goes on; delivery does not wait for a returned promise.
   * @returns a function that ends the subscription
   */
  subscribe(topics: Topics, callback: (topic: string, value: Data) => void): () => void {
    checkFunction(callback, 'a subscription callback');
    return this.callbackSubscription(topics, (log) => new ValueCallbackSink(log, callback));
  }

  /**
   * Calls `callback` for each message on these topics with the message undecoded: its
   * `value` is decoded when first read, exactly as {@link Endpoint.subscribe} would have
   * given it, and its `payload` holds Broker's binary encoding. For consumers that route,
   * count, store or forward messages without reading every value.
   * @returns a function that ends the subscription
   */
  subscribeLazy(topics: Topics, callback: (message: LazyDataMessage) => void): () => void {
    checkFunction(callback, 'a subscription callback');
    return this.callbackSubscription(topics, (log) => new LazyCallbackSink(log, callback));
  }

  /** Adds a subscription whose sink hands each message to a callback at once. */
  private callbackSubscription(topics: Topics, makeSink: (log: Logger) => ValueCallbackSink | LazyCallbackSink): () => void {
    const list = topicList(topics);
    this.checkOpen();
    const id = this.nextId++;
    const sink = makeSink(this.system.loggerFor('endpoint'));
    const sub = new LocalSubscription(id, false, sink);
    this.tell({ type: 'add-subscription', sub, topics: list });
    return () => {
      if (!sink.open) return;
      sink.open = false;
      this.tell({ type: 'remove-subscription', id });
    };
  }

  /**
   * Creates a status subscriber: error events, plus status events when asked for.
   * @param receiveStatuses - also receive `peer_added`, `peer_lost`, ... (default false)
   */
  makeStatusSubscriber(receiveStatuses = false, options: SubscriberOptions = {}): StatusSubscriber {
    checkBoolean(receiveStatuses, 'receiveStatuses');
    const opts = optionsObject<SubscriberOptions>(options, 'subscriber options');
    return new StatusSubscriber(new Subscriber(this.wiring({ queueSize: opts.queueSize ?? 1024 }, false), StatusSubscriber.topics(receiveStatuses)));
  }

  /**
   * Attaches the master of a data store, with its backend.
   * @param name - the store name
   * @param backend - `memory`, `sqlite` (Broker's file format) or `lmdb`
   * @param options - backend options, e.g. `{ path }` for sqlite and lmdb
   * @returns the store frontend (the existing one if this endpoint already has that master
   *   with the same backend, path and options)
   * @throws BrokerError `master_exists` when a peer already has that master or this endpoint
   *   has it with another backend, path or options, `backend_failure`/`cannot_open_file`
   *   when the backend cannot be created (or its file is another store's backend)
   */
  async attachMaster(name: string, backend: BackendKind, options: BackendOptions = {}): Promise<Store> {
    checkName(name, 'a store name');
    optionsObject<BackendOptions>(options, 'backend options');
    const attached = await this.request<AttachedStore>({ type: 'attach-master', name, backend, options });
    return this.storeFrontend(name, attached);
  }

  /**
   * Attaches a clone of a data store; it finds the master (any number of hops away, even
   * one that appears later) by itself.
   * @throws BrokerError `no_such_master` when this endpoint has the master itself,
   *   `invalid_data` for a bad name or option (a `resyncInterval` must be above 0)
   */
  async attachClone(name: string, options: CloneOptions = {}): Promise<Store> {
    checkName(name, 'a store name');
    options = optionsObject<CloneOptions>(options, 'clone options');
    // A negative number means "never" for staleInterval and "no buffering" for
    // mutationBufferInterval (as 0 does); the clone looks for its master at a positive interval.
    const interval = (d: Duration | undefined, dflt: number, what: string): number => {
      if (d === undefined) return dflt;
      if (typeof d === 'number' && d < 0) return -1;
      return toMilliseconds(d, what);
    };
    const resyncInterval = interval(options.resyncInterval, 10_000, 'resyncInterval');
    if (!(resyncInterval > 0)) throw new BrokerError('invalid_data', `resyncInterval must be above 0 ms, got ${describeArg(options.resyncInterval)}`);
    const attached = await this.request<AttachedStore>({
      type: 'attach-clone',
      name,
      resyncInterval,
      staleInterval: interval(options.staleInterval, 300_000, 'staleInterval'),
      mutationBufferInterval: interval(options.mutationBufferInterval, 120_000, 'mutationBufferInterval'),
    });
    return this.storeFrontend(name, attached);
  }

  private storeFrontend(name: string, attached: AttachedStore): Store {
    const actor = attached.actor;
    const store: Store = openStoreFrontend({
      system: this.system,
      actor,
      name,
      kind: attached.kind,
      frontendId: this.nextId++,
      onClose: () => {
        this.frontends.delete(store);
        this.tell({ type: 'detach-store', name, actor });
      },
    });
    this.frontends.add(store);
    return store;
  }

  /** Open store frontends, closed at shutdown; bounded by the attach calls not yet closed. */
  private readonly frontends = new Set<Store>();

  /** Wall-clock milliseconds of the endpoint (virtual time with `useRealTime: false`). */
  private readonly wallNow = (): number => (this.virtualClock !== undefined ? this.virtualClock.now() : Date.now());

  /**
   * Starts an endpoint in a worker thread and peers with it over the thread's MessagePort
   * (no TCP). The module runs as the worker's main script: it creates an `Endpoint` and
   * calls {@link Endpoint.peerParent}; it may also listen and peer over TCP. The worker
   * belongs to this endpoint: `shutdown()` terminates it.
   * @param modulePath - the worker module (`.js`, or `.ts` run through tsx)
   * @returns once the worker's endpoint peered with this one (`peer_added` on both sides)
   * @throws BrokerError `peer_unavailable` when the worker ends or does not peer in time,
   *   `cannot_open_resource` when it cannot start, `shutting_down` after shutdown
   */
  async spawnWorkerEndpoint(modulePath: string, options: WorkerEndpointOptions = {}): Promise<WorkerEndpoint> {
    checkName(modulePath, 'a worker module path');
    options = optionsObject<WorkerEndpointOptions>(options, 'worker options');
    this.checkOpen();
    // Subscribed before the worker starts, so its peer_added cannot be missed.
    const statuses = this.makeStatusSubscriber(true);
    let handle: WorkerEndpoint;
    try {
      handle = await startWorkerEndpoint(this.system, modulePath, options, async (id, failed) => {
        for (;;) {
          const ev = await Promise.race([statuses.get(), failed]);
          if (isStatus(ev) && ev.code === 'peer_added' && ev.context.id === id) return;
        }
      });
    } finally {
      statuses.close();
    }
    // Terminating the thread is abrupt (no goodbye: peer_lost), but asked for: the core
    // is told first, so that it does not warn of a lost peer.
    const terminate = async (): Promise<void> => {
      if (this.stopping === undefined) await this.request({ type: 'peer-terminating', id: handle.id }).catch(() => undefined);
      await handle.terminate();
    };
    return { id: handle.id, worker: handle.worker, exited: handle.exited, terminate };
  }

  /**
   * In a worker thread started by {@link Endpoint.spawnWorkerEndpoint}: peers with the
   * endpoint that started it, over the thread's MessagePort. Its network address in
   * statuses and `peers()` is `parent:0` (so `unpeer('parent', 0)` ends it).
   * @returns true once peered
   * @throws BrokerError `bad_member_function_call` in any other thread
   */
  peerParent(): Promise<boolean> {
    if (this.stopping !== undefined) return Promise.reject(shutDownError());
    let parent: string;
    try {
      parent = linkToParent(this.system);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request<boolean>({ type: 'peer', host: 'parent', port: 0, retryMs: 0, wait: true, via: parent });
  }

  /**
   * Serves Broker's WebSocket JSON API (`/v1/messages/json`, see docs/websocket.md): a
   * client's publications reach local subscribers, hubs, peers and other clients; the
   * messages on its topics reach it. TLS as for peering unless the options say otherwise.
   * @param host - address to bind (default `127.0.0.1`)
   * @param port - port to bind (default 0: the OS picks a free one)
   * @returns the bound port
   * @throws BrokerError `cannot_open_resource` when the address cannot be bound,
   *   `invalid_data` for a bad host, port or option, `shutting_down` after shutdown
   */
  async listenWebSocket(host = '127.0.0.1', port = 0, options: WebSocketServerOptions = {}): Promise<number> {
    if (this.stopping !== undefined) throw new BrokerError('shutting_down', 'the endpoint is shut down');
    // Checked before Node sees them: a number given as the host would reach
    // `server.listen(port, backlog)` and bind every interface.
    checkHost(host);
    checkPort(port, 0);
    const hooks = { id: this.id, log: this.system.loggerFor('network'), tell: (m: CoreCommand) => this.tell(m), nextId: () => this.nextId++ };
    const server = new EndpointWebSocketServer(webSocketEndpointPort(hooks), resolveWebSocketServerOptions(options, this.options));
    this.webSocketServers.add(server);
    try {
      return await server.listen(host, port);
    } catch (e) {
      this.webSocketServers.delete(server);
      await server.close();
      throw e;
    }
  }

  /**
   * Counters and gauges of the endpoint: drops, duplicates, expired hop limits, malformed
   * input, processed messages by type, buffered messages, subscriptions and publishers.
   */
  async stats(): Promise<EndpointStats> {
    const core = await this.request<Omit<EndpointStats, 'publishers' | 'published'>>({ type: 'stats' });
    return { ...core, publishers: this.openPublishers, published: this.published };
  }

  /**
   * Delivers what was published before, says goodbye to every peer (they report
   * `peer_lost`), closes every subscriber, socket, worker and timer. Idempotent.
   */
  shutdown(): Promise<void> {
    this.sealBursts();
    this.life.stopped = true;
    // Publications still waiting for credit were never handed over: they reject.
    for (const wake of [...this.life.waitingPublishers]) wake();
    this.stopping ??= (async () => {
      await Promise.all([...this.webSocketServers].map((s) => s.close()));
      try {
        await this.system.request(this.core, { type: 'shutdown' }, { timeout: 10_000 });
      } catch (e) {
        this.system.loggerFor('endpoint').warn({ event: 'shutdown-incomplete', detail: (e as Error).message }, 'core did not finish its shutdown');
      }
      // Later calls on a store frontend fail with shutting_down.
      for (const store of [...this.frontends]) await store.close();
      await this.system.shutdown();
    })();
    return this.stopping;
  }

  private wiring(options: unknown, seesLocal: boolean): SubscriptionWiring {
    const { queueSize } = optionsObject<SubscriberOptions>(options, 'subscriber options');
    checkPositiveInt(queueSize, 'queueSize');
    this.checkOpen();
    this.sealBursts();
    return { core: this.sealingCore, id: this.nextId++, timers: this.system.clock, queueSize: queueSize ?? this.options.subscriberQueueSize, seesLocal, publish: this.hubPublish, life: this.life };
  }

  private async request<R>(msg: CoreCommand): Promise<R> {
    if (this.stopping !== undefined && msg.type !== 'shutdown') throw shutDownError();
    this.sealBursts();
    try {
      return await this.system.request<R>(this.core, msg, { timeout: Number.POSITIVE_INFINITY });
    } catch (e) {
      if (e instanceof BrokerError) throw e;
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof BrokerError) throw cause;
      throw new BrokerError('unspecified', `endpoint request ${msg.type} failed: ${(e as Error).message}`, {}, { cause: e });
    }
  }
}

export type { DataMessage, PeerInfo };
