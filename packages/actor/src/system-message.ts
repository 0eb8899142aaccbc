/**
 * The messages the runtime itself delivers to behaviors: `exit`, `down` and `timeout`.
 */
import type { ActorRef } from './actor-ref';
import type { ExitReason } from './exit-reason';

/** Delivered to an actor that traps exits when a linked actor stops. */
export interface ExitMessage {
  readonly type: 'exit';
  /** The linked actor that stopped. */
  readonly from: ActorRef;
  /** Why it stopped. */
  readonly reason: ExitReason;
}

/** Delivered to a monitoring actor when the monitored actor stops. */
export interface DownMessage {
  readonly type: 'down';
  /** The monitored actor. */
  readonly ref: ActorRef;
  /** Why it stopped. */
  readonly reason: ExitReason;
}

/** Delivered when an actor's idle timeout elapses without any message. */
export interface TimeoutMessage {
  readonly type: 'timeout';
}

/** Messages the runtime itself delivers to behaviors. */
export type SystemMessage = ExitMessage | DownMessage | TimeoutMessage;
