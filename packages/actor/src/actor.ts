/**
 * The base class of class-based actors: state fields plus a behavior.
 */
import type { ActorContext } from './actor-context';
import type { Behavior } from './behavior';
import type { ExitReason } from './exit-reason';
import type { AnyMessage, Message } from './message';

/**
 * An actor written as a class: fields hold its state, {@link Actor.behavior} returns its
 * initial handlers. Spawn it with `system.spawn(MyActor, { args })`; the constructor
 * receives the context first, then the args.
 * @typeParam M - the messages it accepts
 */
export abstract class Actor<M extends Message = AnyMessage> {
  /** @param ctx - the actor's context (self, send, request, become, timers ...) */
  constructor(protected readonly ctx: ActorContext<M>) {}

  /** The initial behavior; called once, right after construction. */
  abstract behavior(): Behavior<M>;

  /**
   * Called once when the actor stops, before links and monitors are told.
   * @param reason - why it stops
   */
  onStop?(reason: ExitReason): void;
}

/** The message type of an actor class. */
export type MessageOf<A> = A extends Actor<infer M> ? M : never;

/** A constructor of an {@link Actor} subclass taking `Args` after the context. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActorClass<A extends Actor<any>, Args extends unknown[] = unknown[]> = new (ctx: ActorContext<MessageOf<A>>, ...args: Args) => A;

/** A function that sets up an actor's state and returns its behavior. */
export type BehaviorFactory<M extends Message = AnyMessage, Args extends unknown[] = unknown[]> = (ctx: ActorContext<M>, ...args: Args) => Behavior<M>;

/** Anything `spawn` accepts: a behavior factory or an actor class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Spawnable<M extends Message = AnyMessage, Args extends unknown[] = any[]> = BehaviorFactory<M, Args> | ActorClass<Actor<M>, Args>;

/** True when `target` is an {@link Actor} subclass rather than a behavior factory. */
export function isActorClass(target: unknown): target is ActorClass<Actor<Message>, unknown[]> {
  return typeof target === 'function' && target.prototype instanceof Actor;
}
