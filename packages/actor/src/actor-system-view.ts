/**
 * What actor code sees of its system (`ctx.system`): identity, clock, loggers, spawning,
 * requests and the registry. The runtime's own machinery (routing, the actor table,
 * pending requests, shutdown) stays out of it; see `system-runtime.ts`.
 */
import type { Logger } from 'pino';
import type { Actor, ActorClass, BehaviorFactory, MessageOf } from './actor';
import type { ActorRef } from './actor-ref';
import type { Clock } from './clock';
import type { ExitReason } from './exit-reason';
import type { AnyMessage, Message } from './message';
import type { RequestOptions } from './request-options';
import type { SpawnOptions } from './spawn-options';

/** Lifecycle state of a system. */
export type SystemState = 'running' | 'stopping' | 'stopped';

/**
 * The view of an actor system that its actors get through `ctx.system`. `ActorSystem`
 * implements it; the members behave as documented there.
 */
export interface ActorSystemView {
  /** Display name. */
  readonly name: string;
  /** This node's unique id. */
  readonly nodeId: string;
  /** The clock of every timer and timeout. */
  readonly clock: Clock;
  /** Root logger of the system (bound to `system` and `node`). */
  readonly logger: Logger;
  /** `running`, `stopping` (shutdown in progress) or `stopped`. */
  readonly state: SystemState;
  /**
   * A child logger for a component (one per name, cached).
   * @param component - component name
   */
  loggerFor(component: string): Logger;
  /** Spawns an actor (see `ActorSystem.spawn`). */
  spawn<M extends Message = AnyMessage, Args extends unknown[] = []>(target: BehaviorFactory<M, Args>, options?: SpawnOptions<Args>): ActorRef<M>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spawn<A extends Actor<any>, Args extends unknown[] = []>(target: ActorClass<A, Args>, options?: SpawnOptions<Args>): ActorRef<MessageOf<A>>;
  /** Sends a request from outside any actor (see `ActorSystem.request`). */
  request<R = unknown, T extends Message = AnyMessage>(to: ActorRef<T>, msg: T, options?: RequestOptions): Promise<R>;
  /** Asks an actor to stop (see `ActorSystem.stop`). */
  stop(ref: ActorRef<Message>, reason?: ExitReason): void;
  /** Kills an actor (reason `kill`, untrappable). */
  kill(ref: ActorRef<Message>): void;
  /** True when `ref` is a live actor of this node. */
  isAlive(ref: ActorRef<Message>): boolean;
  /** Messages waiting in a local actor's mailbox (undefined when not local or not alive). */
  mailboxSize(ref: ActorRef<Message>): number | undefined;
  /** Registers a local actor under a name (see `ActorSystem.register`). */
  register(name: string, ref: ActorRef<Message>): void;
  /** Removes a name (no-op when absent). */
  unregister(name: string): void;
  /** The local actor registered under `name`, if any. */
  whereis<M extends Message = AnyMessage>(name: string): ActorRef<M> | undefined;
  /** Looks a name up on any reachable node (see `ActorSystem.lookup`). */
  lookup<M extends Message = AnyMessage>(node: string, name: string, options?: RequestOptions): Promise<ActorRef<M> | undefined>;
  /** A reference to actor `id` on `node` (see `ActorSystem.refFor`). */
  refFor<M extends Message = AnyMessage>(node: string, id: number): ActorRef<M>;
}
