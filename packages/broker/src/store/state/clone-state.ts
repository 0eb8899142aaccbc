import { BrokerError, decodeBinary, Timestamp } from '@broker-ts/data';
import { MemoryBackend } from '../backend';
import { ChannelConsumer, STORE_TICK_INTERVAL_MS, type ChannelOptions, type ConsumerMessage } from '../channel';
import { entityKey, sameEntity, type EntityId } from './entity-id';
import type { WriteOutcome } from './master-state';
import { ownData } from './own-data';
import { refusedByMaster, writeError } from './store-error';
import { storeEvents, type StoreEventSource } from './store-event';
import { SnapshotAssembly, stagedEntries } from './snapshot-assembly';
import { SnapshotInstall } from './snapshot-install';
import { parseMasterMessage, type AckCloneMessage, type CloneCommand, type CloneMessage, type SnapshotChunkMessage, type WriteAckMessage } from './store-message';
import { answerQuery, type QueryResult, type StoreQuery } from './store-query';
import { STORE_ROW_MAX_BYTES, writeBytesOver } from './row-limit';
import type { WriteCommand } from './write-command';

/** Something the clone went through, for logs and statuses. */
export type CloneNotice =
  | { readonly kind: 'master-found'; readonly master: EntityId }
  | { readonly kind: 'master-lost'; readonly master: EntityId }
  | { readonly kind: 'stale' }
  | { readonly kind: 'out-of-sync'; readonly seq: number };

/** What a clone does to the world (injected; the clone itself does no I/O). */
export interface CloneCallbacks {
  /** A store event (or its builder) to publish locally on `storeEventsTopic(name)`. */
  event(ev: StoreEventSource): void;
  /** A message for the master, to publish on `masterTopic(name)` (`msg.master` null: any master, the rendezvous). */
  send(msg: CloneMessage): void;
  /** A write the master refused, or one dropped without a master; the hosting actor publishes it on the status subscriber. */
  error(err: BrokerError): void;
  /**
   * The outcome of a write issued here with a request id (a putUnique, or an
   * acknowledged write): once the master applied it and the replica shows it, or once it
   * was refused.
   */
  writeResult(requestId: number, outcome: WriteOutcome): void;
  /** Connection changes (optional). */
  notice?(n: CloneNotice): void;
}

/** How a clone is made. Intervals are milliseconds, as in the API. */
export interface CloneStateOptions {
  /** The store name. */
  name: string;
  /** The clone's own identity. */
  id: EntityId;
  /** The endpoint clock's current time (the clone's creation). */
  now: Timestamp;
  /** Outputs. */
  callbacks: CloneCallbacks;
  /** How often to look for a master while none is known (Broker: 10 s). */
  resyncInterval?: number;
  /** How long after losing its master the clone turns stale; negative: never (Broker: 300 s). */
  staleInterval?: number;
  /** How long after creation or master loss writes are buffered; ≤ 0: never (Broker: 120 s). */
  mutationBufferInterval?: number;
  /** The tick interval the host uses, to turn `resyncInterval` into ticks (default 100 ms). */
  tickInterval?: number;
  /** Channel timing and capacities (Broker's defaults when omitted). */
  channel?: Partial<ChannelOptions>;
  /** Most writes waiting for the master's acknowledgement or buffered (default 4096). */
  maxPendingWrites?: number;
  /**
   * The most bytes a write's key and value may have encoded (default
   * {@link STORE_ROW_MAX_BYTES}, what the master accepts): a larger write is refused
   * with `invalid_data` before it is sent.
   */
  maxRowBytes?: number;
}

/** A write issued here and not yet acknowledged by a master. */
interface PendingWrite {
  /** Its id, from 1 up over the clone's life. */
  readonly writeId: number;
  /** The write. */
  readonly command: WriteCommand;
  /** Whether the writer waits for its outcome (the master then answers at once). */
  readonly ack: boolean;
}

