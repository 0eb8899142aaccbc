/**
 * The runtime object behind one actor: mailbox, behavior stack, links, monitors, timers.
 * Implements the actor's context. Internal: users only see `ActorContext` and `ActorRef`.
 */
import type { Logger } from 'pino';
import { Actor, isActorClass, type Spawnable } from './actor';
import type { ActorContext } from './actor-context';
import { ActorError } from './actor-error';
import { ActorRef } from './actor-ref';
import type { Behavior, Handler } from './behavior';
import type { Cancellable } from './clock';
import { Envelope, EnvelopeKind } from './envelope';
import { ExitReasons, type ExitReason } from './exit-reason';
import { Mailbox, PushResult } from './mailbox';
import type { AnyMessage, Message } from './message';
import type { SystemMessage } from './system-message';
import type { SystemRuntime } from './system-runtime';
import { messageTypeOf } from './message-type';
import type { RequestOwner } from './pending-requests';
import type { ResponsePromise } from './response-promise';
import type { RequestOptions } from './request-options';
import type { Schedulable } from './scheduler';
import type { SpawnOptions } from './spawn-options';

/**
 * Message types of the runtime's own messages (see `dispatchSystem`): never accepted
 * from untrusted nodes, whatever the actor's `remote` list says.
 */
const RESERVED_TYPES: ReadonlySet<string> = new Set(['down', 'exit', 'timeout']);

type HandlerMap = Map<string, Handler<unknown, AnyMessage>>;

/** @internal */
export class ActorCell implements ActorContext<AnyMessage>, Schedulable, RequestOwner {
  readonly self: ActorRef;
  readonly mailbox: Mailbox;
  trapExit: boolean;
  /** Queued at the scheduler (set on enqueue, cleared when resume finds no more work). */
  scheduled = false;
  stopped = false;
  pendingRequests = 0;
  /** Names registered for this actor (removed from the registry when it stops). */
  names: string[] | null = null;
  private behaviors: HandlerMap[] = [];
  private instance: Actor<Message> | null = null;
  private currentEnv: Envelope | null = null;
  private answered = false;
  private stopRequest: ExitReason | null = null;
  private links: Map<string, ActorRef> | null = null;
  private watchers: Map<string, ActorRef> | null = null;
  /** Actors this one monitors, with how many `monitor` calls are not yet undone. */
  private monitoring: Map<string, { ref: ActorRef; count: number }> | null = null;
  /** Hooks added with `ctx.onStop`, run once when the actor stops. */
  private stopHooks: Set<(reason: ExitReason) => void> | null = null;
  private timers: Set<Cancellable> | null = null;
  /** Messages of `sendToSelfLater` waiting for the scheduler's deferred task (one pass's worth). */
  private later: AnyMessage[] | null = null;
  /** The scheduler's task that sends them. */
  private laterTask: (() => void) | null = null;
  private promises: Set<CellResponsePromise> | null = null;
  private idleMs = 0;
  private idleTimer: Cancellable | null = null;
  private lastActivity = 0;
  private logger: Logger | null = null;
  /** What untrusted nodes may send: null none, true every type, else these types. */
  private readonly remoteTypes: ReadonlySet<string> | true | null;
  /** Handler failures are reported and dropped instead of stopping the actor. */
  private readonly dropFailures: boolean;
  /** Message types whose failure was already logged at warn (later ones go to debug). */
  private failedTypes: Set<string> | null = null;

  constructor(
    readonly system: SystemRuntime,
    id: number,
    options: SpawnOptions<unknown[]>,
  ) {
    this.self = new ActorRef(system.nodeId, id, system);
    this.mailbox = new Mailbox(options.mailboxCapacity ?? Infinity);
    this.trapExit = options.trapExit ?? false;
    const remote = options.remote;
    this.remoteTypes = remote === true ? true : Array.isArray(remote) ? new Set(remote as readonly string[]) : null;
    this.dropFailures = options.onHandlerError === 'drop';
  }

