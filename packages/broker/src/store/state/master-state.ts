import { randomUUID } from 'node:crypto';
import { BrokerError, BrokerTable, decodeBinary, Timestamp, type Data, type Timespan } from '@broker-ts/data';
import type { Backend, Replaced } from '../backend';
import { ChannelProducer, type ChannelOptions, type ProducerMessage } from '../channel';
import { entityFromKey, entityKey, sameEntity, type EntityId } from './entity-id';
import { ownData } from './own-data';
import { ExpiryTimers } from './expiry-timers';
import { rejectedWrite } from './store-error';
import { storeEvents, type StoreEvent } from './store-event';
import { DEFAULT_SNAPSHOT_CHUNK_BYTES, DEFAULT_SNAPSHOT_WINDOW, SnapshotTransfer, snapshotOption } from './snapshot-transfer';
import { EMPTY_TABLE_ENCODING } from './snapshot-table';
import { parseCloneMessage, type CloneCommand, type CloneWriteMessage, type MasterMessage, type WireOutcome } from './store-message';
import { answerQuery, type QueryResult, type StoreQuery } from './store-query';
import type { WriteCommand } from './write-command';
import { cloneCommandSize } from './approximate-size';
import { STORE_ROW_MAX_BYTES } from './row-limit';

/** The outcome of a write: done (with the answer of a putUnique), or refused with a `BrokerError`. */
export type WriteOutcome = { readonly ok: true; readonly inserted?: boolean } | { readonly ok: false; readonly error: BrokerError };

/** What a master does to the world (injected; the master itself does no I/O). */
export interface MasterCallbacks {
  /**
   * A store event to publish locally on `storeEventsTopic(name)`, as its builder: it is
   * built (and the old value of an update decoded) only for a subscriber.
   */
  event(ev: () => StoreEvent): void;
  /** A message for clones, to publish on `cloneTopic(name)` (`msg.clone` set: for that clone only). */
  send(msg: MasterMessage): void;
  /** A refused write (or a malformed message); the hosting actor publishes it on the status subscriber. */
  error(err: BrokerError): void;
}

/** How a master is made. */
export interface MasterStateOptions {
  /** The store name. */
  name: string;
  /** The master's own identity (clones see it as the publisher of expirations and snapshots). */
  id: EntityId;
  /** The storage; the master owns it from now on and closes it in {@link MasterState.close}. */
  backend: Backend;
  /** The endpoint clock's current time. */
  now: Timestamp;
  /** Outputs. */
  callbacks: MasterCallbacks;
  /** Channel timing and capacities (Broker's defaults when omitted). */
  channel?: Partial<ChannelOptions>;
  /** Writes of one clone held out of order, and outcomes kept for it (default 1024). */
  writeWindow?: number;
  /** Clones whose write state the master remembers; the least recently heard is forgotten beyond (default 4096). */
  maxWriters?: number;
  /** Most encoded entry bytes per snapshot piece (default 1 MiB; a larger entry makes a piece of its own). */
  snapshotChunkBytes?: number;
  /** Snapshot pieces in flight to one clone beyond its acknowledgement (default 4). */
  snapshotWindow?: number;
  /** This master's instance, which clones name to resume (default: a random UUID; tests fix it). */
  instance?: string;
  /**
   * The most bytes a row may have, key and value encoded (default
   * {@link STORE_ROW_MAX_BYTES}, what one change to a clone can carry): a write that
   * would make a larger row is refused with `invalid_data`.
   */
  maxRowBytes?: number;
}

/** What the master remembers of one writing clone. */
interface Writer {
  /** The clone. */
  readonly id: EntityId;
  /** Its highest write id applied (or skipped) in order. */
  applied: number;
  /** Writes that arrived ahead of `applied + 1` (bounded by the write window). */
  early: Map<number, WriteCommand>;
  /** Outcomes to report (putUnique answers, rejections) not yet confirmed by its `base`. */
  outcomes: Map<number, WireOutcome>;
  /** Whether it should get a write ACK at the next tick. */
  ackDue: boolean;
}

