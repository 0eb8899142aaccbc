/**
 * The actor system: spawns actors and owns the scheduler, clock, registry, router,
 * logger and node identity.
 */
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Actor, ActorClass, BehaviorFactory, MessageOf, Spawnable } from './actor';
import { ActorCell } from './actor-cell';
import { ActorError, type ActorErrorCode } from './actor-error';
import { ActorRef } from './actor-ref';
import type { ActorSystemView, SystemState } from './actor-system-view';
import type { Clock } from './clock';
import { Envelope, EnvelopeKind, kindName } from './envelope';
import { EventLoopScheduler } from './event-loop-scheduler';
import { ExitReasons, type ExitReason } from './exit-reason';
import type { AnyMessage, Message } from './message';
import { messageTypeOf } from './message-type';
import type { NodeLink } from './node-link';
import { PendingRequests } from './pending-requests';
import { RealTimeClock } from './real-time-clock';
import { screenRemote, type RemoteRefusal } from './remote-gate';
import { NodeRouter } from './node-router';
import type { RequestOptions } from './request-options';
import type { Scheduler } from './scheduler';
import type { SpawnOptions } from './spawn-options';
import type { SystemRuntime } from './system-runtime';

/** Options for {@link ActorSystem}. */
export interface ActorSystemOptions {
  /** Display name, in logs (default `actor-system`). */
  name?: string;
  /** Unique node id (default a random UUID). Must be unique among connected systems. */
  nodeId?: string;
  /** The scheduler (default an {@link EventLoopScheduler}); an injected one is not closed at shutdown. */
  scheduler?: Scheduler;
  /** The clock (default a {@link RealTimeClock}); an injected one is not reset at shutdown. */
  clock?: Clock;
  /** Root logger (default pino at level `BROKER_TS_LOG_LEVEL` or `warn`). */
  logger?: Logger;
  /** Messages per actor turn for the default scheduler (default 64). */
  throughput?: number;
}

/**
 * A service of the node actor (id 0): answers node-level requests such as `whereis`.
 * Transports and the worker runtime register theirs (e.g. `spawn` in worker threads).
 * @param msg - the request message
 * @param from - the requester (null for plain messages from outside any actor)
 * @returns the response (or a Promise of it)
 */
export type NodeService = (msg: AnyMessage, from: ActorRef | null, untrusted: boolean) => unknown;

/** Options of {@link ActorSystem.registerNodeService}. */
export interface NodeServiceOptions {
  /** Whether untrusted nodes (TCP peers) may call it (default false). */
  remote?: boolean;
}

export type { SystemState } from './actor-system-view';

const DEFAULT_REQUEST_TIMEOUT = 30_000;

/**
 * An actor system: one node. Spawn actors with {@link ActorSystem.spawn}, talk to them
 * with `ref.tell` and {@link ActorSystem.request}, and end everything with
 * {@link ActorSystem.shutdown}.
 */
export class ActorSystem implements ActorSystemView {
  /** Display name. */
  readonly name: string;
  /** This node's unique id. */
  readonly nodeId: string;
  /** The scheduler running the actors. */
  readonly scheduler: Scheduler;
  /** The clock of every timer and timeout. */
  readonly clock: Clock;
  /** Root logger of this system (bound to `system` and `node`). */
  readonly logger: Logger;
  /** The node router: the seam transports plug into (see docs/actor-runtime.md). */
  readonly router: NodeRouter;
  /** The reference of this node's own service actor (id 0). */
  readonly nodeRef: ActorRef;
  /** @internal the actor whose handler is running, if any */
  current: ActorCell | null = null;
  /** @internal called for every envelope delivered on this node (test fixture) */
  tracer: ((env: Envelope) => void) | null = null;
  /** @internal */
  readonly requests: PendingRequests;
  /**
   * Handler failures reported and dropped by actors spawned with
   * `onHandlerError: 'drop'` (see {@link SpawnOptions.onHandlerError}).
   */
  handlerFailures = 0;
  /** Envelopes from untrusted nodes refused by the remote gate (see {@link ActorSystem.receiveUntrusted}). */
  remoteRefusals = 0;
  private readonly cells = new Map<number, ActorCell>();
  private readonly names = new Map<string, ActorRef>();
  private readonly services = new Map<string, { run: NodeService; remote: boolean }>();
  /** Refusal kinds already logged at warn per node (later ones go to debug); bounded by the nodes seen. */
  private readonly refusalsLogged = new Map<string, Set<RemoteRefusal>>();
  /** Things that keep the process alive (see {@link ActorSystem.holdAlive}). */
  private holds = 0;
  private holdHandle: NodeJS.Timeout | undefined;
  private readonly loggers = new Map<string, Logger>();
  private readonly hooks: { name: string; run: () => void | Promise<void> }[] = [];
  private readonly ownsScheduler: boolean;
  private readonly ownsClock: boolean;
  private readonly log: Logger;
  private nextId = 1;
  private stateValue: SystemState = 'running';
  private shutdownPromise: Promise<void> | null = null;

