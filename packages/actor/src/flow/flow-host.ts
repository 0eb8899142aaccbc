import type { ActorContext } from '../actor-context';
import { ActorRef } from '../actor-ref';
import type { Behavior } from '../behavior';
import { ExitReasons } from '../exit-reason';
import type { AnyMessage, Message } from '../message';
import type { DownMessage } from '../system-message';
import { FlowError } from './flow-error';
import { isStreamId, type FlowAbort, type FlowAccept, type FlowBatch, type FlowCancel, type FlowComplete, type FlowDemand, type FlowOpen } from './flow-protocol';
import { StreamSink, type SinkHandlers, type SinkOptions } from './stream-sink';
import { StreamSource, type SourceOptions } from './stream-source';

/** A stream another actor asks to open towards this one. */
export interface IncomingStream {
  /** The producing actor. */
  readonly source: ActorRef;
  /** What the producer attached to describe the stream (`null` when nothing). */
  readonly meta: unknown;
}

/** How to consume an accepted stream: handlers plus credit options. */
export type SinkSpec<T> = SinkHandlers<T> & SinkOptions;

/** Options for {@link FlowHost}. */
export interface FlowHostOptions {
  /**
   * Decides on a stream another actor opens towards this one: return the handlers (and
   * credit options) to accept it, or `undefined` to refuse it (the producer's stream then
   * ends with `rejected`). Without this option every incoming stream is refused.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onOpen?: (stream: IncomingStream) => SinkSpec<any> | undefined;
}

/** Options for {@link FlowHost.open}. */
export interface OpenOptions extends SourceOptions {
  /** Data describing the stream for the consumer (plain data: it may cross processes). */
  meta?: unknown;
}

/** A stream handle of the producing side (see {@link StreamSource}). */
export type Stream<T> = StreamSource<T, ActorRef>;

/** One stream with its peer, as the host tracks it. */
interface Entry<S> {
  /** The stream state machine. */
  readonly stream: S;
  /** The actor at the other end. */
  readonly peer: ActorRef;
}

const FLUSH = Object.freeze({ type: 'flow.flush' });

/**
 * The streams of one actor, in both directions. Create one in the actor's behavior
 * factory (or constructor), merge its handlers with {@link withFlows}, then
 * {@link FlowHost.open} streams to other actors and accept theirs through
 * {@link FlowHostOptions.onOpen}.
 *
 * Every stream rides on ordinary actor messages, so the peer may live in this thread, a
 * worker thread or another process. The host monitors each peer while it has streams
 * with it and ends those streams with `consumer_down` / `producer_down` when it dies;
 * it forgets a stream as soon as it ends, so nothing outlives its stream. When the owning
 * actor stops, its producing streams end with `aborted` so that no `write()` waits forever.
 *
 * Memory: the stream maps hold only live streams; each stream's buffers are
 * bounded by its own `capacity` (producer) and `highWatermark` (consumer).
 */
export class FlowHost {
  /** Handlers for the flow messages, to merge into the actor's behavior ({@link withFlows}). */
  readonly handlers: Behavior<AnyMessage>;
  private readonly sources = new Map<number, Entry<StreamSource<unknown, ActorRef>>>();
  private readonly sinks = new Map<number, Entry<StreamSink<unknown>>>();
  /** Sources that asked for a flush since the last `flow.flush` message. */
  private dirty: StreamSource<unknown, ActorRef>[] = [];
  private flushQueued = false;
  private nextId = 1;
  private ownerStopped = false;

  /**
   * @param ctx - the owning actor's context
   * @param options - how to treat incoming streams
   */
  constructor(
    private readonly ctx: ActorContext<Message>,
    private readonly options: FlowHostOptions = {},
  ) {
    // Callers awaiting `write()` must not wait forever: the owner's stop ends its streams.
    ctx.onStop((reason) => {
      this.ownerStopped = true;
      this.closeAll(new FlowError('aborted', reason.kind === 'shutdown' ? 'the actor system shut down' : 'the owning actor stopped'));
    });
    this.handlers = {
      'flow.open': (m: FlowOpen<ActorRef>) => this.onOpen(m),
      'flow.accept': (m: FlowAccept) => this.onAccept(m),
      'flow.demand': (m: FlowDemand) => this.onDemand(m),
      'flow.cancel': (m: FlowCancel) => this.onCancel(m),
      'flow.batch': (m: FlowBatch) => this.onBatch(m),
      'flow.complete': (m: FlowComplete) => this.onComplete(m),
      'flow.abort': (m: FlowAbort) => this.onAbort(m),
      'flow.flush': () => this.fromSelf() && this.onFlush(),
      'flow.down': (m: { key: string; reason: string }) => this.fromSelf() && this.onPeerDown(m.key, m.reason),
      'flow.refused': (m: { psid: number; reason: string }) => this.fromSelf() && this.onRefused(m.psid, m.reason),
    } as unknown as Behavior<AnyMessage>;
  }