/**
 * The protocol logic of a data store master without I/O (Broker's `master_actor`): it
 * applies writes to its backend with Broker's semantics, emits store events, broadcasts
 * each change to clones over the reliable channel, answers clone handshakes with a
 * snapshot, evaluates clone writes exactly once and in order per clone, runs expiry, and
 * answers queries. Time passes only through {@link MasterState.advance} and
 * {@link MasterState.tick}; the actor hosting it calls `tick` every tick interval (100 ms).
 *
 * Values handed out through callbacks are shared with the retransmission buffer: treat
 * them as immutable.
 */
export class MasterState {
  /** The store name. */
  readonly name: string;
  /** The master's identity. */
  readonly id: EntityId;
  /**
   * This master's instance, new with each master and after a failed commit: a clone
   * resumes its channel only with the instance its replica came from (a restarted master
   * has other sequence numbers; after a failed commit, clones may hold changes the backend
   * does not).
   */
  private instanceValue: string;
  /** The storage. */
  private readonly backend: Backend;
  /** Outputs. */
  private readonly callbacks: MasterCallbacks;
  /** The channel to clones. */
  private readonly producer: ChannelProducer<CloneCommand>;
  /** Expiry timer per key. */
  private readonly timers = new ExpiryTimers();
  /**
   * Snapshots being sent, per clone, until it acknowledges the handshake: a repeated
   * request resumes the same snapshot. At most one per attached clone.
   */
  private readonly openHandshakes = new Map<string, SnapshotTransfer>();
  /** Write state per clone, least recently heard first. */
  private readonly writers = new Map<string, Writer>();
  /** The current time. */
  private nowValue: Timestamp;
  private readonly writeWindow: number;
  private readonly maxWriters: number;
  private readonly snapshotChunkBytes: number;
  private readonly snapshotWindow: number;
  private closed = false;

  /**
   * Creates the master and loads its backend: entries that expired while it was down are
   * dropped (with `expire` events), the other expiries are re-armed.
   * @param options - name, identity, backend, clock and outputs
   * @throws BrokerError `invalid_data` for a bad option; whatever the backend throws on load
   */
  constructor(options: MasterStateOptions) {
    this.name = options.name;
    this.id = options.id;
    this.instanceValue = options.instance ?? randomUUID();
    this.backend = options.backend;
    this.backend.maxRowBytes = positive(options.maxRowBytes ?? STORE_ROW_MAX_BYTES, 'maxRowBytes');
    this.callbacks = options.callbacks;
    this.nowValue = options.now;
    this.writeWindow = positive(options.writeWindow ?? 1024, 'writeWindow');
    this.maxWriters = positive(options.maxWriters ?? 4096, 'maxWriters');
    this.snapshotChunkBytes = snapshotOption(options.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES, 'snapshotChunkBytes');
    this.snapshotWindow = snapshotOption(options.snapshotWindow ?? DEFAULT_SNAPSHOT_WINDOW, 'snapshotWindow');
    this.producer = new ChannelProducer<CloneCommand>(
      {
        send: (to, msg) => this.sendChannel(to, msg),
        broadcast: (msg) => this.sendChannel(null, msg),
        drop: (to) => this.dropTransfer(to),
        handshakeCompleted: (to) => this.dropTransfer(to),
        sizeOf: cloneCommandSize,
      },
      options.channel,
    );
    for (const key of this.backend.dropExpired(this.nowValue)) this.expired(key);
    for (const { key, expiry } of this.backend.expiries()) this.timers.set(key, expiry.ns);
  }

  /** This master's instance (see {@link MasterStateOptions.instance}); a failed commit replaces it. */
  get instance(): string {
    return this.instanceValue;
  }

  /** The current time as last given. */
  get now(): Timestamp {
    return this.nowValue;
  }

  /** The channel sequence number: how many changes were broadcast. */
  get seq(): number {
    return this.producer.seq;
  }

  /** How many clones are attached through the channel. */
  get clones(): number {
    return this.producer.paths.size;
  }

  /** How many keys have an expiry armed. */
  get expiringKeys(): number {
    return this.timers.size;
  }

  /**
   * Broker's `await_idle` condition: no handshake pending, every clone acknowledged the
   * latest change, and no clone write held or unacknowledged.
   */
  get idle(): boolean {
    if (!this.producer.idle || this.openHandshakes.size > 0) return false;
    for (const w of this.writers.values()) if (w.early.size > 0 || w.ackDue) return false;
    return true;
  }

