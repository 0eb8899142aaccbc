/**
 * The actor hosting a data store master or clone on an endpoint's runtime. It feeds the
 * state machine (`MasterState` / `CloneState`) with the store channel messages the core
 * delivers, ticks it every 100 ms on the endpoint clock, answers the frontend's writes and
 * queries, and carries out its outputs: store events and errors published locally, store
 * protocol messages published to peers.
 */
import { Actor, type ActorContext, type ActorRef, type Behavior, type Cancellable, type ResponsePromise } from '@broker-ts/actor';
import { BrokerError, type Data, errorToData, Timestamp } from '@broker-ts/data';
import { cloneTopic, masterTopic, storeEventsTopic, Topics } from '../topic';
import type { Backend } from './backend';
import { STORE_TICK_INTERVAL_MS } from './channel';
import type { ActorSink, InboundMessage } from './actor-sink';
import { dropIncomingStoreMessage } from './store-fault-injection';
import { CloneState, type CloneMessage, type EntityId, MasterState, type MasterMessage, type QueryResult, type StoreEventSource, type StoreQuery, type WriteCommand, type WriteOutcome, writeCommands } from './state';
import { decodeInternalCommand, encodeInternalCommand, type InternalCommand } from '../native/internal-command';
import { NativeCloneBridge } from './native/native-clone-bridge';
import { NativeMasterBridge, OURS_ONLY, type BridgedOutput } from './native/native-master-bridge';
import { isEndpointId } from '../native/endpoint-id';
import { PEER_BATCH_BYTES } from '../peer-protocol';
import { storeMessageSize } from './state/approximate-size';

/**
 * Store protocol messages for the peers, as a store actor hands them to its endpoint's
 * core: `msg` (one message or a batch) for broker-ts peers, `native` (`internal_command`
 * payloads of COMMAND frames, in order) for Broker peers. Either may be absent.
 */
export interface StorePublication {
  type: 'publish-store';
  topic: string;
  msg?: unknown;
  native?: Uint8Array[];
}

/**
 * Local publications on one topic whose values are built only if a local subscription
 * wants the topic when the core routes them (an internal topic: it never goes to peers).
 * A clone installing a snapshot publishes its per-key events so, many to a message:
 * building one decodes a key and a value.
 */
export interface LocalPublication {
  type: 'publish-local';
  topic: string;
  /** Build the values, in order; each called at most once. */
  makes: ReadonlyArray<() => Data>;
}

/**
 * The commands a store actor sends its endpoint's core (members of the core's
 * `CoreCommand`): store events and errors published locally, store protocol messages
 * published to the peers.
 */
export type StoreToCore = { type: 'publish'; topic: string; value: Data } | LocalPublication | StorePublication;

/** What a store actor hosts. */
export type StoreSpec =
  | { kind: 'master'; name: string; backend: Backend }
  | { kind: 'clone'; name: string; resyncInterval: number; staleInterval: number; mutationBufferInterval: number };

/**
 * Messages of the store frontend (the `Store` facade) to its actor. A `store.write` sent
 * with `tell` is fire-and-forget (Broker's writes); sent as a request it is acknowledged:
 * answered once the master applied it and it is durable, or rejected with the master's
 * error.
 */
export type StoreCommand =
  | { type: 'store.write'; cmd: WriteCommand }
  | { type: 'store.put-unique'; key: Data; value: Data; expiry: number | null; publisher: EntityId }
  | { type: 'store.query'; q: StoreQuery }
  | { type: 'store.await-idle'; timeoutMs: number }
  | { type: 'store.close' }
  /** From the core: a direct peer is gone (a clone whose master lived there lost it). */
  | { type: 'store.peer-lost'; peer: string }
  /** From the core: a direct peer arrived (a clone without a master asks for one now). */
  | { type: 'store.peer-added'; peer: string };

type StoreMessage = StoreCommand | InboundMessage | { type: 'store.tick' } | { type: 'store.flush' } | { type: 'store.commit' } | { type: 'store.prepare' };

/**
 * Most protocol messages sent to peers in one store payload. Messages produced while the
 * actor works through its mailbox go out together, so that a burst of writes takes a few
 * slots of a peer's bounded buffer instead of one each (a burst of thousands of writes
 * would otherwise overflow it and disconnect the peer).
 */
