/**
 * A test fixture: an actor system on a deterministic scheduler and a virtual clock, with
 * a hop-by-hop trace of every delivered envelope.
 */
import pino from 'pino';
import { ActorRef } from './actor-ref';
import { ActorSystem, type ActorSystemOptions } from './actor-system';
import { DeterministicScheduler } from './deterministic-scheduler';
import { kindName, type Envelope } from './envelope';
import { messageTypeOf } from './message-type';
import type { Message } from './message';
import { VirtualClock } from './virtual-clock';

/** One delivered envelope, as recorded by the fixture. */
export interface Hop {
  /** Position in the trace, from 0. */
  readonly seq: number;
  /** Sender, or null when sent from outside any actor. */
  readonly from: ActorRef | null;
  /** Receiver (for responses: the requester). */
  readonly to: ActorRef;
  /** `message`, `request`, `response`, `error-response`, `exit`, `down`, `kill`, `stop`, `link`, `unlink`, `monitor` or `demonitor`. */
  readonly kind: string;
  /** The payload's `type` when it has one. */
  readonly type: string | undefined;
  /** The payload. */
  readonly message: unknown;
}

/** What {@link DeterministicFixture.expectNext} matches; omitted fields match anything. */
export interface HopPattern {
  /** Sender (null: sent from outside any actor). */
  from?: ActorRef<Message> | null;
  /** Receiver. */
  to?: ActorRef<Message>;
  /** Envelope kind (see {@link Hop.kind}). */
  kind?: string;
  /** Payload `type`. */
  type?: string;
  /** Fields the payload must have (compared with `Object.is`, refs with `equals`), or a predicate. */
  message?: Record<string, unknown> | ((message: unknown) => boolean);
}

/** Options for {@link createTestSystem}. */
export interface TestSystemOptions extends Omit<ActorSystemOptions, 'scheduler' | 'clock'> {
  /** Start time of the virtual clock in ms (default 0). */
  startTime?: number;
  /** Record hops (default true). */
  trace?: boolean;
}

/**
 * Deterministic testing of actors: nothing runs until the test says so, time moves only
 * when advanced, and every delivered envelope is recorded in {@link DeterministicFixture.trace}.
 * The trace grows with the test (clear it with {@link DeterministicFixture.clearTrace}).
 */
export class DeterministicFixture {
  /** The virtual clock. */
  readonly clock: VirtualClock;
  /** The step-by-step scheduler. */
  readonly scheduler: DeterministicScheduler;
  /** The system under test. */
  readonly system: ActorSystem;
  /** Every envelope delivered on this node, in order. */
  readonly trace: Hop[] = [];
  private cursor = 0;

  /** @param options - see {@link TestSystemOptions} */
  constructor(options: TestSystemOptions = {}) {
    this.clock = new VirtualClock(options.startTime ?? 0);
    this.scheduler = new DeterministicScheduler();
    const { startTime: _s, trace, ...rest } = options;
    this.system = new ActorSystem({ name: 'test', logger: pino({ level: 'silent' }), ...rest, scheduler: this.scheduler, clock: this.clock });
    if (trace !== false) this.system.tracer = (env) => this.record(env);
  }

  /**
   * Processes one message of the next ready actor.
   * @returns false when no actor had mail
   */
  dispatchOne(): boolean {
    return this.scheduler.runOne();
  }

  /**
   * Processes messages until no actor has mail.
   * @param maxSteps - livelock guard (default 1e6)
   * @returns the number of messages processed
   */
  runUntilIdle(maxSteps?: number): number {
    return this.scheduler.runUntilIdle(maxSteps);
  }