  /** Whether an untrusted node may send this actor anything (links and monitors included). */
  get remotelyReachable(): boolean {
    return this.remoteTypes !== null;
  }

  /** Whether an untrusted node may send this actor a message of `type`. */
  acceptsRemoteType(type: string): boolean {
    const types = this.remoteTypes;
    return types !== null && !RESERVED_TYPES.has(type) && (types === true || types.has(type));
  }

  // -- context: properties ---------------------------------------------------

  get sender(): ActorRef | null {
    return this.currentEnv === null ? null : this.currentEnv.from;
  }

  get log(): Logger {
    return (this.logger ??= this.system.loggerFor('actor').child({ actor: this.self.key }));
  }

  get mailboxSize(): number {
    return this.mailbox.size;
  }

  // -- lifecycle ---------------------------------------------------------------

  /** Runs the factory or constructor; a throw stops the actor with an error reason. */
  start(target: Spawnable<Message, unknown[]>, args: unknown[]): void {
    const sys = this.system;
    const prev = sys.current;
    sys.current = this;
    try {
      let behavior: Behavior<AnyMessage>;
      if (isActorClass(target)) {
        this.instance = new target(this as ActorContext<Message>, ...args);
        behavior = this.instance.behavior() as Behavior<AnyMessage>;
      } else if (typeof target === 'function') {
        behavior = (target as (ctx: ActorContext<AnyMessage>, ...a: unknown[]) => Behavior<AnyMessage>)(this, ...args);
      } else {
        throw new ActorError('invalid_argument', 'spawn expects a behavior function or an Actor subclass');
      }
      this.behaviors.push(compileBehavior(behavior));
    } catch (e) {
      this.fail(e);
    } finally {
      sys.current = prev;
    }
    if (this.stopRequest !== null) this.terminate(this.stopRequest);
  }

  /** Accepts an envelope addressed to this actor (called by the system). */
  enqueue(env: Envelope): void {
    switch (env.kind) {
      case EnvelopeKind.Link:
        if (env.from !== null) (this.links ??= new Map()).set(env.from.key, env.from);
        return;
      case EnvelopeKind.Unlink:
        if (env.from !== null) this.links?.delete(env.from.key);
        return;
      case EnvelopeKind.Monitor:
        if (env.from !== null) (this.watchers ??= new Map()).set(env.from.key, env.from);
        return;
      case EnvelopeKind.Demonitor:
        if (env.from !== null) this.watchers?.delete(env.from.key);
        return;
    }
    const r = this.mailbox.push(env);
    if (r !== PushResult.Queued) {
      this.system.deadLetter(env, r === PushResult.Full ? 'mailbox_full' : 'request_receiver_down');
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.system.scheduler.schedule(this);
    }
  }

  resume(budget: number, timeUp?: () => boolean): boolean {
    if (this.stopped) {
      this.scheduled = false;
      return false;
    }
    const sys = this.system;
    const prev = sys.current;
    sys.current = this;
    try {
      for (let n = 0; n < budget; n++) {
        const env = this.mailbox.shift();
        if (env === undefined) break;
        try {
          this.invoke(env);
        } catch (e) {
          // Handler errors are caught in call(); this is a runtime fault (e.g. in an
          // onStop hook path). It must not escape into the scheduler and stall others.
          this.fail(e);
        }
        if (this.stopRequest !== null) this.terminate(this.stopRequest);
        if (this.stopped) break;
        // Slow handlers end the turn early once the scheduler's time slice is used up.
        if ((n & 7) === 7 && timeUp !== undefined && timeUp()) break;
      }
    } finally {
      sys.current = prev;
    }
    if (!this.stopped && this.mailbox.size > 0) return true;
    this.scheduled = false;
    return false;
  }

