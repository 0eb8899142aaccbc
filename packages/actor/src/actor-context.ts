/**
 * What an actor sees of the runtime while it runs.
 */
import type { Logger } from 'pino';
import type { ActorClass, Actor, BehaviorFactory, MessageOf } from './actor';
import type { ActorRef } from './actor-ref';
import type { ActorSystemView } from './actor-system-view';
import type { Behavior } from './behavior';
import type { Cancellable } from './clock';
import type { ExitReason } from './exit-reason';
import type { AnyMessage, Message } from './message';
import type { RequestOptions } from './request-options';
import type { ResponsePromise } from './response-promise';
import type { SpawnOptions } from './spawn-options';

/**
 * The context of one actor: its identity, messaging, behavior changes, timers, children,
 * links and monitors. Only use it from the actor's own handlers (and callbacks they set up).
 * @typeParam M - the messages the actor accepts
 */
export interface ActorContext<M extends Message = AnyMessage> {
  /** This actor's reference. */
  readonly self: ActorRef<M>;
  /**
   * The system hosting this actor, as actors see it: identity, clock, loggers, spawning,
   * requests and the registry (the runtime's machinery stays out of it).
   */
  readonly system: ActorSystemView;
  /** The sender of the message being handled, or null (sent from outside an actor). */
  readonly sender: ActorRef | null;
  /** This actor's logger (child of the `actor` component logger). */
  readonly log: Logger;
  /** Messages waiting in this actor's mailbox. */
  readonly mailboxSize: number;
  /** Whether EXIT signals from linked actors arrive as `exit` messages. */
  trapExit: boolean;

  /**
   * Sends a message with this actor as sender. Never throws.
   * @param to - the receiver
   * @param msg - the message
   */
  send<T extends Message>(to: ActorRef<T>, msg: T): void;

  /**
   * Sends a request and returns the response. Rejects with an ActorError:
   * `request_timeout`, `request_receiver_down`, `unexpected_message`, `unreachable`,
   * `broken_promise`, or whatever the receiver failed with. Dropped (never settled) if
   * this actor stops first.
   * @param to - the receiver
   * @param msg - the request
   * @param options - timeout
   */
  request<R = unknown, T extends Message = AnyMessage>(to: ActorRef<T>, msg: T, options?: RequestOptions): Promise<R>;

  /**
   * Takes over the answer to the request being handled, to deliver it later. The
   * handler's return value is then ignored. Outside a request, returns a promise whose
   * `pending` is false and whose deliver does nothing.
   */
  promise<R = unknown>(): ResponsePromise<R>;

  /**
   * Forwards the request being handled to `to`, whose answer goes straight to the
   * original requester. Outside a request this is a plain send that keeps the sender.
   */
  delegate<T extends Message>(to: ActorRef<T>, msg: T): void;

  /**
   * Replaces the behavior (or pushes onto a stack with `keep: true`, see unbecome).
   * @param behavior - the new handlers
   */
  become(behavior: Behavior<M>, options?: { keep?: boolean }): void;

  /** Returns to the behavior below the current one (no-op on the initial behavior). */
  unbecome(): void;

  /**
   * Sets the idle timeout: after `ms` without any message, a `timeout` message arrives
   * (once per idle period). `null` clears it.
   */
  setIdleTimeout(ms: number | null): void;

  /**
   * Sends `msg` to this actor (as its own message) once the actors ready now have had
   * their turns and the event loop has had its pass at I/O and timers, or at once under
   * a scheduler that cannot defer (see `Scheduler.defer`). For work that gains from
   * waiting for the rest of a burst, such as a stream's next batch. Dropped if this actor
   * stops first.
   */
  sendToSelfLater(msg: M): void;

  /**
   * Sends `msg` to this actor after `ms` on the system clock.
   * @returns a handle to cancel it (cancelled automatically when the actor stops)
   * @throws ActorError `invalid_argument` when `ms` is not a finite number of at least 0
   */
  schedule(ms: number, msg: M): Cancellable;

  /** Spawns an actor (see `ActorSystem.spawn`). */
  spawn<T extends Message = AnyMessage, Args extends unknown[] = []>(target: BehaviorFactory<T, Args>, options?: SpawnOptions<Args>): ActorRef<T>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spawn<A extends Actor<any>, Args extends unknown[] = []>(target: ActorClass<A, Args>, options?: SpawnOptions<Args>): ActorRef<MessageOf<A>>;

  /** Spawns an actor linked to this one. */
  spawnLinked<T extends Message = AnyMessage, Args extends unknown[] = []>(target: BehaviorFactory<T, Args>, options?: SpawnOptions<Args>): ActorRef<T>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spawnLinked<A extends Actor<any>, Args extends unknown[] = []>(target: ActorClass<A, Args>, options?: SpawnOptions<Args>): ActorRef<MessageOf<A>>;

  /**
   * Monitors `ref`: a `down` message arrives when it stops (at once if already gone).
   * Monitors are reference-counted per target: monitoring the same actor again adds a
   * count (still one `down` message), and each `demonitor` removes one count.
   */
  monitor(ref: ActorRef<Message>): void;
  /** Undoes one `monitor(ref)`; monitoring ends when every `monitor` call is undone. */
  demonitor(ref: ActorRef<Message>): void;
  /**
   * Adds a hook run once when this actor stops (after a class actor's `onStop`, in the
   * order added; before links and monitors are told). A hook that throws is logged
   * (`on-stop-failed`). For behavior-function actors this is their `onStop`.
   * @param hook - called with the exit reason
   * @returns a function that removes the hook
   */
  onStop(hook: (reason: ExitReason) => void): () => void;
  /** Links both ways: when either stops abnormally, the other gets its EXIT signal. */
  link(ref: ActorRef<Message>): void;
  /** Removes the link both ways. */
  unlink(ref: ActorRef<Message>): void;

  /**
   * Stops this actor after the current handler (reason `normal` by default).
   * @param reason - reported to links and monitors
   */
  stop(reason?: ExitReason): void;
}

export type { RequestOptions } from './request-options';