  /**
   * Advances virtual time by `ms`; each due timer fires in order and the actors run until
   * idle after each, so timers set on the way fire too if they fall within the window.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance by ${ms} ms`);
    const target = this.clock.now() + ms;
    this.runUntilIdle();
    while (this.clock.fireNext(target)) this.runUntilIdle();
    this.clock.setTime(target);
  }

  /**
   * Runs until idle, letting promise continuations (async handlers, awaited requests) run
   * in between, until nothing moves any more. Uses event-loop ticks, never timers.
   */
  async settle(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      this.runUntilIdle();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.scheduler.readyCount === 0) return;
    }
    throw new Error(`settle: still busy after ${maxRounds} rounds`);
  }

  /**
   * Consumes the next hop of the trace not consumed yet and checks it against `pattern`.
   * @returns the hop
   * @throws Error describing the mismatch, or that no hop is left
   */
  expectNext(pattern: HopPattern): Hop {
    const hop = this.trace[this.cursor];
    if (hop === undefined) throw new Error(`expected a hop ${describePattern(pattern)}, but the trace has no more hops`);
    const problem = mismatch(hop, pattern);
    if (problem !== null) throw new Error(`hop #${hop.seq} ${describeHop(hop)} does not match ${describePattern(pattern)}: ${problem}`);
    this.cursor++;
    return hop;
  }

  /** Throws unless every hop of the trace has been consumed by {@link DeterministicFixture.expectNext}. */
  expectNoMoreHops(): void {
    const hop = this.trace[this.cursor];
    if (hop !== undefined) throw new Error(`expected no more hops, next is #${hop.seq} ${describeHop(hop)}`);
  }

  /** Marks every recorded hop as consumed. */
  skipHops(): void {
    this.cursor = this.trace.length;
  }

  /** Hops matching `pattern` (all when omitted), consumed or not. */
  hops(pattern: HopPattern = {}): Hop[] {
    return this.trace.filter((h) => mismatch(h, pattern) === null);
  }

  /** Empties the trace. */
  clearTrace(): void {
    this.trace.length = 0;
    this.cursor = 0;
  }

  /** Messages waiting for `ref` (0 for an actor that is gone). */
  mailCount(ref: ActorRef<Message>): number {
    return this.system.mailboxSize(ref) ?? 0;
  }

  /** Shuts the system down, running actors as needed for it to complete. */
  async shutdown(): Promise<void> {
    const done = this.system.shutdown();
    await done;
  }

  private record(env: Envelope): void {
    const type = messageTypeOf(env.msg);
    this.trace.push({ seq: this.trace.length, from: env.from, to: env.to, kind: kindName(env.kind), type, message: env.msg });
  }
}

/**
 * Creates a {@link DeterministicFixture}.
 * @param options - system options (the scheduler and clock are the fixture's)
 */
export function createTestSystem(options: TestSystemOptions = {}): DeterministicFixture {
  return new DeterministicFixture(options);
}

function sameRef(a: ActorRef<Message> | null, b: ActorRef<Message> | null): boolean {
  return a === null || b === null ? a === b : (a as ActorRef).equals(b as ActorRef);
}

function mismatch(hop: Hop, p: HopPattern): string | null {
  if (p.to !== undefined && !sameRef(hop.to, p.to)) return `to is ${hop.to.key}`;
  if (p.from !== undefined && !sameRef(hop.from, p.from)) return `from is ${hop.from?.key ?? 'null'}`;
  if (p.kind !== undefined && hop.kind !== p.kind) return `kind is ${hop.kind}`;
  if (p.type !== undefined && hop.type !== p.type) return `type is ${String(hop.type)}`;
  if (typeof p.message === 'function') {
    if (!p.message(hop.message)) return 'message predicate failed';
  } else if (p.message !== undefined) {
    const m = hop.message as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null) return 'message is not an object';
    for (const [k, v] of Object.entries(p.message)) {
      const got = m[k];
      const same = v instanceof ActorRef ? v.equals(got as ActorRef) : Object.is(got, v);
      if (!same) return `message.${k} is ${JSON.stringify(got)}`;
    }
  }
  return null;
}

function describeHop(h: Hop): string {
  return `${h.kind}${h.type !== undefined ? ` '${h.type}'` : ''} ${h.from?.key ?? 'null'} -> ${h.to.key}`;
}

function describePattern(p: HopPattern): string {
  const parts: string[] = [];
  if (p.kind !== undefined) parts.push(`kind=${p.kind}`);
  if (p.type !== undefined) parts.push(`type=${p.type}`);
  if (p.from !== undefined) parts.push(`from=${p.from === null ? 'null' : (p.from as ActorRef).key}`);
  if (p.to !== undefined) parts.push(`to=${(p.to as ActorRef).key}`);
  return `{${parts.join(', ')}}`;
}