  private invoke(env: Envelope): void {
    if (this.idleMs > 0) {
      this.lastActivity = this.system.clock.now();
      if (this.idleTimer === null) this.armIdle(this.idleMs);
    }
    switch (env.kind) {
      case EnvelopeKind.Message:
      case EnvelopeKind.Request:
        this.dispatch(env, env.msg);
        return;
      case EnvelopeKind.Exit:
        this.onExitSignal(env);
        return;
      case EnvelopeKind.Down: {
        const from = env.from;
        if (from === null || this.monitoring === null || !this.monitoring.delete(from.key)) return;
        this.dispatchSystem(env, { type: 'down', ref: from, reason: env.msg as ExitReason });
        return;
      }
      case EnvelopeKind.Kill:
        this.terminate(ExitReasons.kill);
        return;
      case EnvelopeKind.Stop:
        this.terminate((env.msg as ExitReason | undefined) ?? ExitReasons.normal);
        return;
    }
  }

  private onExitSignal(env: Envelope): void {
    const from = env.from;
    if (from === null || this.links === null || !this.links.delete(from.key)) return;
    const reason = env.msg as ExitReason;
    if (this.trapExit) this.dispatchSystem(env, { type: 'exit', from, reason });
    else if (reason.kind !== 'normal') this.terminate(reason);
  }

  private dispatchSystem(env: Envelope, msg: SystemMessage): void {
    const handler = this.behaviors[this.behaviors.length - 1]?.get(msg.type);
    if (handler === undefined) return;
    this.call(env, msg, handler);
  }

  private dispatch(env: Envelope, msg: unknown): void {
    const type = messageTypeOf(msg);
    const handler = type === undefined ? undefined : this.behaviors[this.behaviors.length - 1]?.get(type);
    if (handler === undefined) {
      this.log.warn({ event: 'unexpected-message', type: type ?? typeof msg, from: env.from?.key }, 'no handler for message');
      if (env.kind === EnvelopeKind.Request) this.respondError(env, new ActorError('unexpected_message', `no handler for ${String(type)}`));
      return;
    }
    this.call(env, msg, handler);
  }

  private call(env: Envelope, msg: unknown, handler: Handler<unknown, AnyMessage>): void {
    this.currentEnv = env;
    this.answered = false;
    let result: unknown;
    try {
      result = handler(msg, this);
    } catch (e) {
      this.currentEnv = null;
      if (env.kind === EnvelopeKind.Request && !this.answered) this.respondError(env, new ActorError('runtime_error', errorMessage(e), e));
      this.handlerFailed(e, msg);
      return;
    }
    this.currentEnv = null;
    if (env.kind === EnvelopeKind.Request && !this.answered) {
      if (isThenable(result)) {
        result.then(
          (v) => this.respond(env, v),
          (e) => this.respondError(env, e),
        );
      } else {
        this.respond(env, result);
      }
    } else if (isThenable(result)) {
      result.then(undefined, (e) => this.handlerFailed(e, msg));
    }
  }

  /** A handler threw or its promise rejected: stop, or report and go on (`onHandlerError`). */
  private handlerFailed(cause: unknown, msg: unknown): void {
    if (!this.dropFailures) return this.fail(cause);
    if (this.stopped) return;
    const type = messageTypeOf(msg) ?? typeof msg;
    this.system.handlerFailures++;
    const first = !(this.failedTypes ??= new Set()).has(type);
    if (first && this.failedTypes.size < 256) this.failedTypes.add(type);
    const fields = { event: 'handler-failed', type, err: cause };
    if (first) this.log.warn(fields, `a handler failed on a '${type}' message; the message was dropped (further failures on this type are logged at debug)`);
    else this.log.debug(fields, 'a handler failed; the message was dropped');
  }

  /** Logs a failure and stops with `error(cause)` (after the current handler if running). */
  private fail(cause: unknown): void {
    if (this.stopped) return;
    this.log.error({ event: 'actor-failed', err: cause }, 'actor failed');
    this.stop(ExitReasons.error(cause));
  }