export const STORE_BATCH_LIMIT = 256;

/**
 * Most local writes a master applies in one group commit. A master takes the writes from
 * its mailbox into a queue and applies them in slices of at most this many, each slice
 * one backend transaction (one flush to disk for SQLite and LMDB), with a turn of the
 * event loop between slices: a burst costs few flushes, and I/O and timers (peer
 * heartbeats) keep running while a burst is written.
 */
export const GROUP_COMMIT_LIMIT = 512;

/** One `awaitIdle` caller. */
interface IdleWaiter {
  rp: ResponsePromise<boolean>;
  timer: Cancellable;
}

/** A caller waiting for a write's outcome: a putUnique (answered with `inserted`) or an acknowledged write. */
interface WriteWaiter {
  rp: ResponsePromise<unknown>;
  putUnique: boolean;
}

/** A local write of a master waiting for its group commit. */
interface QueuedWrite {
  cmd: WriteCommand;
  /** When the store took it: the base of its expiry, as if applied at once. */
  at: Timestamp;
  /** Who waits for its outcome, if anyone. */
  waiter: WriteWaiter | null;
}

/** Converts the endpoint's wall-clock milliseconds into a Broker timestamp. */
function timestampOf(ms: number): Timestamp {
  return new Timestamp(BigInt(Math.round(ms * 1000)) * 1000n);
}

/** Hosts one store master or clone. */
export class StoreActor extends Actor<StoreMessage> {
  /** The state machine (master or clone). */
  private readonly state: MasterState | CloneState;
  /** A clone's callers waiting for the master's answer (putUnique, acknowledged writes), by request id. */
  private readonly waiters = new Map<number, WriteWaiter>();
  private nextRequestId = 1;
  /** awaitIdle callers, answered at the next tick that finds the store idle. */
  private idleWaiters: IdleWaiter[] = [];
  private closed = false;
  /** The topic this actor's protocol messages go to (the master's: clones; a clone's: the master). */
  private readonly outTopic: string;
  /** Protocol messages not yet handed to the core. */
  private outbox: (MasterMessage | CloneMessage)[] = [];
  /** Broker `internal_command`s (encoded) not yet handed to the core. */
  private nativeOutbox: Uint8Array[] = [];
  /**
   * The translation to and from Broker's store channel for Broker peers; null on an
   * endpoint whose id Broker cannot carry (a worker's), which has no Broker peers.
   */
  private readonly bridge: NativeMasterBridge | NativeCloneBridge | null;
  /** Whether a command that could not be put in Broker's form was already logged. */
  private nativeFailureLogged = false;
  /** The topic of this store's events. */
  private readonly eventsTopic: string;
  /**
   * Store events built only for a subscriber (see {@link LocalPublication}) not yet handed
   * to the core: they go together, before anything else this actor tells the core, so
   * that the core sees everything in order. At most {@link STORE_BATCH_LIMIT}.
   */
  private localEvents: Array<() => Data> = [];
  /** Whether a `store.flush` is queued behind the messages in the mailbox. */
  private flushQueued = false;
  /**
   * A master's local writes not yet applied, in order. Not bounded here: it holds what the
   * mailbox delivered since the last slice (the writes were in memory already), and a
   * slice runs at the next turn of the event loop.
   */
  private queued: QueuedWrite[] = [];
  /** Whether a `store.commit` (the next slice) is on its way. */
  private sliceQueued = false;
  /** Whether a snapshot preparation step is scheduled. */
  private prepareQueued = false;
  /** Local writes queued so far, and applied so far (positions in the write order). */
  private enqueued = 0;
  private applied = 0;
  /**
   * Queries waiting for the writes issued before them (`after`: the write count then).
   * Bounded by the callers' outstanding requests (each waits for its answer).
   */
  private waitingReads: Array<{ after: number; run: () => void }> = [];
  /** Whether a group commit is running: nothing leaves the actor until it is durable. */
  private inBatch = false;