  /** @param options - see {@link ActorSystemOptions} */
  constructor(options: ActorSystemOptions = {}) {
    this.name = options.name ?? 'actor-system';
    this.nodeId = options.nodeId ?? randomUUID();
    if (typeof this.nodeId !== 'string' || this.nodeId === '') throw new ActorError('invalid_argument', 'nodeId must be a non-empty string');
    this.ownsScheduler = options.scheduler === undefined;
    this.scheduler = options.scheduler ?? new EventLoopScheduler({ throughput: options.throughput });
    this.ownsClock = options.clock === undefined;
    this.clock = options.clock ?? new RealTimeClock();
    // A library keeps stdout for its application: logs go to stderr.
    const root = options.logger ?? pino({ name: 'broker-ts', level: process.env.BROKER_TS_LOG_LEVEL ?? 'warn' }, stderr());
    this.logger = root.child({ system: this.name, node: this.nodeId });
    this.log = this.loggerFor('core');
    this.requests = new PendingRequests(this.clock, { retain: () => this.retainProcess(), release: () => this.releaseProcess() });
    this.router = new NodeRouter(this, this.loggerFor('router'));
    this.nodeRef = new ActorRef(this.nodeId, 0, this);
    this.services.set('whereis', {
      run: (msg, _from, untrusted) => {
        const ref = this.whereis(String(msg.name));
        // Untrusted nodes see only the actors open to them.
        return ref !== undefined && (!untrusted || this.cells.get(ref.id)?.remotelyReachable === true) ? ref : null;
      },
      remote: true,
    });
    this.services.set('node-down', {
      run: (msg, from) => {
        if (from !== null && typeof msg.node === 'string') this.router.remoteNodeDown(from.node, msg.node, msg.orderly === true);
      },
      remote: true,
    });
  }

  /** `running`, `stopping` (shutdown in progress) or `stopped`. */
  get state(): SystemState {
    return this.stateValue;
  }

  /** Number of live actors on this node. */
  get actorCount(): number {
    return this.cells.size;
  }

  /**
   * A child logger for a component, e.g. `core`, `router`, `network`, `worker`.
   * @param component - component name (one logger per name, cached)
   */
  loggerFor(component: string): Logger {
    let l = this.loggers.get(component);
    if (l === undefined) {
      l = this.logger.child({ component });
      this.loggers.set(component, l);
    }
    return l;
  }

  // -- spawning ------------------------------------------------------------------