/** A write's outcome that waits until the replica shows the master's state at `seq`. */
interface DeferredAnswer {
  readonly requestId: number;
  readonly outcome: WriteOutcome;
  readonly seq: number;
}

/**
 * The protocol logic of a data store clone without I/O: a replica kept in a memory
 * backend and fed by the master's channel in order (with the same store events as on
 * the master), queries answered from it, and writes forwarded to the master with
 * retransmission until the master acknowledges them.
 *
 * Finding the master (Broker's newer rendezvous): the clone publishes a handshake request
 * on the master topic every `resyncInterval` until a master answers with a snapshot, so
 * the master may be any number of hops away and may appear after the clone. Losing it
 * (channel timeout, or {@link CloneState.masterLost}) starts the search again. Broker
 * 1.4's intervals apply: reads answer `stale_data` until a master was found and again
 * from `staleInterval` after its loss; writes without a master are buffered only within
 * `mutationBufferInterval` of the creation or of the loss and replayed when a master is
 * found. Time passes only through {@link CloneState.advance} and {@link CloneState.tick}.
 */
export class CloneState {
  /** The store name. */
  readonly name: string;
  /** The clone's identity. */
  readonly id: EntityId;
  /** Outputs. */
  private readonly callbacks: CloneCallbacks;
  /** The replica; replaced as a whole by a snapshot's. */
  private replica = new MemoryBackend();
  /** The channel from the master. */
  private readonly consumer: ChannelConsumer<CloneCommand>;
  /** The master, once one answered; null while searching. */
  private masterValue: EntityId | null = null;
  /** Whether reads answer `stale_data`. */
  private staleValue = true;
  /** When the clone was created or last lost its master (ns). */
  private lostAt: bigint;
  /** The current time. */
  private nowValue: Timestamp;
  /** Writes not yet acknowledged (in flight or buffered), oldest first; bounded by `maxPendingWrites`. */
  private outbox: PendingWrite[] = [];
  /** The id of the next write. */
  private nextWriteId = 1;
  /** Request ids of writes whose outcome someone waits for (putUnique, acknowledged writes), by write id, until answered. */
  private readonly requests = new Map<number, number>();
  /** Outcomes waiting for the replica to catch up (at most one per pending request). */
  private deferred: DeferredAnswer[] = [];
  /**
   * Request ids of putUniques the master acknowledged without an answer (a Broker master
   * answers only with a `putUniqueResult` in its channel), until that answer arrives.
   */
  private readonly awaitingResult = new Set<number>();
  /** The highest channel sequence number a write ACK named: the replica shows our writes once delivered. */
  private ackSeq = 0;
  /** Ticks elapsed. */
  private ticks = 0;
  /** The tick of the last write progress or resend. */
  private lastWriteProgress = 0;
  private closed = false;
  private readonly staleIntervalNs: bigint | null;
  private readonly bufferIntervalNs: bigint | null;
  private readonly maxPendingWrites: number;
  private readonly maxRowBytes: number;
  private readonly resendTicks: number;

  /**
   * The master instance the replica came from, when that master can resume clones; kept
   * when the master is lost, so that the clone asks it to resume from {@link replicaSeq}.
   * Null when the replica cannot be trusted to continue (a change it could not apply).
   */
  private origin: { readonly master: EntityId; readonly instance: string } | null = null;
  /** The last sequence number of the origin's channel the replica reflects. */
  private replicaSeq = 0;

  /**
   * A whole snapshot being installed: the replica is already the new one, its store events
   * go out in slices ({@link installStep}), and the handshake completes after the last.
   */
  private install: { readonly head: AckCloneMessage; readonly events: SnapshotInstall; readonly pieces: number } | null = null;

  /** A snapshot arriving in pieces, until it is whole (then installed) or abandoned. */
  private assembly: SnapshotAssembly | null = null;
  /** The tick of the last piece of {@link assembly} that arrived, new or a repeat: the transfer is alive. */
  private assemblyHeard = 0;
  /** When to ask the master again for the first missing piece, and how long the next wait is (doubling). */
  private nextRetry = 0;
  private retryWait = 0;
  /** Whether a retry was asked for the current gap (asked once until a piece adds). */
  private retryAsked = false;