  /**
   * @param spec - master (with its backend) or clone (with its intervals)
   * @param core - the endpoint's core actor
   * @param sink - the subscription sink through which the core feeds this actor
   * @param wallNow - the endpoint's wall clock in ms since the epoch
   */
  constructor(
    ctx: ActorContext<StoreMessage>,
    private readonly spec: StoreSpec,
    private readonly core: ActorRef<StoreToCore>,
    private readonly sink: ActorSink,
    private readonly wallNow: () => number,
  ) {
    super(ctx);
    const name = spec.name;
    const id: EntityId = { endpoint: ctx.system.nodeId, object: ctx.self.id };
    const eventsTopic = storeEventsTopic(name);
    this.eventsTopic = eventsTopic;
    const common = {
      event: (ev: StoreEventSource) => {
        if (typeof ev !== 'function') {
          this.flushLocalEvents();
          core.tell({ type: 'publish', topic: eventsTopic, value: ev });
        } else if (this.localEvents.push(ev) >= STORE_BATCH_LIMIT && !this.inBatch) this.flushLocalEvents();
        else if (this.localEvents.length === 1) this.scheduleFlush();
      },
      error: (err: BrokerError) => this.reportError(err),
    };
    this.outTopic = spec.kind === 'master' ? cloneTopic(name) : masterTopic(name);
    const now = this.now();
    if (spec.kind === 'master') {
      this.state = new MasterState({
        name,
        id,
        backend: spec.backend,
        now,
        callbacks: { ...common, send: (msg) => this.send(msg) },
      });
      const master = this.state;
      this.bridge = isEndpointId(id.endpoint) ? new NativeMasterBridge(name, id, { toMaster: (msg) => master.handle(msg), sendNative: (cmd) => this.sendNative(cmd) }) : null;
    } else {
      // The bridge first: the clone asks for its master (through `send`) as it is made.
      this.bridge = isEndpointId(id.endpoint) ? new NativeCloneBridge(name, id) : null;
      this.state = new CloneState({
        name,
        id,
        now,
        resyncInterval: spec.resyncInterval,
        staleInterval: spec.staleInterval,
        mutationBufferInterval: spec.mutationBufferInterval,
        callbacks: {
          ...common,
          send: (msg) => this.send(msg),
          writeResult: (requestId, outcome) => this.answerRequest(requestId, outcome),
          notice: (n) => ctx.log.info({ event: `clone-${n.kind}`, store: name }, 'clone state changed'),
        },
      });
    }
    ctx.schedule(STORE_TICK_INTERVAL_MS, { type: 'store.tick' });
  }

  private now(): Timestamp {
    return timestampOf(this.wallNow());
  }

  behavior(): Behavior<StoreMessage> {
    return {
      'store.inbound': (m) => {
        try {
          // Clone messages need not wait for queued local writes (they are concurrent with
          // them). A payload carries one message or a batch of them (see STORE_BATCH_LIMIT); the
          // clone writes among them commit together, before their writeAcks leave.
          this.durably(() => {
            this.state.advance(this.now());
            for (const msg of Array.isArray(m.value) ? m.value : [m.value]) {
              if (dropIncomingStoreMessage(this.ctx.system.nodeId)) {
                this.ctx.log.warn({ event: 'store-fault-drop', store: this.spec.name }, 'test fault injection dropped a store message');
                continue;
              }
              if (msg instanceof Uint8Array) this.handleNative(msg);
              else this.state.handle(msg);
            }
          });
        } finally {
          this.sink.processed();
        }
        this.schedulePreparation();
      },
      'store.prepare': () => {
        this.prepareQueued = false;
        if (this.closed) return;
        const state = this.state;
        if (state instanceof MasterState) this.durably(() => state.prepareSnapshots());
        else state.installStep();
        this.flush();
        this.schedulePreparation();
      },
      'store.flush': () => {
        this.flushQueued = false;
        this.flush();
      },
      'store.commit': () => {
        this.sliceQueued = false;
        this.commitSlice();
        if (this.queued.length > 0) this.scheduleSlice();
        this.flush();
      },
      'store.tick': () => {
        if (this.closed) return;
        this.durably(() => {
          this.state.tick(this.now());
          if (this.bridge instanceof NativeMasterBridge) this.bridge.tick();
        });
        if (this.idle) this.wakeIdle(true);
        this.schedulePreparation();
        this.ctx.schedule(STORE_TICK_INTERVAL_MS, { type: 'store.tick' });
      },
      'store.write': (m) => {
        // A request (an acknowledged write) takes a promise; a tell gets a no-op one.
        const rp = this.ctx.promise<unknown>();
        this.submit(m.cmd, rp.pending ? { rp, putUnique: false } : null);
        return undefined;
      },
      'store.put-unique': (m) => {
        const cmd = writeCommands.putUnique(m.key, m.value, this.nextRequestId++, { expiry: m.expiry ?? undefined, publisher: m.publisher });
        this.submit(cmd, { rp: this.ctx.promise<unknown>(), putUnique: true });
        return undefined;
      },
      'store.query': (m): QueryResult | undefined => {
        // A query sees every write issued before it: behind queued writes it waits for their slices.
        if (this.queued.length === 0) return this.answerQuery(m.q);
        const rp = this.ctx.promise<QueryResult>();
        this.waitingReads.push({ after: this.enqueued, run: () => rp.deliver(this.answerQuery(m.q)) });
        return undefined;
      },
      'store.await-idle': (m) => {
        if (this.idle) return true;
        const rp = this.ctx.promise<boolean>();
        const waiter: IdleWaiter = {
          rp,
          timer: this.ctx.system.clock.setTimer(m.timeoutMs, () => {
            this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
            rp.deliver(false);
          }),
        };
        this.idleWaiters.push(waiter);
        return undefined;
      },
      'store.peer-added': () => {
        if (this.state instanceof CloneState) {
          this.state.advance(this.now());
          this.state.masterReachable();
        }
      },
      'store.peer-lost': (m) => {
        if (this.state instanceof CloneState && this.state.master?.endpoint === m.peer) {
          this.state.advance(this.now());
          this.state.masterLost();
        }
      },
      'store.close': () => {
        this.close();
        this.ctx.stop();
      },
    };
  }

