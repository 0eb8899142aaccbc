/**
 * Message shapes: every message is a plain object discriminated by its `type` string.
 */
import type { ActorRef } from './actor-ref';
import type { ExitReason } from './exit-reason';

/** The minimum shape of a message. */
export interface Message {
  /** Discriminator; selects the handler of the receiving behavior. */
  readonly type: string;
}

/** An untyped message (the default when a ref or behavior has no message type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMessage = { readonly type: string; readonly [field: string]: any };

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
