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
  readonly rid: number;
  resolve: (value: unknown) => void;
  reject: (error: ActorError) => void;
  node: string;
  owner: RequestOwner | null;
  /** When it times out (clock milliseconds), or Infinity. */
  readonly deadline: number;
  /** Its timeout, the key of its deadline queue (Infinity: none). */
  readonly timeoutMs: number;
  /** Still in the table (false once settled, timed out or dropped). */
  live: boolean;
}

/**
 * The requests of one timeout value in the order they were made, hence by deadline. A
 * request leaves the table at once when it settles; its slot here is skipped when it
 * reaches the front, and the queue is compacted when settled slots outnumber live ones,
 * so that it holds at most about three times its live requests.
 */
class DeadlineQueue {
  private items: PendingRequest[] = [];
  private head = 0;
  /** Live requests in the queue. */
  live = 0;

  push(entry: PendingRequest): void {
    this.items.push(entry);
    this.live++;
  }

  /** The oldest live request, dropping settled ones from the front. */
  front(): PendingRequest | undefined {
    const items = this.items;
    while (this.head < items.length && !items[this.head].live) this.head++;
    if (this.head === items.length) {
      this.items = [];
      this.head = 0;
      return undefined;
    }
    return items[this.head];
  }

  /** Notes that one of its requests left the table. */
  left(): void {
    this.live--;
    const dead = this.items.length - this.head - this.live;
    if (dead > 1024 && dead > 2 * this.live) {
      this.items = this.items.slice(this.head).filter((e) => e.live);
      this.head = 0;
    }
  }
}

/**
 * Requests in flight, keyed by request id (unique per system). Bounded by what the
 * application has in flight: every entry leaves on response, timeout, target node loss,
 * owner stop or shutdown.
 *
 * Timeouts cost no timer per request: the requests of each timeout value wait in a queue
 * ordered by deadline, and one clock timer is armed for the earliest deadline of all.
 * @internal
 */
export class PendingRequests {
  private nextRid = 1;
  private readonly table = new Map<number, PendingRequest>();
  /** Requests with a timeout, by timeout value. */
  private readonly queues = new Map<number, DeadlineQueue>();
  /** The timer for the earliest deadline, and that deadline. */
  private timer: Cancellable | null = null;
  private timerAt = Infinity;
  private readonly onTimer = (): void => this.expire();

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
    const timed = timeoutMs !== Infinity;
    const deadline = timed ? this.clock.now() + Math.max(0, timeoutMs) : Infinity;
    const entry: PendingRequest = { rid, resolve, reject, node, owner, deadline, timeoutMs, live: true };
    if (timed) {
      let queue = this.queues.get(timeoutMs);
      if (queue === undefined) this.queues.set(timeoutMs, (queue = new DeadlineQueue()));
      queue.push(entry);
      if (deadline < this.timerAt) this.arm(deadline);
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
    this.remove(entry);
    if (ok) entry.resolve(value);
    else entry.reject(toActorError(value));
    return true;
  }

  /** Forgets (without settling) every request of `owner`. */
  dropOwner(owner: RequestOwner): void {
    if (owner.pendingRequests === 0) return;
    for (const entry of this.table.values()) if (entry.owner === owner) this.remove(entry);
  }

  /** Rejects every request whose target node matches with an `unreachable` error. */
  failNodes(lost: (node: string) => boolean): void {
    for (const entry of this.table.values()) {
      if (!lost(entry.node)) continue;
      this.remove(entry);
      entry.reject(new ActorError('unreachable', `node ${entry.node} is unreachable`));
    }
  }

  /** Rejects everything (shutdown). */
  rejectAll(error: ActorError): void {
    for (const entry of this.table.values()) {
      this.remove(entry);
      entry.reject(error);
    }
  }

  private remove(entry: PendingRequest): void {
    this.table.delete(entry.rid);
    entry.live = false;
    if (entry.timeoutMs !== Infinity) {
      const queue = this.queues.get(entry.timeoutMs)!;
      queue.left();
      if (queue.live === 0) {
        this.queues.delete(entry.timeoutMs);
        if (this.queues.size === 0) this.disarm();
      }
    }
    if (entry.owner !== null) entry.owner.pendingRequests--;
    else this.keepAlive?.release();
  }

  /** Rejects every request whose deadline passed, then arms the timer for the next one. */
  private expire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const expired: PendingRequest[] = [];
    for (const queue of this.queues.values()) {
      for (let e = queue.front(); e !== undefined && e.deadline <= now; e = queue.front()) {
        this.remove(e);
        expired.push(e);
      }
    }
    this.armEarliest();
    for (const e of expired) e.reject(new ActorError('request_timeout', `no response within ${e.timeoutMs} ms`));
  }

  private armEarliest(): void {
    let earliest = Infinity;
    for (const queue of this.queues.values()) {
      const e = queue.front();
      if (e !== undefined && e.deadline < earliest) earliest = e.deadline;
    }
    if (earliest !== Infinity) this.arm(earliest);
  }

  private arm(deadline: number): void {
    this.timer?.cancel();
    this.timerAt = deadline;
    this.timer = this.clock.setTimer(deadline - this.clock.now(), this.onTimer);
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = Infinity;
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