  /**
   * Applies a write issued on this endpoint.
   * @param cmd - the write
   * @returns its outcome; a refused write is also reported through `callbacks.error`
   */
  write(cmd: WriteCommand): WriteOutcome {
    return this.apply(cmd, this.id);
  }

  /**
   * Runs `body` (writes, clone messages, ticks) as one group commit: every backend write
   * inside it becomes durable together when it returns. The host sends nothing that
   * acknowledges a write (a `writeAck`, an answer to an acknowledged write) before that.
   * @param body - the work
   * @returns what `body` returned
   * @throws BrokerError `backend_failure` when the commit failed: none of the writes inside
   *   happened; call {@link commitFailed} before going on
   */
  batch<T>(body: () => T): T {
    if (this.closed) return body();
    return this.backend.batch(body);
  }

  /**
   * Recovers from a failed {@link batch}: the backend holds none of its writes, but clones
   * may have been told about them and clone writes were counted as applied. Every clone is
   * dropped from the channel (it resyncs from a fresh snapshot at its next ACK, told by
   * `retransmitFailed`) and the master forgets what clones wrote, so that their
   * unacknowledged writes, sent again, are applied again. The master takes a new instance,
   * so that no clone resumes a replica that may hold changes the backend lost.
   */
  commitFailed(): void {
    this.instanceValue = randomUUID();
    this.writers.clear();
    for (const to of [...this.openHandshakes.keys()]) this.dropTransfer(to);
    for (const path of [...this.producer.paths.keys()]) this.producer.remove(path);
  }

  /**
   * Answers a query from the backend.
   * @param q - the query
   */
  query(q: StoreQuery): QueryResult {
    if (this.closed) return { ok: false, error: new BrokerError('backend_failure', `store '${this.name}': the master is closed`) };
    return answerQuery(this.backend, q);
  }

  /**
   * Handles a message from a clone (anything received on `masterTopic(name)`). Messages
   * for another store or another master are ignored; a malformed one is reported.
   * @param raw - the message
   */
  handle(raw: unknown): void {
    if (this.closed) return;
    let msg;
    try {
      msg = parseCloneMessage(raw);
    } catch (e) {
      this.callbacks.error(e as BrokerError);
      return;
    }
    if (msg.store !== this.name) return;
    if (msg.master !== null && !sameEntity(msg.master, this.id)) return;
    const clone = entityKey(msg.clone);
    switch (msg.type) {
      case 'nack': {
        // A clone whose replica came from this very master resumes from it.
        const r = msg.resume;
        const resumeFrom = r !== undefined && r.instance === this.instanceValue && sameEntity(r.master, this.id) ? r.seq : undefined;
        this.producer.handleNack(clone, msg.seqs, msg.epoch, resumeFrom);
        break;
      }
      case 'ack':
        this.producer.handleAck(clone, msg.seq, msg.epoch);
        break;
      case 'write':
        this.handleWrite(clone, msg);
        break;
      case 'snapshotAck': {
        const t = this.openHandshakes.get(clone);
        if (t === undefined || t.epoch !== msg.epoch || t.offset !== msg.offset) break;
        this.producer.heard(clone, msg.epoch);
        t.ack(msg.received);
        // A retry gets the first missing piece again, not the whole window: the others
        // are most likely late rather than lost, and repeating a window at every retry
        // filled a slow link with repeats.
        this.sendPieces(clone, t, undefined, undefined, msg.retry === true);
        break;
      }
      case 'detach': {
        this.producer.remove(clone);
        // Keep `applied` so that a delayed duplicate of one of its writes is still recognised.
        const w = this.writers.get(clone);
        if (w !== undefined) w.early.clear();
        break;
      }
    }
  }