  /**
   * Spawns an actor from a behavior factory `(ctx, ...args) => behavior` or an
   * {@link Actor} subclass (`new Cls(ctx, ...args)` then `behavior()`). The factory runs
   * at once; if it throws, the actor stops with reason `error` (links and monitors hear).
   * @param target - factory or class
   * @param options - args, name, trapExit, linkTo, monitorBy, mailboxCapacity
   * @returns the new actor's reference
   * @throws ActorError `system_shutdown`, `name_taken` or `invalid_argument`
   */
  spawn<M extends Message = AnyMessage, Args extends unknown[] = []>(target: BehaviorFactory<M, Args>, options?: SpawnOptions<Args>): ActorRef<M>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spawn<A extends Actor<any>, Args extends unknown[] = []>(target: ActorClass<A, Args>, options?: SpawnOptions<Args>): ActorRef<MessageOf<A>>;
  spawn(target: Spawnable<Message, unknown[]>, options: SpawnOptions<unknown[]> = {}): ActorRef {
    if (this.stateValue !== 'running') throw new ActorError('system_shutdown', 'cannot spawn: the system is shutting down');
    if (typeof target !== 'function') throw new ActorError('invalid_argument', 'spawn expects a behavior function or an Actor subclass');
    // Every option is checked before the actor exists: a half-built actor would hold its name.
    if (options === null || typeof options !== 'object') throw new ActorError('invalid_argument', 'spawn options must be an object');
    if (options.linkTo !== undefined && !(options.linkTo instanceof ActorRef)) throw new ActorError('invalid_argument', 'linkTo must be an ActorRef');
    if (options.onHandlerError !== undefined && options.onHandlerError !== 'stop' && options.onHandlerError !== 'drop') {
      throw new ActorError('invalid_argument', `onHandlerError must be 'stop' or 'drop', got ${String(options.onHandlerError)}`);
    }
    const remote = options.remote;
    if (remote !== undefined && typeof remote !== 'boolean' && !(Array.isArray(remote) && remote.every((t) => typeof t === 'string'))) {
      throw new ActorError('invalid_argument', 'remote must be a boolean or an array of message types');
    }
    const cap = options.mailboxCapacity;
    if (cap !== undefined && !(cap === Infinity || (Number.isInteger(cap) && cap > 0))) throw new ActorError('invalid_argument', `mailboxCapacity must be a positive integer, got ${cap}`);
    if (options.name !== undefined) this.checkNameFree(options.name);
    if (options.args !== undefined && !Array.isArray(options.args)) throw new ActorError('invalid_argument', 'args must be an array');
    const mon = options.monitorBy;
    if (mon !== undefined && (!(mon instanceof ActorRef) || mon.node !== this.nodeId || !this.cells.has(mon.id))) throw new ActorError('invalid_argument', 'monitorBy must be a live local actor');
    const cell = new ActorCell(runtimeOf(this), this.nextId++, options);
    this.cells.set(cell.self.id, cell);
    if (options.name !== undefined) this.register(options.name, cell.self);
    if (options.linkTo !== undefined) cell.link(options.linkTo);
    if (options.monitorBy !== undefined) this.cells.get(options.monitorBy.id)?.monitor(cell.self);
    this.log.debug({ event: 'actor-spawned', actor: cell.self.key, name: options.name }, 'actor spawned');
    cell.start(target, options.args ?? []);
    return cell.self;
  }

  // -- messaging -------------------------------------------------------------------

  /** @internal implementation of `ActorRef.tell` */
  tellFrom(to: ActorRef, msg: unknown): void {
    const cur = this.current;
    this.route(new Envelope(to, cur === null ? null : cur.self, msg, EnvelopeKind.Message, 0));
  }

  /**
   * Sends a request from outside any actor and returns the response.
   * @param to - the receiver
   * @param msg - the request
   * @param options - timeout in ms (default 30000; `Infinity` for none)
   * @returns the handler's return value (or the value its Promise resolved to)
   * @throws (rejects) ActorError `request_timeout`, `request_receiver_down`,
   *   `unexpected_message`, `unreachable`, `broken_promise`, `system_shutdown`, or the
   *   receiver's failure as `runtime_error`
   */
  request<R = unknown, T extends Message = AnyMessage>(to: ActorRef<T>, msg: T, options?: RequestOptions): Promise<R> {
    return this.requestFrom(null, to as ActorRef, msg, options) as Promise<R>;
  }

