/**
 * Supervisors: actors that start children, watch them through links and restart them
 * according to a strategy, within a restart-intensity limit.
 */
import { Actor } from './actor';
import type { ActorContext } from './actor-context';
import { ActorError } from './actor-error';
import { ActorRef } from './actor-ref';
import type { Behavior } from './behavior';
import { ExitReasons, type ExitReason } from './exit-reason';
import type { Message } from './message';
import type { ExitMessage } from './system-message';

/** Which children restart when one stops. */
export type RestartStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/** When a stopped child is restarted: always, only after an abnormal stop, or never. */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/** How to start and restart one child. */
export interface ChildSpec {
  /** Unique id among the supervisor's children. */
  id: string;
  /**
   * Starts the child and returns its ref (a Promise for children started asynchronously,
   * e.g. in a worker thread). The supervisor links to it.
   */
  start: (ctx: ActorContext) => ActorRef<Message> | Promise<ActorRef<Message>>;
  /** Default `permanent`. */
  restart?: RestartPolicy;
}

/** Options for {@link Supervisor}. */
export interface SupervisorOptions {
  /** Default `one-for-one`. */
  strategy?: RestartStrategy;
  /** Restarts allowed within `withinMs` (default 3); one more stops the supervisor. */
  maxRestarts?: number;
  /** The restart-intensity window in ms on the system clock (default 5000). */
  withinMs?: number;
  /** Children, started in order. */
  children: ChildSpec[];
}

/** A child as reported by `which-children`. */
export interface ChildInfo {
  /** Its spec id. */
  id: string;
  /** Its current ref, or null while it is not running. */
  ref: ActorRef<Message> | null;
}

/** Messages a supervisor accepts. */
export type SupervisorMessage =
  /** Request: answers `ChildInfo[]` in start order. */
  | { type: 'which-children' }
  /** Request: starts one more child; answers its ref. */
  | { type: 'start-child'; spec: ChildSpec }
  /** Request: stops a child (reason shutdown) and forgets its spec; answers true if it existed. */
  | { type: 'terminate-child'; id: string };

interface Child {
  spec: ChildSpec;
  ref: ActorRef<Message> | null;
}

/**
 * A supervisor actor. Spawn it with `system.spawn(Supervisor, { args: [options] })`
 * (link it to its own supervisor with `linkTo`, or start it from a parent's child spec).
 * It traps exits; when a child stops it applies the strategy. More than `maxRestarts`
 * restarts within `withinMs` stop the supervisor with an `error` reason whose cause is an
 * ActorError `restart_intensity`: its own supervisor sees that as a failing child.
 * When the supervisor stops, it stops its children first (reason `shutdown`).
 */
export class Supervisor extends Actor<SupervisorMessage> {
  /** Restart strategy. */
  private readonly strategy: RestartStrategy;
  /** Allowed restarts per window. */
  private readonly maxRestarts: number;
  /** Window length in ms. */
  private readonly withinMs: number;
  /** Children in start order. */
  private readonly children: Child[] = [];
  /** Times of recent restarts, oldest first (at most maxRestarts + 1 entries). */
  private readonly restarts: number[] = [];
  /** Children waiting to be (re)started, in order, with who wants to know (at most one entry per child and pending start-child request). */
  private readonly toStart: { child: Child; done?: (ref: ActorRef<Message> | null) => void }[] = [];
  /** True while an asynchronous start is in flight (starts are serialized). */
  private busy = false;
  /** True once the supervisor decided to stop. */
  private stopping = false;

  /**
   * @param ctx - the supervisor's context
   * @param options - strategy, intensity and child specs
   * @throws ActorError `invalid_argument` for a bad option (the spawn then stops it)
   */
  constructor(ctx: ActorContext<SupervisorMessage>, options: SupervisorOptions) {
    super(ctx);
    this.strategy = options.strategy ?? 'one-for-one';
    if (!['one-for-one', 'one-for-all', 'rest-for-one'].includes(this.strategy)) throw new ActorError('invalid_argument', `unknown strategy ${String(this.strategy)}`);
    this.maxRestarts = options.maxRestarts ?? 3;
    this.withinMs = options.withinMs ?? 5000;
    if (!Number.isInteger(this.maxRestarts) || this.maxRestarts < 0) throw new ActorError('invalid_argument', 'maxRestarts must be a non-negative integer');
    if (!(this.withinMs > 0)) throw new ActorError('invalid_argument', 'withinMs must be positive');
    if (!Array.isArray(options.children)) throw new ActorError('invalid_argument', 'children must be an array of child specs');
    for (const spec of options.children) this.addSpec(spec);
    ctx.trapExit = true;
  }

  behavior(): Behavior<SupervisorMessage> {
    for (const child of this.children) this.toStart.push({ child });
    this.startPending();
    return {
      'which-children': () => this.children.map((c) => ({ id: c.spec.id, ref: c.ref })),
      'start-child': (m) => {
        let child: Child;
        try {
          child = this.addSpec(m.spec);
        } catch (e) {
          // A bad spec is the requester's error: answered, and the supervisor and its
          // children go on.
          return Promise.reject(e);
        }
        const rp = this.ctx.promise<ActorRef<Message> | null>();
        this.toStart.push({ child, done: (ref) => rp.deliver(ref) });
        this.startPending();
      },
      'terminate-child': (m) => {
        const i = this.children.findIndex((c) => c.spec.id === m.id);
        if (i < 0) return false;
        const [child] = this.children.splice(i, 1);
        this.stopChild(child);
        return true;
      },
      exit: (m) => this.onExit(m),
    };
  }