  /** @internal sends a successful response to `env`'s requester */
  respond(env: Envelope, value: unknown): void {
    if (env.from !== null) this.system.route(new Envelope(env.from, this.self, value, EnvelopeKind.Response, env.rid));
  }

  /** @internal sends an error response to `env`'s requester */
  respondError(env: Envelope, error: unknown): void {
    const err = error instanceof ActorError ? error : new ActorError('runtime_error', errorMessage(error), error);
    if (env.from !== null) this.system.route(new Envelope(env.from, this.self, err, EnvelopeKind.ErrorResponse, env.rid));
  }

  /**
   * Stops now: cancels timers, answers what is pending, tells links and monitors.
   * Idempotent.
   */
  terminate(reason: ExitReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopRequest = null;
    this.idleTimer?.cancel();
    this.idleTimer = null;
    if (this.timers !== null) for (const t of [...this.timers]) t.cancel();
    if (this.instance?.onStop !== undefined) {
      try {
        this.instance.onStop(reason);
      } catch (e) {
        this.log.error({ event: 'on-stop-failed', err: e }, 'onStop threw');
      }
    }
    if (this.stopHooks !== null) {
      const hooks = [...this.stopHooks];
      this.stopHooks = null;
      for (const hook of hooks) {
        try {
          hook(reason);
        } catch (e) {
          this.log.error({ event: 'on-stop-failed', err: e }, 'an onStop hook threw');
        }
      }
    }
    const sys = this.system;
    for (const env of this.mailbox.close()) sys.deadLetter(env, 'request_receiver_down');
    if (this.promises !== null) for (const p of [...this.promises]) p.reject(new ActorError('broken_promise', 'the actor stopped before answering'));
    sys.requests.dropOwner(this);
    sys.removeCell(this);
    const self = this.self;
    if (this.links !== null) for (const ref of this.links.values()) sys.route(new Envelope(ref, self, reason, EnvelopeKind.Exit, 0));
    if (this.watchers !== null) for (const ref of this.watchers.values()) sys.route(new Envelope(ref, self, reason, EnvelopeKind.Down, 0));
    if (this.monitoring !== null) for (const { ref } of this.monitoring.values()) sys.route(new Envelope(ref, self, null, EnvelopeKind.Demonitor, 0));
    this.links = this.watchers = this.monitoring = null;
    this.behaviors = [];
    this.instance = null;
    if (reason.kind === 'error') this.log.debug({ event: 'actor-stopped', reason: ExitReasons.describe(reason) }, 'actor stopped');
    else this.log.debug({ event: 'actor-stopped', reason: reason.kind }, 'actor stopped');
  }

  /**
   * Reacts to lost nodes: links to their actors become EXIT(unreachable), monitors
   * DOWN(unreachable); watchers there are forgotten.
   */
  nodesLost(lost: (node: string) => boolean): void {
    if (this.stopped) return;
    if (this.watchers !== null) for (const [k, ref] of this.watchers) if (lost(ref.node)) this.watchers.delete(k);
    if (this.links !== null) for (const ref of this.links.values()) if (lost(ref.node)) this.enqueue(new Envelope(this.self, ref, ExitReasons.unreachable(ref.node), EnvelopeKind.Exit, 0));
    if (this.monitoring !== null) for (const { ref } of this.monitoring.values()) if (lost(ref.node)) this.enqueue(new Envelope(this.self, ref, ExitReasons.unreachable(ref.node), EnvelopeKind.Down, 0));
  }

  // -- context: messaging ------------------------------------------------------

  send<T extends Message>(to: ActorRef<T>, msg: T): void {
    this.system.route(new Envelope(to as ActorRef, this.self, msg, EnvelopeKind.Message, 0));
  }

  request<R = unknown, T extends Message = AnyMessage>(to: ActorRef<T>, msg: T, options?: RequestOptions): Promise<R> {
    return this.system.requestFrom(this, to as ActorRef, msg, options) as Promise<R>;
  }