  /**
   * Creates the clone and sends its first handshake request.
   * @param options - name, identity, clock, outputs and intervals
   * @throws BrokerError `invalid_data` for a bad option
   */
  constructor(options: CloneStateOptions) {
    this.name = options.name;
    this.id = options.id;
    this.callbacks = options.callbacks;
    this.nowValue = options.now;
    this.lostAt = options.now.ns;
    const resync = interval(options.resyncInterval ?? 10_000, 'resyncInterval', false);
    const stale = interval(options.staleInterval ?? 300_000, 'staleInterval', true);
    const buffer = interval(options.mutationBufferInterval ?? 120_000, 'mutationBufferInterval', true);
    const tick = interval(options.tickInterval ?? STORE_TICK_INTERVAL_MS, 'tickInterval', false);
    this.staleIntervalNs = stale < 0 ? null : msToNs(stale);
    this.bufferIntervalNs = buffer <= 0 ? null : msToNs(buffer);
    this.maxPendingWrites = options.maxPendingWrites ?? 4096;
    if (!Number.isSafeInteger(this.maxPendingWrites) || this.maxPendingWrites < 1) throw new BrokerError('invalid_data', `clone option 'maxPendingWrites' must be a positive integer`);
    this.maxRowBytes = options.maxRowBytes ?? STORE_ROW_MAX_BYTES;
    if (!Number.isSafeInteger(this.maxRowBytes) || this.maxRowBytes < 1) throw new BrokerError('invalid_data', `clone option 'maxRowBytes' must be a positive integer`);
    this.consumer = new ChannelConsumer<CloneCommand>(
      {
        consume: (cmd, seq) => {
          this.replicaSeq = seq;
          this.applyCommand(cmd);
        },
        send: (msg) => this.sendChannel(msg),
        outOfSync: (seq) => this.callbacks.notice?.({ kind: 'out-of-sync', seq }),
        producerLost: () => this.lose(),
      },
      { ...options.channel, handshakeInterval: Math.max(1, Math.round(resync / tick)) },
    );
    this.resendTicks = this.consumer.options.heartbeatInterval;
    this.consumer.requestHandshake();
  }

  /** The master, or null while none is known. */
  get master(): EntityId | null {
    return this.masterValue;
  }

  /** Whether reads answer `stale_data`. */
  get stale(): boolean {
    return this.staleValue;
  }

  /** How many writes wait for a master's acknowledgement (sent or buffered). */
  get pendingWrites(): number {
    return this.outbox.length;
  }

  /** The channel position: the master's sequence number the replica reflects. */
  get seq(): number {
    return this.consumer.delivered;
  }

  /**
   * Broker's `await_idle` condition for a clone: connected to a master, nothing missing in
   * the channel, every write acknowledged and visible in the replica.
   */
  get idle(): boolean {
    return this.install === null && this.masterValue !== null && this.consumer.idle && this.outbox.length === 0 && this.deferred.length === 0 && this.consumer.delivered >= this.ackSeq;
  }

  /**
   * Issues a write: sent to the master when one is known, buffered within
   * `mutationBufferInterval` otherwise, refused (reported through `callbacks.error`, and
   * answered when someone waits for it) when neither.
   * @param cmd - the write
   * @param requestId - for an acknowledged write: the id under which `callbacks.writeResult`
   *   answers it (a putUnique is always answered, under its own `requestId`)
   */
  write(cmd: WriteCommand, requestId?: number): void {
    const request = cmd.op === 'putUnique' ? cmd.requestId : requestId;
    if (this.closed) return this.refuse(cmd, 'shutting_down', 'the clone is closed', request);
    if (this.outbox.length >= this.maxPendingWrites) return this.refuse(cmd, 'unspecified', `${this.maxPendingWrites} writes already wait for the master`, request);
    const bytes = writeBytesOver(cmd, this.maxRowBytes);
    if (bytes > 0) return this.refuse(cmd, 'invalid_data', `its key and value would have ${bytes} bytes, more than the ${this.maxRowBytes} a row may have`, request);
    if (this.masterValue === null && !this.buffering()) return this.refuse(cmd, 'no_such_master', 'no master known and the mutation buffer interval is over', request);
    const w: PendingWrite = { writeId: this.nextWriteId++, command: ownCommand(cmd), ack: request !== undefined };
    if (request !== undefined) this.requests.set(w.writeId, request);
    this.outbox.push(w);
    if (this.masterValue !== null) this.sendWrite(w);
  }

