/**
 * Options accepted by every spawn function.
 */
import type { ActorRef } from './actor-ref';
import type { Message } from './message';

/** Options for `spawn`. */
export interface SpawnOptions<Args extends unknown[] = unknown[]> {
  /** Arguments passed to the factory or constructor after the context. */
  args?: Args;
  /** Registers the actor under this name (unregistered when it stops). */
  name?: string;
  /** Start with `exit` trapping on: EXIT signals become `exit` messages. */
  trapExit?: boolean;
  /** Link the new actor to this one before it starts (what `spawnLinked` does). */
  linkTo?: ActorRef<Message>;
  /** Let this live local actor monitor the new one before it starts. */
  monitorBy?: ActorRef<Message>;
  /**
   * Bound of ordinary messages queued in the mailbox (default unbounded). Beyond it,
   * messages become dead letters and requests fail with `mailbox_full`.
   */
  mailboxCapacity?: number;
  /**
   * Whether actors of untrusted remote nodes (TCP peers) may reach this actor (default
   * false: they cannot, see docs/reliability.md). `true` admits every message type; an
   * array admits only the listed types. A reachable actor may also be monitored from
   * there; links from untrusted nodes are always refused (an EXIT could stop the actor).
   * Nodes in this process (worker threads) are always trusted.
   */
  remote?: RemoteAccess;
  /**
   * What a handler failure (a throw or a rejected promise) does: `stop` (default) stops the
   * actor with reason `error`, as in CAF and Erlang; `drop` reports the failure (a warning
   * per actor and message type, and `ActorSystem.handlerFailures`), drops the message,
   * answers a failing request with a `runtime_error`, and keeps the actor running.
   */
  onHandlerError?: HandlerErrorPolicy;
}

/** Who may reach an actor from an untrusted node: see {@link SpawnOptions.remote}. */
export type RemoteAccess = boolean | readonly string[];

/** See {@link SpawnOptions.onHandlerError}. */
export type HandlerErrorPolicy = 'stop' | 'drop';