  /**
   * Moves the clock: keys whose expiry is reached expire (an `expire` event and a
   * broadcast), unless a later write changed or cleared their expiry.
   * @param now - the endpoint clock's current time
   */
  advance(now: Timestamp): void {
    if (this.closed) return;
    this.nowValue = now;
    for (const key of this.timers.due(now.ns)) {
      try {
        if (this.backend.expire(key, now)) this.expired(key);
      } catch (e) {
        this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('backend_failure', String(e)));
      }
    }
  }

  /**
   * One tick (Broker's 100 ms store tick): {@link advance}, then channel heartbeats and
   * timeouts, then the write ACKs due.
   * @param now - the endpoint clock's current time
   */
  tick(now: Timestamp): void {
    if (this.closed) return;
    this.advance(now);
    this.producer.tick();
    for (const w of this.writers.values()) if (w.ackDue) this.sendWriteAck(w);
  }

  /**
   * Whether a snapshot for a clone is still being prepared (the rows of a persistent
   * backend put into key order): the host should call {@link prepareSnapshots} in a later
   * turn of its event loop.
   */
  get preparing(): boolean {
    if (this.closed) return false;
    for (const t of this.openHandshakes.values()) if (!t.ready) return true;
    return false;
  }

  /**
   * One bounded step of preparing each snapshot not ready yet (a few milliseconds each);
   * a snapshot that becomes ready starts going out in pieces.
   */
  prepareSnapshots(): void {
    if (this.closed) return;
    for (const [to, t] of this.openHandshakes) {
      if (!t.ready && this.prepareStep(to, t)) this.sendPieces(to, t);
    }
  }

  /** Closes the backend; the master ignores everything afterwards. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const to of [...this.openHandshakes.keys()]) this.dropTransfer(to);
    this.backend.close();
  }

  private handleWrite(clone: string, msg: CloneWriteMessage): void {
    let w = this.writers.get(clone);
    if (w === undefined) {
      w = { id: msg.clone, applied: msg.base - 1, early: new Map(), outcomes: new Map(), ackDue: false };
      if (this.writers.size >= this.maxWriters) this.writers.delete(this.writers.keys().next().value as string);
    } else {
      this.writers.delete(clone); // re-inserted below: most recently heard last
    }
    this.writers.set(clone, w);
    // The clone settled everything below `base`: writes it gave up are skipped, confirmed outcomes forgotten.
    if (msg.base - 1 > w.applied) {
      w.applied = msg.base - 1;
      for (const id of w.early.keys()) if (id <= w.applied) w.early.delete(id);
    }
    for (const id of w.outcomes.keys()) if (id < msg.base) w.outcomes.delete(id);
    w.ackDue = true;
    if (msg.writeId <= w.applied) {
      // A duplicate: the ACK at the next tick answers it, at once if the writer waits for it.
      if (msg.ack === true) this.sendWriteAck(w);
      return;
    }
    if (msg.writeId > w.applied + 1) {
      if (w.early.size < this.writeWindow) w.early.set(msg.writeId, msg.command);
      return;
    }
    let urgent = this.applyFrom(w, msg.writeId, msg.command);
    for (let next = w.early.get(w.applied + 1); next !== undefined; next = w.early.get(w.applied + 1)) {
      w.early.delete(w.applied + 1);
      urgent = this.applyFrom(w, w.applied + 1, next) || urgent;
    }
    // A putUnique caller or an acknowledged write waits for its answer: do not let it wait
    // for the next tick.
    if (urgent || (msg.ack === true && w.applied >= msg.writeId)) this.sendWriteAck(w);
  }

  /** Applies a clone's write in order; returns whether its outcome must be reported. */
  private applyFrom(w: Writer, writeId: number, cmd: WriteCommand): boolean {
    w.applied = writeId;
    const outcome = this.apply(cmd, w.id);
    let report: WireOutcome | undefined;
    if (!outcome.ok) report = { writeId, error: { code: outcome.error.code, message: outcome.error.message } };
    else if (cmd.op === 'putUnique') report = { writeId, inserted: outcome.inserted === true };
    if (report === undefined) return false;
    w.outcomes.set(writeId, report);
    if (w.outcomes.size > this.writeWindow) w.outcomes.delete(w.outcomes.keys().next().value as number);
    return true;
  }

  private sendWriteAck(w: Writer): void {
    w.ackDue = false;
    this.callbacks.send({ type: 'writeAck', store: this.name, master: this.id, clone: w.id, applied: w.applied, seq: this.producer.seq, outcomes: [...w.outcomes.values()] });
  }

  /**
   * Applies one write with Broker's semantics; never throws.
   * @param writer - who sent it (this master for a local write): the one a putUnique
   *   answer is for unless the command names another
   */
  private apply(cmd: WriteCommand, writer: EntityId): WriteOutcome {
    if (this.closed) return this.refuse(cmd, new BrokerError('backend_failure', 'the master is closed'));
    try {
      switch (cmd.op) {
        case 'put':
          this.put(ownData(cmd.key), ownData(cmd.value), cmd.expiry, cmd.publisher);
          return { ok: true };
        case 'putUnique': {
          const key = ownData(cmd.key);
          const inserted = !this.backend.exists(key);
          if (inserted) this.put(key, ownData(cmd.value), cmd.expiry, cmd.publisher);
          // As Broker: the answer travels in channel order after the change, for clones
          // whose writer waits for it (Broker's clones learn it only this way).
          this.producer.produce({ op: 'putUniqueResult', inserted, who: cmd.who ?? writer, requestId: cmd.requestId, publisher: this.id });
          return { ok: true, inserted };
        }
        case 'erase': {
          const key = ownData(cmd.key);
          // Newer Broker: erasing a missing key is no change, so no event and no broadcast.
          if (!this.backend.erase(key)) return { ok: true };
          this.timers.delete(key);
          const { name } = this;
          const publisher = cmd.publisher;
          this.callbacks.event(() => storeEvents.erase(name, key, publisher));
          this.producer.produce({ op: 'erase', key, publisher: cmd.publisher });
          return { ok: true };
        }
        case 'clear': {
          // Every key, 0.0 and -0.0 each (a set would hold one of them).
          const keys = this.backend.keyList();
          this.backend.clear();
          this.timers.clear();
          const { name } = this;
          const publisher = cmd.publisher;
          for (const key of keys) this.callbacks.event(() => storeEvents.erase(name, key, publisher));
          this.producer.produce({ op: 'clear', publisher: cmd.publisher });
          return { ok: true };
        }
        case 'add':
        case 'subtract': {
          const key = ownData(cmd.key);
          const at = this.expiresAt(cmd.expiry);
          // The old value for the store event comes from the write's own lookup.
          const replaced: Replaced = { old: undefined };
          const value = cmd.op === 'add' ? this.backend.add(key, ownData(cmd.value), cmd.initType, at, replaced) : this.backend.subtract(key, ownData(cmd.value), at, replaced);
          this.changed(key, replaced.old, value, cmd.expiry, cmd.publisher);
          return { ok: true };
        }
        default:
          throw new BrokerError('invalid_message', `unknown write op ${JSON.stringify((cmd as { op: unknown }).op)}`);
      }
    } catch (e) {
      return this.refuse(cmd, e);
    }
  }

  private refuse(cmd: WriteCommand, cause: unknown): WriteOutcome {
    const error = rejectedWrite(this.name, cmd, cause);
    this.callbacks.error(error);
    return { ok: false, error };
  }

  private put(key: Data, value: Data, expiry: Timespan | null, publisher: EntityId | null): void {
    const old = this.backend.exchange(key, value, this.expiresAt(expiry));
    this.changed(key, old, value, expiry, publisher);
  }

  /**
   * After a successful put/add/subtract: the timer, the event and the broadcast. The
   * broadcast is a plain put of the new value; unlike Broker it keeps the write's expiry
   * (Broker sends none after add/subtract), so clone events show it.
   */
  private changed(key: Data, old: Uint8Array | undefined, value: Data, expiry: Timespan | null, publisher: EntityId | null): void {
    if (expiry === null) this.timers.delete(key);
    else this.timers.set(key, this.nowValue.ns + expiry.ns);
    const { name } = this;
    this.callbacks.event(old === undefined ? () => storeEvents.insert(name, key, value, expiry, publisher) : () => storeEvents.update(name, key, decodeBinary(old), value, expiry, publisher));
    this.producer.produce({ op: 'put', key, value, expiry, publisher });
  }

  private expiresAt(expiry: Timespan | null): Timestamp | undefined {
    return expiry === null ? undefined : new Timestamp(this.nowValue.ns + expiry.ns);
  }

  private expired(key: Data): void {
    const { name, id } = this;
    this.callbacks.event(() => storeEvents.expire(name, key, id));
    this.producer.produce({ op: 'expire', key, publisher: this.id });
  }

  /** Turns a channel message into a store message. */
  private sendChannel(to: string | null, msg: ProducerMessage<CloneCommand>): void {
    const base = { store: this.name, master: this.id };
    switch (msg.kind) {
      case 'event':
        this.callbacks.send({ type: 'event', ...base, clone: to === null ? null : entityFromKey(to), seq: msg.seq, command: msg.payload });
        return;
      case 'heartbeat':
        this.callbacks.send({ type: 'heartbeat', ...base, seq: msg.seq });
        return;
      case 'retransmitFailed':
        if (to !== null) this.callbacks.send({ type: 'retransmitFailed', ...base, clone: entityFromKey(to), seq: msg.seq, epoch: msg.epoch });
        return;
      case 'handshake': {
        if (to === null) return;
        if (msg.resumed === true) {
          // The clone holds the state at `offset`; the events after it follow.
          this.dropTransfer(to);
          const { offset, epoch, heartbeatInterval, connectionTimeout, latest } = msg;
          this.callbacks.send({ type: 'ackClone', ...base, clone: entityFromKey(to), offset, epoch, heartbeatInterval, connectionTimeout, snapshot: EMPTY_TABLE_ENCODING, instance: this.instanceValue, resumed: true, ...(latest !== undefined ? { latest } : {}) });
          return;
        }
        let t = this.openHandshakes.get(to);
        if (t === undefined || t.epoch !== msg.epoch || t.offset !== msg.offset) {
          let rows;
          try {
            rows = this.backend.snapshotRows();
          } catch (e) {
            this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('backend_failure', String(e)));
            return;
          }
          t = new SnapshotTransfer(msg.epoch, msg.offset, rows, this.snapshotChunkBytes, this.snapshotWindow);
          this.dropTransfer(to);
          this.openHandshakes.set(to, t);
        }
        // A repeated request: resume from what the clone acknowledged.
        t.rewind();
        // A snapshot that needs more preparing is sent from prepareSnapshots.
        if (this.prepareStep(to, t)) this.sendPieces(to, t, msg.heartbeatInterval, msg.connectionTimeout);
        return;
      }
    }
  }

  /** Forgets the snapshot being sent to a clone, releasing what it holds. */
  private dropTransfer(to: string): void {
    const t = this.openHandshakes.get(to);
    if (t === undefined) return;
    this.openHandshakes.delete(to);
    t.close();
  }

  /** One step of preparing a snapshot; a snapshot that cannot be prepared is dropped (the clone asks again). */
  private prepareStep(to: string, t: SnapshotTransfer): boolean {
    try {
      return t.prepare();
    } catch (e) {
      this.dropTransfer(to);
      this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('backend_failure', String(e)));
      return false;
    }
  }

  /** Sends the snapshot pieces due to a clone: piece 0 as the `ackClone`, the others as `snapshotChunk`s. */
  private sendPieces(to: string, t: SnapshotTransfer, heartbeatInterval = this.producer.options.heartbeatInterval, connectionTimeout = this.producer.options.connectionTimeout, retry = false): void {
    const base = { store: this.name, master: this.id, clone: entityFromKey(to), offset: t.offset, epoch: t.epoch };
    let due;
    try {
      due = retry ? [...t.resend(), ...t.due()] : t.due();
    } catch (e) {
      // A stored row that is not a whole encoding: this snapshot cannot be sent; the clone asks again.
      this.dropTransfer(to);
      this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('backend_failure', String(e)));
      return;
    }
    for (const p of due) {
      if (p.index === 0) this.callbacks.send({ type: 'ackClone', ...base, heartbeatInterval, connectionTimeout, snapshot: p.table, instance: this.instanceValue, ...(p.last ? {} : { more: true }) });
      else this.callbacks.send({ type: 'snapshotChunk', ...base, index: p.index, snapshot: p.table, last: p.last });
    }
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new BrokerError('invalid_data', `master option '${name}' must be a positive integer, got ${String(n)}`);
  return n;
}