  /**
   * Answers a query from the replica, or `stale_data` while stale.
   * @param q - the query
   */
  query(q: StoreQuery): QueryResult {
    if (this.staleValue || this.closed) return { ok: false, error: new BrokerError('stale_data', `store '${this.name}': the clone has no current master`) };
    return answerQuery(this.replica, q);
  }

  /**
   * Handles a message from the master (anything received on `cloneTopic(name)`); messages
   * for another store, clone or master are ignored, a malformed one is reported.
   * @param raw - the message
   */
  handle(raw: unknown): void {
    if (this.closed) return;
    let msg;
    try {
      msg = parseMasterMessage(raw);
    } catch (e) {
      this.callbacks.error(e as BrokerError);
      return;
    }
    if (msg.store !== this.name) return;
    if ('clone' in msg && msg.clone !== null && !sameEntity(msg.clone, this.id)) return;
    if (msg.type === 'ackClone') return this.handleAckClone(msg);
    if (msg.type === 'snapshotChunk') return this.handleSnapshotChunk(msg);
    if (!sameEntity(msg.master, this.masterValue)) return;
    switch (msg.type) {
      case 'event':
        this.consumer.handleEvent(msg.seq, msg.command);
        break;
      case 'heartbeat':
        this.consumer.handleHeartbeat(msg.seq);
        break;
      case 'retransmitFailed':
        this.consumer.handleRetransmitFailed(msg.seq, msg.epoch);
        break;
      case 'writeAck':
        this.handleWriteAck(msg);
        break;
    }
    this.flushDeferred();
  }

  /**
   * Moves the clock: turns stale `staleInterval` after the master's loss, and drops (and
   * reports) buffered writes once `mutationBufferInterval` has passed without a master.
   * @param now - the endpoint clock's current time
   */
  advance(now: Timestamp): void {
    if (this.closed) return;
    this.nowValue = now;
    if (this.masterValue !== null) return;
    if (!this.staleValue && this.staleIntervalNs !== null && now.ns >= this.lostAt + this.staleIntervalNs) {
      this.staleValue = true;
      this.callbacks.notice?.({ kind: 'stale' });
    }
    if (this.outbox.length > 0 && !this.buffering()) {
      const dropped = this.outbox;
      this.outbox = [];
      for (const w of dropped) this.refuse(w.command, 'no_such_master', 'no master found within the mutation buffer interval; the write may or may not have been applied', this.takeRequest(w.writeId));
    }
  }

  /**
   * One tick: {@link advance}, channel timeouts, handshake requests, NACKs and ACKs, and
   * the resend of writes the master has not acknowledged for a while.
   * @param now - the endpoint clock's current time
   */
  tick(now: Timestamp): void {
    if (this.closed) return;
    this.advance(now);
    this.ticks++;
    this.consumer.tick();
    this.watchAssembly();
    // Still here for the master while the events of its snapshot go out.
    const i = this.install;
    if (i !== null && i.pieces > 1 && this.ticks % this.resendTicks === 0) {
      const { master, offset, epoch } = i.head;
      this.callbacks.send({ type: 'snapshotAck', store: this.name, clone: this.id, master, offset, epoch, received: i.pieces });
    }
    if (this.masterValue !== null && this.outbox.length > 0 && this.ticks - this.lastWriteProgress >= this.resendTicks) {
      this.lastWriteProgress = this.ticks;
      for (const w of this.outbox) this.sendWrite(w);
    }
  }