  /** Live producing streams. */
  get sourceCount(): number {
    return this.sources.size;
  }
  /** Live consuming streams. */
  get sinkCount(): number {
    return this.sinks.size;
  }
  /** Peers monitored because of live streams. */
  get peerCount(): number {
    const keys = new Set<string>();
    for (const e of this.sources.values()) keys.add(e.peer.key);
    for (const e of this.sinks.values()) keys.add(e.peer.key);
    return keys.size;
  }

  /**
   * Opens a stream to another actor (which must run a {@link FlowHost} that accepts it).
   * Items can be pushed at once; they wait in the stream's buffer for the first credit.
   * @param to - the consuming actor, local or remote
   * @param options - buffer capacity, overflow policy, batch size, meta
   * @returns the producer's handle
   * @throws FlowError `invalid_argument` for bad options, `closed` if this actor stopped
   */
  open<T>(to: ActorRef<Message>, options: OpenOptions = {}): Stream<T> {
    if (this.ownerStopped) throw new FlowError('closed', 'the owning actor has stopped');
    const peer = to as ActorRef;
    const psid = this.nextId++;
    const source = new StreamSource<T, ActorRef>(
      psid,
      {
        send: (msg) => this.sendTo(peer, msg),
        scheduleFlush: () => this.requestFlush(source as StreamSource<unknown, ActorRef>),
        now: () => this.ctx.system.clock.now(),
        closed: () => this.forget(this.sources, psid, peer),
      },
      options,
    );
    this.sources.set(psid, { stream: source as StreamSource<unknown, ActorRef>, peer });
    this.ctx.monitor(peer);
    // A request, so that an actor without a flow host answers `unexpected_message` and
    // the stream fails (`rejected`) instead of waiting for an accept that never comes.
    // Any other failure is the peer's DOWN, which the monitor reports.
    const ctx = this.ctx;
    ctx.request(peer, { type: 'flow.open', psid, source: ctx.self, meta: options.meta ?? null } satisfies FlowOpen<ActorRef>, { timeout: Number.POSITIVE_INFINITY }).then(undefined, (e: unknown) => {
      // Sent as this actor's own message: handled in its turn, and only from itself.
      if ((e as { code?: unknown } | null)?.code === 'unexpected_message') ctx.send(ctx.self as ActorRef, { type: 'flow.refused', psid, reason: (e as Error).message });
    });
    return source;
  }

  /**
   * Gives a `down` message to the host. A death of a stream peer is handled here (after
   * every message the peer sent before dying) and not passed on.
   * @returns true if the dead actor was a stream peer
   */
  handleDown(msg: DownMessage): boolean {
    // Only the runtime's DOWN carries a ref; anything else is not a stream peer's death.
    if (msg === null || typeof msg !== 'object' || !(msg.ref instanceof ActorRef)) return false;
    const key = msg.ref.key;
    if (!this.hasPeer(key)) return false;
    // DOWN overtakes ordinary mail; re-queue behind the peer's last batches so that a
    // producer that completed and then stopped is seen completing, not dying.
    this.ctx.send(this.ctx.self as ActorRef, { type: 'flow.down', key, reason: ExitReasons.describe(msg.reason) });
    return true;
  }

  /**
   * Ends every stream of this actor at once: producing streams with `error` (so that
   * waiting writers wake), consuming ones are cancelled. Called automatically when the
   * owning actor stops.
   * @param error - the reason (default `aborted`)
   */
  closeAll(error: FlowError = new FlowError('aborted', 'the owning actor stopped')): void {
    for (const { stream } of [...this.sources.values()]) stream.abort(error);
    for (const { stream } of [...this.sinks.values()]) stream.cancel(error);
  }

  private onOpen(m: FlowOpen<ActorRef>): void {
    if (!isStreamId(m.psid) || !(m.source instanceof ActorRef)) return this.warn('malformed flow.open');
    // Credit goes to `source`: only the producer itself may name itself there.
    if (!m.source.equals(this.ctx.sender)) return this.warn('flow.open whose source is not its sender');
    const source = m.source;
    const reject = (error: FlowError): void => this.sendTo(source, { type: 'flow.cancel', psid: m.psid, error: error.toData() });
    let spec: SinkSpec<unknown> | undefined;
    let sink: StreamSink<unknown>;
    const csid = this.nextId++;
    try {
      spec = this.options.onOpen?.({ source, meta: m.meta });
      if (spec === undefined) return reject(new FlowError('rejected', 'the consumer refused the stream'));
      sink = new StreamSink<unknown>(csid, m.psid, m.meta, { send: (msg) => this.sendTo(source, msg), closed: () => this.forget(this.sinks, csid, source) }, spec);
    } catch (e) {
      if (e instanceof FlowError) {
        this.warn(`refused a stream: ${e.message}`);
        return reject(e);
      }
      // A bug in onOpen fails this actor, as any throwing handler does; the producer hears.
      reject(new FlowError('rejected', `the consumer failed while accepting the stream: ${String(e)}`));
      throw e;
    }
    this.sinks.set(csid, { stream: sink, peer: source });
    this.ctx.monitor(source);
    sink.accept(spec);
  }