  override onStop(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    try {
      this.commit(); // writes already taken are applied before the backend closes
    } finally {
      this.closed = true;
    }
    this.wakeIdle(false);
    for (const w of this.waiters.values()) w.rp.reject(new BrokerError('shutting_down', `store ${this.spec.name} was closed`));
    this.waiters.clear();
    try {
      this.state.close();
      this.flush(); // a clone's goodbye
    } catch (e) {
      this.ctx.log.warn({ event: 'store-close-failed', store: this.spec.name, detail: (e as Error).message }, 'closing the store failed');
    }
  }

  /**
   * Takes a write from a frontend. A master queues it for the next group commit (the next
   * slice, after a turn of the event loop); a clone forwards it to the master.
   */
  private submit(cmd: WriteCommand, waiter: WriteWaiter | null): void {
    if (this.state instanceof CloneState) {
      this.state.advance(this.now());
      if (waiter === null) return this.state.write(cmd);
      const requestId = cmd.op === 'putUnique' ? cmd.requestId : this.nextRequestId++;
      this.waiters.set(requestId, waiter);
      return this.state.write(cmd, requestId);
    }
    if (this.closed) {
      waiter?.rp.reject(new BrokerError('shutting_down', `store ${this.spec.name} was closed`));
      return;
    }
    this.queued.push({ cmd, waiter, at: this.now() });
    this.enqueued++;
    this.scheduleSlice();
  }

  /** Idle as Broker's `await_idle` says, with no local write waiting to be applied. */
  private get idle(): boolean {
    return this.queued.length === 0 && this.state.idle && (!(this.bridge instanceof NativeMasterBridge) || this.bridge.idle);
  }

  /**
   * Handles a COMMAND payload of a Broker peer (Broker's `internal_command`): the bridge
   * turns it into the state machine's protocol. A malformed one is reported.
   */
  private handleNative(payload: Uint8Array): void {
    let cmd: InternalCommand;
    try {
      if (this.bridge === null) return;
      cmd = decodeInternalCommand(payload);
      if (this.bridge instanceof NativeMasterBridge) this.bridge.inbound(cmd);
      else for (const m of this.bridge.inbound(cmd)) this.state.handle(m);
    } catch (e) {
      this.reportError(e instanceof BrokerError ? e : new BrokerError('invalid_message', `store '${this.spec.name}': ${String(e)}`));
    }
  }

  private answerQuery(q: StoreQuery): QueryResult {
    this.durably(() => this.state.advance(this.now()));
    return this.state.query(q);
  }