  /**
   * Whether a snapshot is being installed: the host should call {@link installStep} in a
   * later turn of its event loop.
   */
  get installing(): boolean {
    return this.install !== null;
  }

  /**
   * One bounded step of installing a snapshot (its store events for a few thousand keys);
   * after the last, the clone completes the handshake and the channel's events follow.
   */
  installStep(): void {
    const i = this.install;
    if (i === null || this.closed || !i.events.step()) return;
    this.install = null;
    this.consumer.holdHandshakeRequests(false);
    this.attach(i.head, true);
  }

  /**
   * Tells the clone its master is gone (the host saw it go down) instead of waiting for
   * the channel timeout. Does nothing while no master is known.
   */
  masterLost(): void {
    if (this.closed || this.masterValue === null) return;
    this.consumer.reset();
    this.lose();
  }

  /**
   * Tells the clone a master may have become reachable (the host gained a peer): a clone
   * that has no master and is not receiving a snapshot asks for one now, instead of at its
   * next `resyncInterval`, which stays the fallback.
   */
  masterReachable(): void {
    if (this.closed || this.consumer.initialized || this.assembly !== null || this.install !== null) return;
    this.consumer.requestHandshake();
  }

  /** Says goodbye to the master (so it drops this clone at once) and stops. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.masterValue !== null) this.callbacks.send({ type: 'detach', store: this.name, clone: this.id, master: this.masterValue });
    this.closed = true;
    this.dropAssembly();
    this.install = null;
    this.replica.close();
  }

  private handleAckClone(msg: AckCloneMessage): void {
    if (this.masterValue !== null && !sameEntity(msg.master, this.masterValue)) return;
    // Install the snapshot before the consumer delivers events it held back.
    if (this.consumer.initialized || msg.epoch !== this.consumer.epoch || this.install !== null) return;
    if (msg.resumed === true) {
      // Only an answer to the resume point this clone asked for continues its replica.
      const o = this.origin;
      if (o === null || !sameEntity(msg.master, o.master) || msg.instance !== o.instance || msg.offset !== this.replicaSeq) return;
      this.dropAssembly();
      this.attach(msg, false);
      return;
    }
    if (msg.more !== true) {
      this.dropAssembly();
      let staged;
      try {
        staged = stagedEntries(msg.snapshot);
      } catch (e) {
        return this.badSnapshot(e);
      }
      this.beginInstall(msg, staged, 1);
      return;
    }
    // A repeat of the first piece (the master resumed a transfer): say where we are.
    if (this.assembly === null || !this.assembly.matches(msg)) {
      this.dropAssembly();
      try {
        this.assembly = new SnapshotAssembly(msg);
      } catch (e) {
        return this.badSnapshot(e);
      }
      this.consumer.holdHandshakeRequests(true);
      this.retryAsked = false;
      this.snapshotProgress();
    }
    this.sendSnapshotAck(false);
  }

  /** A snapshot with an entry the replica cannot hold: reported, and the clone asks again. */
  private badSnapshot(e: unknown): void {
    this.dropAssembly();
    this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('invalid_data', String(e)));
    this.consumer.resync();
  }

  private handleSnapshotChunk(msg: SnapshotChunkMessage): void {
    const a = this.assembly;
    if (a === null || !a.matches(msg) || this.consumer.initialized || msg.epoch !== this.consumer.epoch) return;
    let added;
    try {
      added = a.add(msg);
    } catch (e) {
      return this.badSnapshot(e);
    }
    switch (added) {
      case 'duplicate':
        // The master is sending: the transfer is alive, though it made no progress.
        this.assemblyHeard = this.ticks;
        this.consumer.handshakeProgress();
        return;
      case 'gap':
        if (!this.retryAsked) {
          this.retryAsked = true;
          this.sendSnapshotAck(true);
        }
        return;
      case 'added':
        this.retryAsked = false;
        this.snapshotProgress();
        this.sendSnapshotAck(false);
        if (!a.complete) return;
        this.assembly = null;
        // Handshake requests stay held until the install is done.
        this.beginInstall(a.head, a.take(), a.received);
    }
  }

  private dropAssembly(): void {
    if (this.assembly === null) return;
    this.assembly.close();
    this.assembly = null;
    this.consumer.holdHandshakeRequests(false);
  }

  /**
   * Makes a whole snapshot the replica (reads see it from now on, all of it) and starts
   * its store events, the first slice at once: a small snapshot is installed and the
   * handshake completed right here.
   * @param pieces - how many pieces it came in (the clone keeps acknowledging them while
   *   it installs, so that the master does not give it up)
   */
  private beginInstall(head: AckCloneMessage, staged: MemoryBackend, pieces: number): void {
    const old = this.replica;
    this.replica = staged;
    this.origin = head.instance === undefined ? null : { master: head.master, instance: head.instance };
    this.replicaSeq = head.offset;
    this.consumer.holdHandshakeRequests(true);
    this.install = { head, pieces, events: new SnapshotInstall(this.name, head.master, old, staged, (ev) => this.callbacks.event(ev)) };
    this.installStep();
  }

  /** Emits what is left of an install's events at once and completes it without a handshake (the master is gone). */
  private settleInstall(): void {
    const i = this.install;
    if (i === null) return;
    this.install = null;
    i.events.finish();
    this.consumer.holdHandshakeRequests(false);
  }

  private snapshotProgress(): void {
    this.assemblyHeard = this.ticks;
    this.retryWait = this.resendTicks;
    this.nextRetry = this.ticks + this.retryWait;
    this.consumer.handshakeProgress();
  }

  /**
   * At each tick, for a snapshot arriving in pieces: a retry a heartbeat interval after
   * the last new piece, then after twice as long each time without one (pieces of a busy
   * master or a slow link are late, not lost, and every retry makes the master send a
   * piece again: retrying at a fixed rate filled the link with repeats); abandoned (a new
   * epoch, a new handshake request) after the connection timeout without any piece, or
   * once the channel moved on to another epoch.
   */
  private watchAssembly(): void {
    const a = this.assembly;
    if (a === null) return;
    if (a.head.epoch !== this.consumer.epoch || this.consumer.initialized) {
      this.dropAssembly();
      return;
    }
    if (this.ticks - this.assemblyHeard >= this.consumer.options.connectionTimeout) {
      this.dropAssembly();
      this.consumer.resync();
    } else if (this.ticks >= this.nextRetry) {
      this.retryAsked = true;
      this.sendSnapshotAck(true);
      // At most a quarter of the connection timeout: a few retries still fit before the transfer is given up.
      this.retryWait = Math.min(this.retryWait * 2, Math.max(this.resendTicks, this.consumer.options.connectionTimeout >>> 2));
      this.nextRetry = this.ticks + this.retryWait;
    }
  }

  private sendSnapshotAck(retry: boolean): void {
    const a = this.assembly;
    if (a === null) return;
    const { master, offset, epoch } = a.head;
    this.callbacks.send({ type: 'snapshotAck', store: this.name, clone: this.id, master, offset, epoch, received: a.received, ...(retry ? { retry: true } : {}) });
  }

  /**
   * Completes the handshake once the replica shows the master's state at `head.offset`.
   * @param fresh - whether it came from a snapshot (a new channel: nothing keyed to the old
   *   one carries over), not from resuming the channel where the replica stood
   */
  private attach(head: AckCloneMessage, fresh: boolean): void {
    const c = this.consumer;
    const found = this.masterValue === null;
    this.masterValue = head.master;
    this.replicaSeq = head.offset;
    c.handleHandshake(entityKey(head.master), head.offset, head.epoch, head.heartbeatInterval, head.connectionTimeout, fresh ? undefined : head.latest);
    if (found) {
      this.staleValue = false;
      if (fresh) {
        // A new channel: answers keyed to the lost master's sequence numbers can wait no longer.
        this.ackSeq = 0;
        for (const d of this.deferred) this.callbacks.writeResult(d.requestId, d.outcome);
        this.deferred = [];
        // The lost master applied these putUniques but its answers went with it.
        for (const requestId of this.awaitingResult) {
          const error = new BrokerError('unspecified', `store '${this.name}': the master applied the putUnique but was lost before it answered`);
          this.callbacks.writeResult(requestId, { ok: false, error });
        }
        this.awaitingResult.clear();
      }
      this.callbacks.notice?.({ kind: 'master-found', master: head.master });
      this.lastWriteProgress = this.ticks;
      for (const w of this.outbox) this.sendWrite(w);
    }
    this.flushDeferred();
  }

  private handleWriteAck(msg: WriteAckMessage): void {
    if (msg.applied >= this.nextWriteId) return;
    let n = 0;
    while (n < this.outbox.length && this.outbox[n].writeId <= msg.applied) n++;
    if (n === 0) return;
    const settled = this.outbox.slice(0, n);
    this.outbox = this.outbox.slice(n);
    this.lastWriteProgress = this.ticks;
    if (msg.seq > this.ackSeq) this.ackSeq = msg.seq;
    const outcomes = new Map(msg.outcomes.map((o) => [o.writeId, o]));
    for (const w of settled) {
      const o = outcomes.get(w.writeId);
      let outcome: WriteOutcome = { ok: true };
      if (o?.error !== undefined) {
        const error = refusedByMaster(this.name, w.command, o.error.code, o.error.message);
        this.callbacks.error(error);
        outcome = { ok: false, error };
      } else if (o?.inserted !== undefined) outcome = { ok: true, inserted: o.inserted };
      const requestId = this.takeRequest(w.writeId);
      if (requestId === undefined) continue;
      if (o === undefined && w.command.op === 'putUnique') this.awaitingResult.add(requestId);
      else this.deferred.push({ requestId, outcome, seq: msg.seq });
    }
  }

  private flushDeferred(): void {
    if (this.deferred.length === 0 || !this.consumer.initialized) return;
    const delivered = this.consumer.delivered;
    const ready = this.deferred.filter((d) => d.seq <= delivered);
    if (ready.length === 0) return;
    this.deferred = this.deferred.filter((d) => d.seq > delivered);
    for (const d of ready) this.callbacks.writeResult(d.requestId, d.outcome);
  }

  /**
   * The master's answer to one of our putUniques arrived in channel order (the replica
   * shows its change): whoever waits for it is answered now, whether its write was still
   * pending, acknowledged and deferred, or acknowledged without an answer.
   */
  private putUniqueAnswered(requestId: number, inserted: boolean): void {
    let found = this.awaitingResult.delete(requestId);
    if (!found) {
      for (const [writeId, r] of this.requests) {
        if (r === requestId && this.outbox.some((w) => w.writeId === writeId && w.command.op === 'putUnique')) {
          this.requests.delete(writeId);
          found = true;
          break;
        }
      }
    }
    if (!found) {
      const i = this.deferred.findIndex((d) => d.requestId === requestId);
      if (i < 0) return;
      this.deferred.splice(i, 1);
    }
    this.callbacks.writeResult(requestId, { ok: true, inserted });
  }

  /** The request id waiting for a write, forgotten from now on. */
  private takeRequest(writeId: number): number | undefined {
    const requestId = this.requests.get(writeId);
    if (requestId !== undefined) this.requests.delete(writeId);
    return requestId;
  }

  private lose(): void {
    this.dropAssembly();
    this.settleInstall();
    const lost = this.masterValue;
    this.masterValue = null;
    this.lostAt = this.nowValue.ns;
    if (lost !== null) this.callbacks.notice?.({ kind: 'master-lost', master: lost });
    if (this.staleIntervalNs === 0n) this.advance(this.nowValue);
    this.consumer.requestHandshake();
  }

  private buffering(): boolean {
    return this.bufferIntervalNs !== null && this.nowValue.ns < this.lostAt + this.bufferIntervalNs;
  }

  private refuse(cmd: WriteCommand, code: 'no_such_master' | 'unspecified' | 'shutting_down' | 'invalid_data', reason: string, requestId: number | undefined): void {
    const error = writeError(this.name, cmd, code, reason);
    this.callbacks.error(error);
    if (requestId !== undefined) this.callbacks.writeResult(requestId, { ok: false, error });
  }

  private sendWrite(w: PendingWrite): void {
    const master = this.masterValue as EntityId;
    const base = this.outbox.length > 0 ? this.outbox[0].writeId : w.writeId;
    this.callbacks.send({ type: 'write', store: this.name, clone: this.id, master, writeId: w.writeId, base, command: w.command, ...(w.ack ? { ack: true } : {}) });
  }

  private sendChannel(msg: ConsumerMessage): void {
    const base = { store: this.name, clone: this.id };
    if (msg.kind === 'nack') {
      // A handshake request names the replica it could resume from.
      const o = msg.seqs.length === 1 && msg.seqs[0] === 0 ? this.origin : null;
      const resume = o === null ? {} : { resume: { master: o.master, instance: o.instance, seq: this.replicaSeq } };
      this.callbacks.send({ type: 'nack', ...base, master: this.masterValue, seqs: msg.seqs, epoch: msg.epoch, ...resume });
    }
    else if (this.masterValue !== null) this.callbacks.send({ type: 'ack', ...base, master: this.masterValue, seq: msg.seq, epoch: msg.epoch });
  }

  /** Applies one change from the master to the replica, with the master's events. */
  private applyCommand(cmd: CloneCommand): void {
    try {
      switch (cmd.op) {
        case 'put': {
          // One lookup for the old value's bytes; the event (and the old value decoded) is
          // built only if someone takes it.
          const old = this.replica.exchange(cmd.key, cmd.value);
          const { name } = this;
          const { key, value, expiry, publisher } = cmd;
          this.callbacks.event(old === undefined ? () => storeEvents.insert(name, key, value, expiry, publisher) : () => storeEvents.update(name, key, decodeBinary(old), value, expiry, publisher));
          break;
        }
        case 'erase':
          if (this.replica.erase(cmd.key)) this.callbacks.event(storeEvents.erase(this.name, cmd.key, cmd.publisher));
          break;
        case 'expire':
          if (this.replica.erase(cmd.key)) this.callbacks.event(storeEvents.expire(this.name, cmd.key, cmd.publisher));
          break;
        case 'clear':
          for (const key of this.replica.keyList()) this.callbacks.event(storeEvents.erase(this.name, key, cmd.publisher));
          this.replica.clear();
          break;
        case 'putUniqueResult':
          if (sameEntity(cmd.who, this.id)) this.putUniqueAnswered(cmd.requestId, cmd.inserted);
          break;
      }
    } catch (e) {
      // A change the replica cannot hold (not Broker data) means the replica can no longer be trusted.
      this.callbacks.error(e instanceof BrokerError ? e : new BrokerError('invalid_data', String(e)));
      this.origin = null;
      this.consumer.resync();
    }
  }
}

function ownCommand(cmd: WriteCommand): WriteCommand {
  switch (cmd.op) {
    case 'clear':
      return cmd;
    case 'erase':
      return { ...cmd, key: ownData(cmd.key) };
    default:
      return { ...cmd, key: ownData(cmd.key), value: ownData(cmd.value) };
  }
}

function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

function interval(ms: number, name: string, negativeAllowed: boolean): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || (!negativeAllowed && ms <= 0)) {
    throw new BrokerError('invalid_data', `clone option '${name}' must be a finite number of milliseconds${negativeAllowed ? '' : ' above 0'}, got ${String(ms)}`);
  }
  return ms;
}