  promise<R = unknown>(): ResponsePromise<R> {
    const env = this.currentEnv;
    if (env === null || env.kind !== EnvelopeKind.Request || this.answered) return NO_PROMISE as ResponsePromise<R>;
    this.answered = true;
    const p = new CellResponsePromise(this, env);
    (this.promises ??= new Set()).add(p);
    return p as ResponsePromise<R>;
  }

  /** @internal */
  forgetPromise(p: CellResponsePromise): void {
    this.promises?.delete(p);
  }

  delegate<T extends Message>(to: ActorRef<T>, msg: T): void {
    const env = this.currentEnv;
    if (env !== null && env.kind === EnvelopeKind.Request && !this.answered) {
      this.answered = true;
      this.system.route(new Envelope(to as ActorRef, env.from, msg, EnvelopeKind.Request, env.rid));
    } else {
      this.system.route(new Envelope(to as ActorRef, env === null ? this.self : env.from, msg, EnvelopeKind.Message, 0));
    }
  }

  // -- context: behavior -------------------------------------------------------

  become(behavior: Behavior<AnyMessage>, options?: { keep?: boolean }): void {
    const compiled = compileBehavior(behavior);
    if (options?.keep === true || this.behaviors.length === 0) this.behaviors.push(compiled);
    else this.behaviors[this.behaviors.length - 1] = compiled;
  }

  unbecome(): void {
    if (this.behaviors.length > 1) this.behaviors.pop();
  }

  // -- context: time -----------------------------------------------------------

  setIdleTimeout(ms: number | null): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
    if (ms === null || ms === 0) {
      this.idleMs = 0;
      return;
    }
    if (!Number.isFinite(ms) || ms < 0) throw new ActorError('invalid_argument', `idle timeout must be a positive number of ms, got ${ms}`);
    this.idleMs = ms;
    this.lastActivity = this.system.clock.now();
    if (!this.stopped) this.armIdle(ms);
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.system.clock.setTimer(ms, this.onIdleTimer);
  }

  private readonly onIdleTimer = (): void => {
    this.idleTimer = null;
    if (this.stopped || this.idleMs === 0) return;
    const idle = this.system.clock.now() - this.lastActivity;
    if (idle >= this.idleMs) this.enqueue(new Envelope(this.self, null, TIMEOUT_MESSAGE, EnvelopeKind.Message, 0));
    else this.armIdle(this.idleMs - idle);
  };

  sendToSelfLater(msg: AnyMessage): void {
    if (this.stopped) return;
    const scheduler = this.system.scheduler;
    if (scheduler.defer === undefined) {
      this.system.route(new Envelope(this.self, this.self, msg, EnvelopeKind.Message, 0));
      return;
    }
    const later = (this.later ??= []);
    later.push(msg);
    // Made at the first use, not per actor: most actors never defer.
    if (later.length === 1) scheduler.defer((this.laterTask ??= () => this.sendLater()));
  }

  /** Sends the messages of {@link sendToSelfLater} (the scheduler's deferred task). */
  private sendLater(): void {
    const later = this.later;
    if (later === null || later.length === 0) return;
    this.later = [];
    if (this.stopped) return;
    for (const msg of later) this.system.route(new Envelope(this.self, this.self, msg, EnvelopeKind.Message, 0));
  }

  schedule(ms: number, msg: AnyMessage): Cancellable {
    // As setIdleTimeout: a delay that is no finite number would fire at once.
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new ActorError('invalid_argument', `schedule needs a finite number of ms, at least 0, got ${typeof ms === 'number' ? ms : typeof ms}`);
    if (this.stopped) return NO_TIMER;
    const timers = (this.timers ??= new Set());
    const entry: { timer: Cancellable | null; cancel(): void } = {
      timer: null,
      cancel: () => {
        timers.delete(entry);
        entry.timer?.cancel();
      },
    };
    entry.timer = this.system.clock.setTimer(ms, () => {
      timers.delete(entry);
      if (!this.stopped) this.system.route(new Envelope(this.self, this.self, msg, EnvelopeKind.Message, 0));
    });
    timers.add(entry);
    return entry;
  }

  // -- context: children, links, monitors ------------------------------------

  spawn(target: Spawnable<Message, unknown[]>, options?: SpawnOptions<unknown[]>): ActorRef<never> {
    return this.system.spawn(target as never, options as never);
  }

  spawnLinked(target: Spawnable<Message, unknown[]>, options?: SpawnOptions<unknown[]>): ActorRef<never> {
    return this.system.spawn(target as never, { ...options, linkTo: this.self } as never);
  }

  monitor(ref: ActorRef<Message>): void {
    const r = ref as ActorRef;
    if (r.equals(this.self) || this.stopped) return;
    const monitoring = (this.monitoring ??= new Map());
    const held = monitoring.get(r.key);
    if (held !== undefined) {
      held.count++;
      return;
    }
    monitoring.set(r.key, { ref: r, count: 1 });
    this.system.route(new Envelope(r, this.self, null, EnvelopeKind.Monitor, 0));
  }

  demonitor(ref: ActorRef<Message>): void {
    const r = ref as ActorRef;
    const held = this.monitoring?.get(r.key);
    if (held === undefined || --held.count > 0) return;
    this.monitoring!.delete(r.key);
    this.system.route(new Envelope(r, this.self, null, EnvelopeKind.Demonitor, 0));
  }

  onStop(hook: (reason: ExitReason) => void): () => void {
    if (this.stopped) return () => {};
    (this.stopHooks ??= new Set()).add(hook);
    return () => void this.stopHooks?.delete(hook);
  }

  link(ref: ActorRef<Message>): void {
    const r = ref as ActorRef;
    if (r.equals(this.self) || this.stopped) return;
    (this.links ??= new Map()).set(r.key, r);
    this.system.route(new Envelope(r, this.self, null, EnvelopeKind.Link, 0));
  }

  unlink(ref: ActorRef<Message>): void {
    const r = ref as ActorRef;
    if (this.links === null || !this.links.delete(r.key)) return;
    this.system.route(new Envelope(r, this.self, null, EnvelopeKind.Unlink, 0));
  }

  stop(reason: ExitReason = ExitReasons.normal): void {
    if (this.stopped) return;
    if (this.system.current === this) this.stopRequest ??= reason;
    else this.terminate(reason);
  }
}

