/**
 * The runtime side of an actor system: what an actor cell needs from the system that
 * hosts it, beyond the public {@link ActorSystemView}. `ActorSystem` implements it; only
 * the runtime's own files use it (actors see the view, applications the `ActorSystem`).
 */
import type { ActorErrorCode } from './actor-error';
import type { ActorRef, RefHost } from './actor-ref';
import type { ActorSystemView } from './actor-system-view';
import type { Envelope } from './envelope';
import type { ExitReason } from './exit-reason';
import type { PendingRequests, RequestOwner } from './pending-requests';
import type { RequestOptions } from './request-options';
import type { Scheduler } from './scheduler';

/** An actor as the system sees it while its handler runs. */
export interface RunningActor {
  /** The actor's reference. */
  readonly self: ActorRef;
}

/** A stopped actor leaving the system's actor table and registry. */
export interface RetiredActor extends RunningActor {
  /** Names it held in the registry, if any. */
  readonly names: readonly string[] | null;
}

/** What an actor cell uses of its system. */
export interface SystemRuntime extends ActorSystemView, RefHost {
  /** The scheduler running the actors. */
  readonly scheduler: Scheduler;
  /** Requests awaiting a response on this node. */
  readonly requests: PendingRequests;
  /** The actor whose handler is running, if any (set by the cell around each turn). */
  current: RunningActor | null;
  /** Handler failures reported and dropped (`onHandlerError: 'drop'`). */
  handlerFailures: number;
  /** Routes an envelope: local delivery or a node link. */
  route(env: Envelope): void;
  /** Answers an envelope nobody can take (requests get an error, links EXIT, monitors DOWN). */
  deadLetter(env: Envelope, code: ActorErrorCode, reason?: ExitReason): void;
  /** Removes a stopped actor from the actor table and the registry. */
  removeCell(cell: RetiredActor): void;
  /** Sends a request on behalf of `owner` (null: from outside any actor). */
  requestFrom(owner: (RequestOwner & RunningActor) | null, to: ActorRef, msg: unknown, options?: RequestOptions): Promise<unknown>;
}
