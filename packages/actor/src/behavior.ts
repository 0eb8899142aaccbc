/**
 * Behaviors: an actor's message handlers, keyed by message `type`.
 */
import type { ActorContext } from './actor-context';
import type { AnyMessage, Message } from './message';
import type { DownMessage, ExitMessage, SystemMessage, TimeoutMessage } from './system-message';

/**
 * A message handler. Its return value (or the value of a returned Promise) answers the
 * message when it was sent as a request. Throwing stops the actor with reason `error`.
 * (Declared through a method so that handlers of narrower messages stay assignable.)
 */
export type Handler<T, M extends Message = AnyMessage> = {
  bivarianceHack(msg: T, ctx: ActorContext<M>): unknown;
}['bivarianceHack'];

/**
 * Handlers keyed by message type, plus the runtime's own messages:
 * `exit` (a linked actor stopped, only when trapping exits), `down` (a monitored actor
 * stopped) and `timeout` (the idle timeout elapsed).
 * @typeParam M - the union of messages the actor accepts
 */
export type Behavior<M extends Message = AnyMessage> = {
  [K in M['type']]?: Handler<MessageOfType<M, K>, M>;
} & {
  exit?: Handler<ExitMessage, M>;
  down?: Handler<DownMessage, M>;
  timeout?: Handler<TimeoutMessage, M>;
};

/**
 * What the handler for key `K` receives: the runtime's message for `exit`, `down` and
 * `timeout`; else the member of `M` whose `type` is `K` (all of `M` for untyped actors).
 */
export type MessageOfType<M extends Message, K extends string> = K extends SystemMessage['type']
  ? Extract<SystemMessage, { type: K }>
  : string extends M['type']
    ? M
    : Extract<M, { type: K }>;