class CellResponsePromise implements ResponsePromise<unknown> {
  pending = true;
  constructor(
    private readonly cell: ActorCell,
    private readonly env: Envelope,
  ) {}
  deliver(value: unknown): void {
    this.finish(true, value);
  }
  reject(error: unknown): void {
    this.finish(false, error);
  }
  private finish(ok: boolean, value: unknown): void {
    if (!this.pending) return;
    this.pending = false;
    this.cell.forgetPromise(this);
    if (ok) this.cell.respond(this.env, value);
    else this.cell.respondError(this.env, value);
  }
}

const NO_PROMISE: ResponsePromise<unknown> = { pending: false, deliver() {}, reject() {} };
const NO_TIMER: Cancellable = { cancel() {} };
const TIMEOUT_MESSAGE = Object.freeze({ type: 'timeout' });

function compileBehavior(behavior: Behavior<AnyMessage>): HandlerMap {
  if (typeof behavior !== 'object' || behavior === null) throw new ActorError('invalid_argument', 'a behavior must be an object of handlers');
  if (behavior instanceof Promise) {
    throw new ActorError('invalid_argument', 'a behavior must be an object of handlers, not a promise (is the behavior function async? set up state in the handlers instead)');
  }
  const map: HandlerMap = new Map();
  for (const key of Object.keys(behavior)) {
    const h = (behavior as Record<string, unknown>)[key];
    if (h === undefined) continue;
    if (typeof h !== 'function') throw new ActorError('invalid_argument', `handler for '${key}' is not a function`);
    map.set(key, h as Handler<unknown, AnyMessage>);
  }
  return map;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
