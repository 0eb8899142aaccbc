/**
 * The unit the runtime routes: a message with its addressing and kind.
 */
import type { ActorRef } from './actor-ref';

/** What an envelope carries. Numbers are part of the wire format: never renumber. */
export enum EnvelopeKind {
  /** A fire-and-forget message. */
  Message = 0,
  /** A request; `rid` identifies it at the requester's node. */
  Request = 1,
  /** A successful response to request `rid`. */
  Response = 2,
  /** A failed response to request `rid`; `msg` is an ActorError (or its data). */
  ErrorResponse = 3,
  /** A linked actor stopped; `msg` is the ExitReason. */
  Exit = 4,
  /** A monitored actor stopped; `msg` is the ExitReason. */
  Down = 5,
  /** Stop with reason kill (untrappable). */
  Kill = 6,
  /** Stop with the ExitReason in `msg` (untrappable). */
  Stop = 7,
  /** `from` links itself to `to`. */
  Link = 8,
  /** `from` removes its link to `to`. */
  Unlink = 9,
  /** `from` monitors `to`. */
  Monitor = 10,
  /** `from` stops monitoring `to`. */
  Demonitor = 11,
}

/**
 * A routed message. One object per send; the runtime allocates nothing else per
 * message on the local path.
 */
export class Envelope {
  /**
   * @param to - the receiver (for responses: the requester, or the node ref with id 0)
   * @param from - the sender, or null when sent from outside any actor
   * @param msg - the payload (user message, ExitReason, ActorError ...)
   * @param kind - see {@link EnvelopeKind}
   * @param rid - request id for requests and responses, else 0
   */
  constructor(
    public to: ActorRef,
    public from: ActorRef | null,
    public msg: unknown,
    public kind: EnvelopeKind,
    public rid: number,
  ) {}
}

/** True for the kinds that jump ahead of ordinary messages in a mailbox. */
export function isUrgent(kind: EnvelopeKind): boolean {
  return kind === EnvelopeKind.Exit || kind === EnvelopeKind.Down || kind === EnvelopeKind.Kill || kind === EnvelopeKind.Stop;
}

/** Lower-case name of an envelope kind, used in traces and logs. */
export function kindName(kind: EnvelopeKind): string {
  return KIND_NAMES[kind] ?? 'invalid';
}

const KIND_NAMES = ['message', 'request', 'response', 'error-response', 'exit', 'down', 'kill', 'stop', 'link', 'unlink', 'monitor', 'demonitor'];