  /** @internal */
  requestFrom(owner: ActorCell | null, to: ActorRef, msg: unknown, options?: RequestOptions): Promise<unknown> {
    const timeout = options?.timeout ?? DEFAULT_REQUEST_TIMEOUT;
    return new Promise((resolve, reject) => {
      if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
        reject(new ActorError('invalid_argument', `timeout must be a non-negative number of ms, got ${String(timeout)}`));
        return;
      }
      if (this.stateValue !== 'running') {
        reject(new ActorError('system_shutdown', 'the system is shutting down'));
        return;
      }
      if (!(to instanceof ActorRef)) {
        reject(new ActorError('invalid_argument', 'request target is not an ActorRef'));
        return;
      }
      // A request made from outside any actor (an application's call) keeps the process
      // alive until it settles, as a socket or a timer would: the table holds the process
      // while it has one (see the constructor).
      const rid = this.requests.add(owner, to.node, timeout, resolve, reject);
      this.route(new Envelope(to, owner === null ? this.nodeRef : owner.self, msg, EnvelopeKind.Request, rid));
    });
  }

  /**
   * Asks an actor to stop with `reason` (default `normal`); it stops before its next
   * ordinary message and cannot trap this.
   */
  stop(ref: ActorRef<Message>, reason: ExitReason = ExitReasons.normal): void {
    this.route(new Envelope(ref as ActorRef, this.current?.self ?? null, reason, EnvelopeKind.Stop, 0));
  }

  /** Kills an actor (reason `kill`, untrappable). */
  kill(ref: ActorRef<Message>): void {
    this.route(new Envelope(ref as ActorRef, this.current?.self ?? null, ExitReasons.kill, EnvelopeKind.Kill, 0));
  }

  /**
   * Messages waiting in a local actor's mailbox.
   * @returns undefined when the actor is not local or not alive
   */
  mailboxSize(ref: ActorRef<Message>): number | undefined {
    if (ref.node !== this.nodeId) return undefined;
    return this.cells.get(ref.id)?.mailboxSize;
  }

  /** True when `ref` is a live actor of this node. */
  isAlive(ref: ActorRef<Message>): boolean {
    return ref.node === this.nodeId && this.cells.has(ref.id);
  }

  /** Routes an envelope: local delivery or a node link. @internal but stable for transports. */
  route(env: Envelope): void {
    if (env.to.node === this.nodeId) this.deliverLocal(env);
    else this.router.forward(env);
  }

  /**
   * Entry point of envelopes from an untrusted node (a TCP peer): each is screened (see
   * docs/reliability.md) and refused ones are answered as a dead letter would be
   * (requests get an error, links EXIT, monitors DOWN), counted in
   * {@link ActorSystem.remoteRefusals} and logged (one warning per node and kind of
   * refusal). @internal but stable for transports.
   * @param node - the node whose connection delivered it
   * @param env - the decoded envelope
   */
  receiveUntrusted(node: string, env: Envelope): void {
    const refusal = screenRemote(this, node, env);
    if (refusal === undefined) {
      if (env.to.id === 0 && (env.kind === EnvelopeKind.Message || env.kind === EnvelopeKind.Request)) this.serveNode(env, true);
      else this.deliverLocal(env);
      return;
    }
    this.remoteRefusals++;
    let logged = this.refusalsLogged.get(node);
    if (logged === undefined) this.refusalsLogged.set(node, (logged = new Set()));
    const fields = { event: 'remote-refused', node, reason: refusal, to: env.to.key, from: env.from?.key, kind: kindName(env.kind), type: messageTypeOf(env.msg) };
    if (logged.has(refusal)) this.log.debug(fields, 'refused an envelope from a remote node');
    else {
      logged.add(refusal);
      this.log.warn(fields, 'refused an envelope from a remote node (further ones of this kind from this node are logged at debug)');
    }
    // Answer only the sender's own node, never a forged one.
    if (refusal === 'forged_sender' || refusal === 'not_routed' || env.from === null) return;
    this.deadLetter(env, refusal === 'type_refused' || refusal === 'service_refused' ? 'unexpected_message' : 'request_receiver_down');
  }

  /** @internal RemoteGateHost */
  actorFor(id: number): ActorCell | undefined {
    return this.cells.get(id);
  }

  /** @internal RemoteGateHost */
  serviceIsRemote(type: string): boolean {
    return this.services.get(type)?.remote === true;
  }

  /** @internal RemoteGateHost */
  requestNode(rid: number): string | undefined {
    return this.requests.nodeOf(rid);
  }

  /**
   * Keeps the process alive (a ref'd handle) until the returned function is called, as an
   * open socket would. The application's requests hold it while pending; transports and
   * layers above use it for work that must finish (a retrying connection). Released at
   * shutdown at the latest.
   * @returns the release function (idempotent)
   */
  holdAlive(): () => void {
    if (this.stateValue === 'stopped') return () => {};
    this.retainProcess();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.releaseProcess();
    };
  }

  /** One more thing keeps the process alive (see {@link ActorSystem.holdAlive}). */
  private retainProcess(): void {
    if (this.holds++ === 0) this.holdHandle = setInterval(noop, 2 ** 31 - 1);
  }

  /** One thing less keeps the process alive; the last one lets it go. */
  private releaseProcess(): void {
    if (this.holds > 0 && --this.holds === 0 && this.holdHandle !== undefined) {
      clearInterval(this.holdHandle);
      this.holdHandle = undefined;
    }
  }

  /** @internal */
  deliverLocal(env: Envelope): void {
    if (this.tracer !== null) this.tracer(env);
    const kind = env.kind;
    if (kind === EnvelopeKind.Response || kind === EnvelopeKind.ErrorResponse) {
      if (!this.requests.settle(env.rid, kind === EnvelopeKind.Response, env.msg)) this.log.debug({ event: 'late-response', rid: env.rid }, 'response without a pending request');
      return;
    }
    const id = env.to.id;
    if (id === 0) {
      this.serveNode(env);
      return;
    }
    const cell = this.cells.get(id);
    if (cell === undefined) this.deadLetter(env, 'request_receiver_down');
    else cell.enqueue(env);
  }

  /**
   * Handles an envelope nobody can take: requests are answered with an error, links and
   * monitors with EXIT/DOWN, ordinary messages are logged as `dead-letter`; an answer or a
   * stop notice that a link could not encode (`invalid_argument`) is replaced by an error
   * answer or by the same notice with its cause as text. Never throws at the sender.
   * @internal
   */
  deadLetter(env: Envelope, code: ActorErrorCode, reason: ExitReason = ExitReasons.unknown): void {
    const to = env.to;
    switch (env.kind) {
      case EnvelopeKind.Request:
        this.logDeadLetter(env, code);
        if (env.from !== null) this.route(new Envelope(env.from, to, new ActorError(code, `request to ${to.key} failed: ${code}`), EnvelopeKind.ErrorResponse, env.rid));
        return;
      case EnvelopeKind.Link:
        if (env.from !== null) this.route(new Envelope(env.from, to, reason, EnvelopeKind.Exit, 0));
        return;
      case EnvelopeKind.Monitor:
        if (env.from !== null) this.route(new Envelope(env.from, to, reason, EnvelopeKind.Down, 0));
        return;
      case EnvelopeKind.Message:
        this.logDeadLetter(env, code);
        return;
      case EnvelopeKind.Response:
      case EnvelopeKind.ErrorResponse:
        // An answer a link could not encode (`invalid_argument`): the requester gets an
        // error now instead of waiting for its timeout. Answers to an actor or node that
        // is gone are dropped, as is a replacement that could not be sent either.
        if (code !== 'invalid_argument' || REPLACEMENTS.has(env)) return;
        this.logDeadLetter(env, code);
        this.route(replacement(new Envelope(env.to, env.from, new ActorError(code, `the answer of ${env.from?.key ?? 'an actor'} could not be sent: it does not encode`), EnvelopeKind.ErrorResponse, env.rid)));
        return;
      case EnvelopeKind.Exit:
      case EnvelopeKind.Down:
        // A stop notice a link could not encode (its reason's cause): the linked or
        // monitoring actor still hears of the stop, with the cause as text.
        if (code !== 'invalid_argument' || REPLACEMENTS.has(env)) return;
        this.logDeadLetter(env, code);
        this.route(replacement(new Envelope(env.to, env.from, sendableReason(env.msg as ExitReason), env.kind, 0)));
        return;
      default:
        return;
    }
  }

  private logDeadLetter(env: Envelope, code: ActorErrorCode): void {
    this.log.info(
      { event: 'dead-letter', to: env.to.key, from: env.from?.key, kind: kindName(env.kind), type: messageTypeOf(env.msg) ?? typeof env.msg, reason: code },
      'dead letter',
    );
  }

  /** @internal RouterHost: no route to the target node */
  unroutable(env: Envelope): void {
    this.deadLetter(env, 'unreachable', ExitReasons.unreachable(env.to.node));
  }

  /** @internal RouterHost */
  nodesLost(lost: (node: string) => boolean): void {
    for (const cell of [...this.cells.values()]) cell.nodesLost(lost);
    this.requests.failNodes(lost);
  }

  /** @internal RouterHost */
  notifyNodeDown(link: NodeLink, node: string, orderly: boolean): void {
    const msg = orderly ? { type: 'node-down', node, orderly } : { type: 'node-down', node };
    link.send(new Envelope(new ActorRef(link.remoteNode, 0, this), this.nodeRef, msg, EnvelopeKind.Message, 0));
  }

  /** @internal removes a stopped actor from the actor table and the registry */
  removeCell(cell: ActorCell): void {
    this.cells.delete(cell.self.id);
    if (cell.names !== null) for (const n of cell.names) if (this.names.get(n)?.equals(cell.self)) this.names.delete(n);
  }

  // -- node services ---------------------------------------------------------------

  /**
   * Registers a service of this node's service actor (id 0), reachable from any node as
   * `request(ref(node, 0), { type, ... })`. Used by the worker runtime and transports.
   * @param type - message type it answers
   * @param service - the handler
   * @throws ActorError `invalid_argument` if the type is taken
   */
  registerNodeService(type: string, service: NodeService, options: NodeServiceOptions = {}): void {
    if (this.services.has(type)) throw new ActorError('invalid_argument', `node service '${type}' already registered`);
    this.services.set(type, { run: service, remote: options.remote === true });
  }

  private serveNode(env: Envelope, untrusted = false): void {
    const msg = env.msg as AnyMessage | null;
    const type = messageTypeOf(msg);
    const service = type === undefined ? undefined : this.services.get(type)?.run;
    const isRequest = env.kind === EnvelopeKind.Request;
    if (!isRequest && env.kind !== EnvelopeKind.Message) return;
    if (service === undefined || msg === null) {
      this.deadLetter(env, 'unexpected_message');
      return;
    }
    const answer = (ok: boolean, value: unknown): void => {
      if (isRequest && env.from !== null) {
        const payload = ok ? value : value instanceof ActorError ? value : new ActorError('runtime_error', value instanceof Error ? value.message : String(value), value);
        this.route(new Envelope(env.from, this.nodeRef, payload, ok ? EnvelopeKind.Response : EnvelopeKind.ErrorResponse, env.rid));
      } else if (!ok) {
        this.log.error({ event: 'node-service-failed', type, err: value }, 'node service failed');
      }
    };
    try {
      const result = service(msg, env.from, untrusted);
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then((v) => answer(true, v), (e) => answer(false, e));
      } else {
        answer(true, result);
      }
    } catch (e) {
      answer(false, e);
    }
  }

  // -- registry --------------------------------------------------------------------

  /**
   * Registers a local actor under a name, also visible to other nodes through
   * {@link ActorSystem.lookup}. The name is released when the actor stops.
   * @throws ActorError `name_taken` (name held by another live actor), `invalid_argument`
   */
  register(name: string, ref: ActorRef<Message>): void {
    const r = ref as ActorRef;
    if (typeof name !== 'string' || name === '') throw new ActorError('invalid_argument', 'a name must be a non-empty string');
    if (!(r instanceof ActorRef) || r.node !== this.nodeId) throw new ActorError('invalid_argument', 'only local actors can be registered');
    const cell = this.cells.get(r.id);
    if (cell === undefined) throw new ActorError('invalid_argument', `${r.key} is not alive`);
    const held = this.names.get(name);
    if (held !== undefined && held.equals(r)) return;
    this.checkNameFree(name);
    this.names.set(name, r);
    (cell.names ??= []).push(name);
  }

  /** Removes a name (no-op when absent). */
  unregister(name: string): void {
    this.names.delete(name);
  }

  /** The local actor registered under `name`, if any. */
  whereis<M extends Message = AnyMessage>(name: string): ActorRef<M> | undefined {
    return this.names.get(name) as ActorRef<M> | undefined;
  }

  /**
   * Looks a name up on any node reachable from here (this one included).
   * @param node - node id
   * @param name - registered name
   * @returns the reference, or undefined when the name is not registered there
   * @throws (rejects) ActorError `unreachable`, `request_timeout`
   */
  async lookup<M extends Message = AnyMessage>(node: string, name: string, options?: RequestOptions): Promise<ActorRef<M> | undefined> {
    if (node === this.nodeId) return this.whereis<M>(name);
    const found = await this.request(new ActorRef(node, 0, this), { type: 'whereis', name }, options);
    return found instanceof ActorRef ? (found as ActorRef<M>) : undefined;
  }

  /**
   * A reference to actor `id` on `node`, for transports and tests; prefer refs received
   * in messages or from `lookup`.
   */
  refFor<M extends Message = AnyMessage>(node: string, id: number): ActorRef<M> {
    return new ActorRef<M>(node, id, this);
  }

  private checkNameFree(name: string): void {
    const held = this.names.get(name);
    if (held !== undefined && this.cells.has(held.id)) throw new ActorError('name_taken', `name '${name}' is registered to ${held.key}`);
  }

  // -- shutdown --------------------------------------------------------------------

  /**
   * Adds work to do at shutdown (close a server, terminate a worker). Hooks run after
   * every actor stopped, most recent first.
   * @param name - for the log
   * @param run - the work; awaited
   * @returns a function that removes the hook
   */
  addShutdownHook(name: string, run: () => void | Promise<void>): () => void {
    const hook = { name, run };
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /**
   * Stops every actor (reason `shutdown`), rejects pending requests with
   * `system_shutdown`, runs shutdown hooks (workers, sockets), closes all node links,
   * and releases the default scheduler and clock. Idempotent: every call returns the
   * same promise.
   */
  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= this.doShutdown());
  }

  private async doShutdown(): Promise<void> {
    this.stateValue = 'stopping';
    this.log.info({ event: 'shutdown', actors: this.cells.size }, 'shutting down');
    for (const cell of [...this.cells.values()]) cell.terminate(ExitReasons.shutdown);
    this.requests.rejectAll(new ActorError('system_shutdown', 'the system shut down'));
    while (this.hooks.length > 0) {
      const hook = this.hooks.pop()!;
      try {
        await hook.run();
      } catch (e) {
        this.log.error({ event: 'shutdown-hook-failed', hook: hook.name, err: e }, 'shutdown hook failed');
      }
    }
    // Actors spawned by hooks, or requests sent meanwhile, are finished too.
    for (const cell of [...this.cells.values()]) cell.terminate(ExitReasons.shutdown);
    this.requests.rejectAll(new ActorError('system_shutdown', 'the system shut down'));
    this.router.closeAll(ExitReasons.shutdown);
    if (this.ownsScheduler) this.scheduler.close();
    if (this.ownsClock) this.clock.cancelAll();
    this.stateValue = 'stopped';
    if (this.holdHandle !== undefined) clearInterval(this.holdHandle);
    this.holdHandle = undefined;
    this.holds = 0;
  }
}

/** The runtime side of a system, for the actor cells it hosts (checked at compile time). */
function runtimeOf(system: ActorSystem): SystemRuntime {
  return system;
}

function noop(): void {}
/** Synchronous pino destination on stderr, shared by every system of the process. */
let stderrDestination: ReturnType<typeof pino.destination> | undefined;
function stderr(): ReturnType<typeof pino.destination> {
  stderrDestination ??= pino.destination({ dest: 2, sync: true });
  return stderrDestination;
}

/** Envelopes made by `deadLetter` in place of one that could not be delivered: never replaced again. */
const REPLACEMENTS = new WeakSet<Envelope>();

function replacement(env: Envelope): Envelope {
  REPLACEMENTS.add(env);
  return env;
}

/** An exit reason that any link can encode: an error's cause becomes its description. */
function sendableReason(reason: ExitReason): ExitReason {
  return reason !== null && typeof reason === 'object' && reason.kind === 'error' ? ExitReasons.error(ExitReasons.describe(reason)) : reason;
}