  /**
   * Queues the next slice of writes behind a turn of the event loop (`setImmediate`, not
   * the endpoint clock, which may be virtual), so that I/O runs between slices.
   */
  private scheduleSlice(): void {
    if (this.sliceQueued) return;
    this.sliceQueued = true;
    const self = this.ctx.self;
    setImmediate(() => {
      if (!this.closed) self.tell({ type: 'store.commit' });
    });
  }

  /**
   * While a master prepares a snapshot for a clone, or a clone installs one, one step per
   * turn of the event loop (`setImmediate`, as the write slices), so that writes, reads
   * and heartbeats go on.
   */
  private schedulePreparation(): void {
    if (this.prepareQueued || this.closed || !(this.state instanceof MasterState ? this.state.preparing : this.state.installing)) return;
    this.prepareQueued = true;
    const self = this.ctx.self;
    setImmediate(() => {
      if (!this.closed) self.tell({ type: 'store.prepare' });
    });
  }

  /** Applies every queued write, slice by slice (before the store closes). */
  private commit(): void {
    while (this.queued.length > 0 && this.state instanceof MasterState) this.commitSlice();
  }

  /**
   * A master's group commit: applies the oldest queued local writes (at most
   * {@link GROUP_COMMIT_LIMIT}) in one backend batch, then answers the callers who wait
   * for them, now that they are durable.
   */
  private commitSlice(): void {
    if (this.queued.length === 0 || !(this.state instanceof MasterState)) return;
    const batch = this.queued.length <= GROUP_COMMIT_LIMIT ? this.queued : this.queued.slice(0, GROUP_COMMIT_LIMIT);
    this.queued = batch === this.queued ? [] : this.queued.slice(GROUP_COMMIT_LIMIT);
    const master = this.state;
    const outcomes: WriteOutcome[] = [];
    const failure = this.durably(() => {
      for (const q of batch) {
        master.advance(q.at);
        outcomes.push(master.write(q.cmd));
      }
      master.advance(this.now());
    });
    for (let i = 0; i < batch.length; i++) {
      const waiter = batch[i].waiter;
      if (waiter !== null) answer(waiter, failure === null ? outcomes[i] : { ok: false, error: failure });
    }
    this.applied += batch.length;
    let ready = 0;
    while (ready < this.waitingReads.length && this.waitingReads[ready].after <= this.applied) ready++;
    if (ready > 0) for (const read of this.waitingReads.splice(0, ready)) read.run();
  }

  /**
   * Runs state work as one group commit of a master's backend (a clone has nothing
   * durable: its writes are durable once the master acknowledged them). Nothing the work
   * sends leaves before the commit, so no `writeAck` acknowledges a write that is not
   * durable. A failed commit undoes the whole batch: its messages are dropped, clones
   * resync from the backend, and the error is reported.
   * @returns null, or the error of a failed commit
   */
  private durably(body: () => void): BrokerError | null {
    if (!(this.state instanceof MasterState)) {
      body();
      return null;
    }
    const mark = this.outbox.length;
    const nativeMark = this.nativeOutbox.length;
    // The events of a group commit stay here until it is durable: a failed commit's
    // writes did not happen, so their events are dropped with its messages.
    const eventMark = this.localEvents.length;
    this.inBatch = true;
    try {
      this.state.batch(body);
      return null;
    } catch (e) {
      const error = e instanceof BrokerError ? e : new BrokerError('backend_failure', `store '${this.spec.name}': ${String(e)}`);
      this.outbox.length = mark;
      this.nativeOutbox.length = nativeMark;
      if (this.localEvents.length > eventMark) this.localEvents.length = eventMark;
      this.state.commitFailed();
      this.ctx.log.warn({ event: 'store-commit-failed', store: this.spec.name, detail: error.message }, 'a store commit failed; its writes were not applied');
      this.reportError(new BrokerError(error.code, `store '${this.spec.name}': a commit failed, its writes were not applied: ${error.message}`));
      return error;
    } finally {
      this.inBatch = false;
      if (this.outbox.length + this.nativeOutbox.length >= STORE_BATCH_LIMIT || this.localEvents.length >= STORE_BATCH_LIMIT) this.flush();
    }
  }

  /** Publishes an error on the status subscriber. */
  private reportError(err: BrokerError): void {
    // Events before the error, except inside a group commit, whose events wait for it.
    if (!this.inBatch) this.flushLocalEvents();
    this.ctx.log.info({ event: 'store-error', store: this.spec.name, code: err.code }, err.message);
    this.core.tell({ type: 'publish', topic: Topics.errors, value: errorToData(err) });
  }

