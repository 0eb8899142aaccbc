/**
 * The table of requests awaiting a response, per system.
 */
import { ActorError } from './actor-error';
import type { Cancellable, Clock } from './clock';

/** Who issued a request: an actor (its requests are dropped when it stops) or nobody. @internal */
export interface RequestOwner {
  /** Number of this owner's entries in the table (lets `dropOwner` skip the scan). */
  pendingRequests: number;
}

interface PendingRequest {
  resolve: (value: unknown) => void;
  reject: (error: ActorError) => void;
  timer: Cancellable | null;
  node: string;
  owner: RequestOwner | null;
}

/**
 * Requests in flight, keyed by request id (unique per system). Bounded by what the
 * application has in flight: every entry leaves on response, timeout, target node loss,
 * owner stop or shutdown.
 * @internal
 */
export class PendingRequests {
  private nextRid = 1;
  private readonly table = new Map<number, PendingRequest>();

  /**
   * @param clock - the clock of the timeouts
   * @param keepAlive - told when a request of nobody (an application's call) enters and
   *   leaves the table, so that the system keeps the process alive while one is pending
   */
  constructor(
    private readonly clock: Clock,
    private readonly keepAlive?: { retain(): void; release(): void },
  ) {}

  /** Entries in flight. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Registers a request and starts its timeout.
   * @returns its request id
   */
  add(owner: RequestOwner | null, node: string, timeoutMs: number, resolve: (v: unknown) => void, reject: (e: ActorError) => void): number {
    const rid = this.nextRid++;
    const entry: PendingRequest = { resolve, reject, timer: null, node, owner };
    if (timeoutMs !== Infinity) {
      entry.timer = this.clock.setTimer(timeoutMs, () => {
        if (this.table.get(rid) !== entry) return;
        this.remove(rid, entry);
        reject(new ActorError('request_timeout', `no response within ${timeoutMs} ms`));
      });
    }
    if (owner !== null) owner.pendingRequests++;
    else this.keepAlive?.retain();
    this.table.set(rid, entry);
    return rid;
  }

  /** The node request `rid` was sent to, while it is pending. */
  nodeOf(rid: number): string | undefined {
    return this.table.get(rid)?.node;
  }

  /**
   * Settles request `rid`.
   * @returns false when it is unknown (late, timed out or its owner stopped)
   */
  settle(rid: number, ok: boolean, value: unknown): boolean {
    const entry = this.table.get(rid);
    if (entry === undefined) return false;
    this.remove(rid, entry);
    if (ok) entry.resolve(value);
    else entry.reject(toActorError(value));
    return true;
  }

  /** Forgets (without settling) every request of `owner`. */
  dropOwner(owner: RequestOwner): void {
    if (owner.pendingRequests === 0) return;
    for (const [rid, entry] of this.table) if (entry.owner === owner) this.remove(rid, entry);
  }

  /** Rejects every request whose target node matches with an `unreachable` error. */
  failNodes(lost: (node: string) => boolean): void {
    for (const [rid, entry] of this.table) {
      if (!lost(entry.node)) continue;
      this.remove(rid, entry);
      entry.reject(new ActorError('unreachable', `node ${entry.node} is unreachable`));
    }
  }

  /** Rejects everything (shutdown). */
  rejectAll(error: ActorError): void {
    for (const [rid, entry] of this.table) {
      this.remove(rid, entry);
      entry.reject(error);
    }
  }

  private remove(rid: number, entry: PendingRequest): void {
    this.table.delete(rid);
    entry.timer?.cancel();
    if (entry.owner !== null) entry.owner.pendingRequests--;
    else this.keepAlive?.release();
  }
}

/**
 * Normalizes an error response payload to an ActorError.
 * @internal
 */
export function toActorError(value: unknown): ActorError {
  if (value instanceof ActorError) return value;
  if (value instanceof Error) return new ActorError('runtime_error', value.message, value);
  return new ActorError('runtime_error', String(value), value);
}
