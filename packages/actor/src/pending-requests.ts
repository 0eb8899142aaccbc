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
  /** Its timeout (Infinity: none). */
  readonly timeoutMs: number;
  /** Still in the table (false once settled, timed out or dropped). */
  live: boolean;
}

/**
 * The requests with a timeout, a binary min-heap by deadline (then request id). A request
 * leaves the table at once when it settles; its heap slot is dropped when it reaches the
 * top, and the heap is rebuilt from its live requests when settled slots outnumber them,
 * so that it holds at most about three times its live requests.
 */
class DeadlineHeap {
  private items: PendingRequest[] = [];
  /** Live requests in the heap. */
  live = 0;

  push(entry: PendingRequest): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(entry, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = entry;
    this.live++;
  }

  /** The live request due first, dropping settled ones from the top. */
  top(): PendingRequest | undefined {
    while (this.items.length > 0 && !this.items[0].live) this.pop();
    return this.items[0];
  }

  /** Removes the top. */
  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const r = l + 1;
      const child = r < items.length && earlier(items[r], items[l]) ? r : l;
      if (!earlier(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
  }

  /** Notes that one of its requests left the table. */
  left(): void {
    this.live--;
    const dead = this.items.length - this.live;
    if (this.live === 0) this.items = [];
    else if (dead > 1024 && dead > 2 * this.live) {
      const keep = this.items.filter((e) => e.live);
      this.items = [];
      this.live = 0;
      for (const e of keep) this.push(e);
    }
  }
}

function earlier(a: PendingRequest, b: PendingRequest): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.rid < b.rid);
}

/**
 * Requests in flight, keyed by request id (unique per system). Bounded by what the
 * application has in flight: every entry leaves on response, timeout, target node loss,
 * owner stop or shutdown.
 *
 * Timeouts cost no timer per request: the requests with one wait in a heap ordered by
 * deadline, and one clock timer is armed for the earliest deadline.
 * @internal
 */
export class PendingRequests {
  private nextRid = 1;
  private readonly table = new Map<number, PendingRequest>();
  /** Requests with a timeout, by deadline. */
  private readonly deadlines = new DeadlineHeap();
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
      this.deadlines.push(entry);
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
      this.deadlines.left();
      if (this.deadlines.live === 0) this.disarm();
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
    for (let e = this.deadlines.top(); e !== undefined && e.deadline <= now; e = this.deadlines.top()) {
      this.remove(e);
      expired.push(e);
    }
    const next = this.deadlines.top();
    if (next !== undefined) this.arm(next.deadline);
    for (const e of expired) e.reject(new ActorError('request_timeout', `no response within ${e.timeoutMs} ms`));
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