  private onAccept(m: FlowAccept): void {
    const e = this.sourceFor(m.psid);
    if (e === undefined) {
      // Aborted before the consumer answered: tell it the stream is gone.
      const sender = this.ctx.sender;
      if (sender !== null && isStreamId(m.csid)) this.sendTo(sender, { type: 'flow.abort', csid: m.csid, error: { code: 'aborted', message: 'stream aborted before it was accepted' } });
      return;
    }
    if (!isStreamId(m.csid)) return e.stream.abort(new FlowError('protocol', 'malformed flow.accept'));
    e.stream.onAccept(m.csid, m.credit);
  }

  private onDemand(m: FlowDemand): void {
    this.sourceFor(m.psid)?.stream.onDemand(m.credit);
  }

  private onCancel(m: FlowCancel): void {
    this.sourceFor(m.psid)?.stream.onCancel(FlowError.fromData(m.error));
  }

  private onBatch(m: FlowBatch): void {
    const e = this.sinkFor(m.csid);
    if (e === undefined) return;
    if (!Array.isArray(m.items)) return e.stream.cancel(new FlowError('protocol', 'flow.batch without an items array'));
    e.stream.onBatch(m.items);
  }

  private onComplete(m: FlowComplete): void {
    this.sinkFor(m.csid)?.stream.onComplete();
  }

  private onAbort(m: FlowAbort): void {
    this.sinkFor(m.csid)?.stream.onAbort(FlowError.fromData(m.error));
  }

  private onFlush(): void {
    this.flushQueued = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (const s of dirty) s.flush();
  }

  /** The consumer has no flow host: it answered the stream's `flow.open` with `unexpected_message`. */
  private onRefused(psid: number, reason: string): void {
    this.sources.get(psid)?.stream.onCancel(new FlowError('rejected', `the consumer does not take streams (no flow host): ${reason}`));
  }

  private onPeerDown(key: string, reason: string): void {
    for (const { stream, peer } of [...this.sources.values()]) if (peer.key === key) stream.onConsumerDown(reason);
    for (const { stream, peer } of [...this.sinks.values()]) if (peer.key === key) stream.onProducerDown(reason);
  }

  /** Internal messages count only when this actor sent them to itself. */
  private fromSelf(): boolean {
    return this.ctx.self.equals(this.ctx.sender);
  }

  /** Looks up a producing stream, accepting messages only from its consumer. */
  private sourceFor(psid: unknown): Entry<StreamSource<unknown, ActorRef>> | undefined {
    const e = typeof psid === 'number' ? this.sources.get(psid) : undefined;
    return e !== undefined && e.peer.equals(this.ctx.sender) ? e : undefined;
  }

  /** Looks up a consuming stream, accepting messages only from its producer. */
  private sinkFor(csid: unknown): Entry<StreamSink<unknown>> | undefined {
    const e = typeof csid === 'number' ? this.sinks.get(csid) : undefined;
    return e !== undefined && e.peer.equals(this.ctx.sender) ? e : undefined;
  }

  private requestFlush(source: StreamSource<unknown, ActorRef>): void {
    this.dirty.push(source);
    if (this.flushQueued || this.ownerStopped) return;
    this.flushQueued = true;
    // After the pass, not after this turn: a publisher that awaits each write lets the
    // actor run a turn per item, and a flush per turn would make a batch of each.
    this.ctx.sendToSelfLater(FLUSH);
  }

  private sendTo(peer: ActorRef, msg: AnyMessage): void {
    if (!this.ownerStopped) this.ctx.send(peer, msg);
  }

  /** Whether a live stream (either direction) has `key` at its other end. */
  private hasPeer(key: string): boolean {
    for (const e of this.sources.values()) if (e.peer.key === key) return true;
    for (const e of this.sinks.values()) if (e.peer.key === key) return true;
    return false;
  }

  /** Forgets an ended stream and undoes its monitor (the runtime counts one per stream). */
  private forget<S>(map: Map<number, Entry<S>>, id: number, peer: ActorRef): void {
    if (map.delete(id) && !this.ownerStopped) this.ctx.demonitor(peer);
  }

  private warn(what: string): void {
    this.ctx.log.warn({ event: 'flow-protocol-error', from: this.ctx.sender?.key }, what);
  }
}

/**
 * Merges a {@link FlowHost}'s handlers into a behavior. A `down` for a stream peer goes to
 * the host; any other `down` goes to the behavior's own handler. Use it again on every
 * behavior passed to `become`.
 * @param host - the actor's flow host
 * @param behavior - the actor's own handlers
 * @returns the combined behavior
 */
export function withFlows<M extends Message>(host: FlowHost, behavior: Behavior<M>): Behavior<M> {
  const own = behavior as Behavior<AnyMessage>;
  const userDown = own.down;
  const merged: Behavior<AnyMessage> = {
    ...own,
    ...host.handlers,
    down: (msg, ctx) => (host.handleDown(msg) ? undefined : userDown?.(msg, ctx)),
  };
  return merged as Behavior<M>;
}