  /**
   * Queues a protocol message, in broker-ts's form for broker-ts peers and in Broker's
   * for Broker peers, as the bridge says; the batch goes out after the messages now in
   * the mailbox.
   */
  private send(msg: MasterMessage | CloneMessage): void {
    let out: BridgedOutput = OURS_ONLY;
    try {
      if (this.bridge instanceof NativeMasterBridge) out = this.bridge.outbound(msg as MasterMessage);
      else if (this.bridge !== null) out = this.bridge.outbound(msg as CloneMessage);
    } catch (e) {
      this.nativeFailed(e);
    }
    if (out.ours) this.outbox.push(msg);
    for (const cmd of out.native) this.sendNative(cmd);
    this.afterQueue();
  }

  /** Queues a command for Broker peers. */
  private sendNative(cmd: InternalCommand): void {
    try {
      this.nativeOutbox.push(encodeInternalCommand(cmd));
    } catch (e) {
      this.nativeFailed(e);
    }
    this.afterQueue();
  }

  /** Something was queued: flush at the batch limit, or after the messages now in the mailbox. */
  private afterQueue(): void {
    if (this.outbox.length + this.nativeOutbox.length >= STORE_BATCH_LIMIT && !this.inBatch) this.flush();
    else this.scheduleFlush();
  }

  /** A message could not be put in Broker's form (an entity Broker cannot name): Broker peers do not get it. */
  private nativeFailed(e: unknown): void {
    if (this.nativeFailureLogged) return;
    this.nativeFailureLogged = true;
    this.ctx.log.warn({ event: 'store-native-unavailable', store: this.spec.name, detail: (e as Error).message }, 'a store message cannot be sent to Broker peers');
  }

  private scheduleFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    this.ctx.self.tell({ type: 'store.flush' });
  }

  /**
   * Hands the outboxes to the core, at most {@link STORE_BATCH_LIMIT} messages and about
   * {@link PEER_BATCH_BYTES} per payload (one larger message goes alone), so that a batch
   * of large values never makes a payload over what a peer message may hold.
   */
  private flush(): void {
    this.flushLocalEvents();
    const outbox = this.outbox;
    this.outbox = [];
    for (let start = 0; start < outbox.length; ) {
      const limit = Math.min(outbox.length, start + STORE_BATCH_LIMIT);
      let end = start;
      let bytes = 0;
      while (end < limit) {
        bytes += storeMessageSize(outbox[end], PEER_BATCH_BYTES);
        if (bytes > PEER_BATCH_BYTES && end > start) break;
        end++;
      }
      const msgs = start === 0 && end === outbox.length ? outbox : outbox.slice(start, end);
      this.core.tell({ type: 'publish-store', topic: this.outTopic, msg: msgs.length === 1 ? msgs[0] : msgs });
      start = end;
    }
    if (this.nativeOutbox.length > 0) {
      const native = this.nativeOutbox;
      this.nativeOutbox = [];
      this.core.tell({ type: 'publish-store', topic: this.outTopic, native });
    }
  }

  /** Hands the store events waiting to be built to the core, in one message. */
  private flushLocalEvents(): void {
    if (this.localEvents.length === 0) return;
    const makes = this.localEvents;
    this.localEvents = [];
    this.core.tell({ type: 'publish-local', topic: this.eventsTopic, makes });
  }

  private wakeIdle(idle: boolean): void {
    for (const w of this.idleWaiters.splice(0)) {
      w.timer.cancel();
      w.rp.deliver(idle);
    }
  }

  private answerRequest(requestId: number, outcome: WriteOutcome): void {
    const waiter = this.waiters.get(requestId);
    if (waiter === undefined) return;
    this.waiters.delete(requestId);
    answer(waiter, outcome);
  }
}

/** Answers a caller waiting for a write: a putUnique with whether it inserted, an acknowledged write with nothing; a refusal rejects. */
function answer(waiter: WriteWaiter, outcome: WriteOutcome): void {
  if (!outcome.ok) waiter.rp.reject(outcome.error);
  else waiter.rp.deliver(waiter.putUnique ? outcome.inserted === true : undefined);
}
