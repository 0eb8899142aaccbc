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
}