  override onStop(): void {
    this.stopping = true;
    for (let i = this.children.length - 1; i >= 0; i--) this.stopChild(this.children[i]);
  }

  private addSpec(spec: ChildSpec): Child {
    if (typeof spec !== 'object' || spec === null || typeof spec.id !== 'string' || typeof spec.start !== 'function') throw new ActorError('invalid_argument', 'a child spec needs an id and a start function');
    if (spec.restart !== undefined && !['permanent', 'transient', 'temporary'].includes(spec.restart)) throw new ActorError('invalid_argument', `unknown restart policy ${String(spec.restart)}`);
    if (this.children.some((c) => c.spec.id === spec.id)) throw new ActorError('invalid_argument', `duplicate child id ${spec.id}`);
    const child: Child = { spec, ref: null };
    this.children.push(child);
    return child;
  }

  private onExit(m: ExitMessage): void {
    const i = this.children.findIndex((c) => c.ref !== null && c.ref.equals(m.from));
    if (i < 0) {
      // Not a child: our own parent (or another linked actor) stopped.
      if (m.reason.kind !== 'normal') this.ctx.stop(m.reason);
      return;
    }
    const child = this.children[i];
    child.ref = null;
    this.ctx.log.info({ event: 'child-exited', child: child.spec.id, reason: ExitReasons.describe(m.reason) }, 'child exited');
    this.handleChildDown(child, m.reason);
  }

  private handleChildDown(child: Child, reason: ExitReason): void {
    const policy = child.spec.restart ?? 'permanent';
    if (policy === 'temporary' || (policy === 'transient' && !ExitReasons.isAbnormal(reason))) {
      if (policy === 'temporary') this.children.splice(this.children.indexOf(child), 1);
      return;
    }
    if (!this.recordRestart()) return;
    const i = this.children.indexOf(child);
    let affected: Child[];
    if (this.strategy === 'one-for-one') affected = [child];
    else if (this.strategy === 'one-for-all') affected = [...this.children];
    else affected = this.children.slice(i);
    for (let j = affected.length - 1; j >= 0; j--) if (affected[j] !== child) this.stopChild(affected[j]);
    const toStart = affected.filter((c) => c === child || (c.spec.restart ?? 'permanent') !== 'temporary');
    for (const c of affected) if (!toStart.includes(c)) this.children.splice(this.children.indexOf(c), 1);
    for (const c of toStart) this.toStart.push({ child: c });
    this.startPending();
  }

  /** Records a restart; false (and the supervisor stops) when the intensity is exceeded. */
  private recordRestart(): boolean {
    const now = this.ctx.system.clock.now();
    this.restarts.push(now);
    while (this.restarts.length > 0 && this.restarts[0] <= now - this.withinMs) this.restarts.shift();
    if (this.restarts.length <= this.maxRestarts) return true;
    const err = new ActorError('restart_intensity', `more than ${this.maxRestarts} restarts within ${this.withinMs} ms`);
    this.ctx.log.error({ event: 'restart-intensity-exceeded', maxRestarts: this.maxRestarts, withinMs: this.withinMs }, 'supervisor gives up');
    this.stopping = true;
    this.ctx.stop(ExitReasons.error(err));
    return false;
  }

  /** Starts queued children in order; an asynchronous start holds the rest until it is done. */
  private startPending(): void {
    while (!this.busy && !this.stopping && this.toStart.length > 0) {
      const { child, done } = this.toStart.shift()!;
      if (!this.children.includes(child) || child.ref !== null) {
        done?.(child.ref);
        continue;
      }
      let result: ActorRef<Message> | Promise<ActorRef<Message>>;
      try {
        result = child.spec.start(this.ctx as unknown as ActorContext);
      } catch (e) {
        this.startFailed(child, e);
        done?.(null);
        continue;
      }
      if (result instanceof Promise) {
        this.busy = true;
        result.then(
          (ref) => {
            this.busy = false;
            this.started(child, ref);
            done?.(child.ref);
            this.startPending();
          },
          (e) => {
            this.busy = false;
            this.startFailed(child, e);
            done?.(null);
            this.startPending();
          },
        );
        return;
      }
      this.started(child, result);
      done?.(child.ref);
    }
  }

  private started(child: Child, ref: ActorRef<Message>): void {
    if (!(ref instanceof ActorRef)) {
      this.startFailed(child, new ActorError('invalid_argument', `child ${child.spec.id}: start must return the ActorRef it spawned (or a promise of one), got ${ref === null ? 'null' : typeof ref}`));
      return;
    }
    if (this.stopping || !this.children.includes(child)) {
      this.ctx.system.stop(ref, ExitReasons.shutdown);
      return;
    }
    child.ref = ref;
    this.ctx.link(ref);
    this.ctx.log.debug({ event: 'child-started', child: child.spec.id, ref: (ref as ActorRef).key }, 'child started');
  }

  private startFailed(child: Child, cause: unknown): void {
    this.ctx.log.error({ event: 'child-start-failed', child: child.spec.id, err: cause }, 'child failed to start');
    if (!this.stopping) this.handleChildDown(child, ExitReasons.error(cause));
  }

  private stopChild(child: Child): void {
    const ref = child.ref;
    if (ref === null) return;
    child.ref = null;
    this.ctx.unlink(ref);
    this.ctx.system.stop(ref, ExitReasons.shutdown);
  }
}
