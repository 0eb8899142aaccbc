/**
 * A broker-ts store master serving Broker clones over Broker's store channel, without
 * I/O. The master state machine keeps speaking broker-ts's store protocol; this bridge
 * turns what Broker clones send (`internal_command`s on `<store>/<$>/data/master`) into
 * that protocol and the master's messages into `internal_command`s for them.
 *
 * Broker's master has two kinds of channels (libbroker/broker/internal/master_actor.cc):
 * - its own producer to all clones (changes, `keepalive`, `ack_clone` with the snapshot,
 *   `retransmit_failed`), answered by each clone's `cumulative_ack` / `nack` (a `nack` of
 *   0 joins). These map one to one on the master's channel, whose numbers are Broker's
 *   minus one; a Broker clone has no epochs, so its requests carry epoch 0.
 * - one consumer per writing clone: the clone opens it with `attach_writer` and sends
 *   its writes numbered on it. The bridge runs Broker's consumer side for each such
 *   writer (in order, exactly once, ACKs every heartbeat so that the writer's path does
 *   not time out, NACKs for gaps) and hands the writes to the master with write ids
 *   equal to the channel's numbers, so the master's own duplicate check holds across a
 *   re-attach. The master's `writeAck`s are broker-ts's and never reach a Broker clone.
 */
import type { Data } from '@broker-ts/data';
import type { InternalCommand, EntityId as NativeEntityId } from '../../native/internal-command';
import { ChannelConsumer, DEFAULT_CHANNEL_OPTIONS, type ConsumerMessage } from '../channel';
import { entityKey, type CloneMessage, type EntityId, type MasterMessage, type WriteCommand } from '../state';
import { snapshotTableEntries } from '../state/snapshot-table';
import { cloneCommandToNative, writeCommandFromNative } from './native-commands';
import { fromBrokerSeq, fromNativeEntity, isNilEntity, NIL_ENTITY, toBrokerSeq, toNativeEntity } from './native-entity';

/** How one master message goes out: in broker-ts's form to broker-ts peers, and these commands to Broker peers. */
export interface BridgedOutput {
  /** Whether broker-ts peers need the message itself. */
  readonly ours: boolean;
  /** The commands for Broker peers (empty: none). */
  readonly native: InternalCommand[];
}

/** A message for broker-ts peers only. */
export const OURS_ONLY: BridgedOutput = Object.freeze({ ours: true, native: Object.freeze([]) as unknown as InternalCommand[] });

/** What the bridge does to the world. */
export interface NativeMasterBridgeCallbacks {
  /** A message for the master state machine (as if a broker-ts clone had sent it). */
  toMaster(msg: CloneMessage): void;
  /** A command for Broker peers, from the bridge itself (ACKs and NACKs to writers). */
  sendNative(cmd: InternalCommand): void;
}

/** One Broker clone writing to this master. */
interface Writer {
  readonly id: EntityId;
  readonly native: NativeEntityId;
  readonly consumer: ChannelConsumer<WriteCommand>;
  /** Its first write id on this channel (everything below it belongs to an earlier attach). */
  base: number;
}

/** Most Broker clones (and writers) the bridge keeps track of; the least recently heard is forgotten beyond. */
const MAX_NATIVE_CLONES = 4096;

/** See the file comment. */
export class NativeMasterBridge {
  /** Broker clones heard from, by entity key, with the tick they were last heard at (oldest first). */
  private readonly clones = new Map<string, number>();
  /** Broker clones writing to this master, by entity key. */
  private readonly writers = new Map<string, Writer>();
  /**
   * Snapshots sent in pieces to Broker clones, gathered into one `ack_clone`, by clone
   * key (at most one per Broker clone, and Broker clones are bounded by MAX_NATIVE_CLONES).
   */
  private readonly assembling = new Map<string, { offset: number; heartbeatInterval: number; state: Array<[Data, Data]> }>();
  private ticks = 0;
  private readonly native: NativeEntityId;

  /**
   * @param name - the store name
   * @param id - the master's identity
   * @param callbacks - outputs
   */
  constructor(
    readonly name: string,
    readonly id: EntityId,
    private readonly callbacks: NativeMasterBridgeCallbacks,
  ) {
    this.native = toNativeEntity(id);
  }

  /** How many Broker clones the bridge knows. */
  get brokerClones(): number {
    return this.clones.size;
  }

  /** Whether every Broker writer's channel is idle (nothing missing or held). */
  get idle(): boolean {
    for (const w of this.writers.values()) if (!w.consumer.idle) return false;
    return true;
  }

  /**
   * Handles a command a Broker peer sent on the master topic.
   * @param cmd - the decoded command
   * @throws BrokerError `invalid_data` for an entity broker-ts cannot name
   */
  inbound(cmd: InternalCommand): void {
    if (!isNilEntity(cmd.receiver) && !(cmd.receiver.endpoint === this.native.endpoint && cmd.receiver.object === this.native.object)) return;
    const sender = fromNativeEntity(cmd.sender);
    if (sender === null) return;
    const key = entityKey(sender);
    const base = { store: this.name, clone: sender };
    const c = cmd.content;
    switch (c.type) {
      case 'nack': {
        this.heard(key);
        const seqs = c.seqs.length === 1 && c.seqs[0] === 0n ? [0] : c.seqs.map(fromBrokerSeq);
        if (seqs.some((s) => s === undefined || (s === 0 && c.seqs.length > 1))) return;
        this.callbacks.toMaster({ type: 'nack', ...base, master: seqs[0] === 0 ? null : this.id, seqs: seqs as number[], epoch: 0 });
        return;
      }
      case 'cumulative_ack': {
        const seq = fromBrokerSeq(c.seq);
        if (seq === undefined) return;
        this.heard(key);
        this.callbacks.toMaster({ type: 'ack', ...base, master: this.id, seq, epoch: 0 });
        return;
      }
      case 'attach_writer': {
        const offset = fromBrokerSeq(c.offset);
        if (offset === undefined || this.writers.get(key)?.consumer.initialized === true) return; // Broker ignores a repeated attach
        this.heard(key);
        this.attach(sender, cmd.sender, key, offset, c.heartbeatInterval);
        return;
      }
      case 'keepalive':
      case 'retransmit_failed': {
        const w = this.writers.get(key);
        const seq = fromBrokerSeq(c.seq);
        if (w === undefined || seq === undefined) return;
        this.heard(key);
        if (c.type === 'keepalive') w.consumer.handleHeartbeat(seq);
        else w.consumer.handleRetransmitFailed(seq, w.consumer.epoch);
        return;
      }
      default: {
        const w = this.writers.get(key);
        const seq = fromBrokerSeq(cmd.seq);
        const write = writeCommandFromNative(c);
        // Broker's master ignores writes of a clone that has not attached.
        if (w === undefined || seq === undefined || write === undefined) return;
        this.heard(key);
        w.consumer.handleEvent(seq, write);
      }
    }
  }

  /**
   * Translates a message of the master: what broker-ts peers get, and the commands for
   * Broker peers. Nothing is translated while no Broker clone is known.
   * @param msg - the master's message
   */
  outbound(msg: MasterMessage): BridgedOutput {
    const to = 'clone' in msg && msg.clone !== null ? msg.clone : null;
    const toBroker = to !== null && this.clones.has(entityKey(to));
    const ours = !toBroker;
    if (this.clones.size === 0) return OURS_ONLY;
    const receiver = to === null ? NIL_ENTITY : toNativeEntity(to);
    const command = (seq: bigint, content: InternalCommand['content']): BridgedOutput => ({ ours, native: [{ seq, sender: this.native, receiver, content }] });
    switch (msg.type) {
      case 'ackClone':
        if (!toBroker) return { ours, native: [] };
        if (msg.more === true) {
          // Broker's channel has no snapshot pieces: gather them (acknowledging each to the
          // master in the clone's place) and send one ack_clone once the last arrived.
          this.assembling.set(entityKey(to), { offset: msg.offset, heartbeatInterval: msg.heartbeatInterval, state: snapshotTableEntries(msg.snapshot) });
          this.ackPiece(to, msg.offset, msg.epoch, 1);
          return { ours, native: [] };
        }
        this.assembling.delete(entityKey(to));
        return command(toBrokerSeq(msg.offset), { type: 'ack_clone', offset: toBrokerSeq(msg.offset), heartbeatInterval: msg.heartbeatInterval, state: snapshotTableEntries(msg.snapshot) });
      case 'snapshotChunk': {
        if (!toBroker) return { ours, native: [] };
        const key = entityKey(to);
        const whole = this.assembling.get(key);
        if (whole === undefined || whole.offset !== msg.offset) return { ours, native: [] };
        for (const entry of snapshotTableEntries(msg.snapshot)) whole.state.push(entry);
        this.ackPiece(to, msg.offset, msg.epoch, msg.index + 1);
        if (!msg.last) return { ours, native: [] };
        this.assembling.delete(key);
        return command(toBrokerSeq(whole.offset), { type: 'ack_clone', offset: toBrokerSeq(whole.offset), heartbeatInterval: whole.heartbeatInterval, state: whole.state });
      }
      case 'event':
        if (to !== null && !toBroker) return { ours, native: [] };
        return command(toBrokerSeq(msg.seq), cloneCommandToNative(msg.command));
      case 'heartbeat':
        return command(0n, { type: 'keepalive', seq: toBrokerSeq(msg.seq) });
      case 'retransmitFailed':
        if (!toBroker) return { ours, native: [] };
        return command(0n, { type: 'retransmit_failed', seq: toBrokerSeq(msg.seq) });
      case 'writeAck':
        return { ours, native: [] };
    }
  }

  /** Tells the master that a Broker clone holds the first `received` pieces of its snapshot. */
  private ackPiece(clone: EntityId, offset: number, epoch: number, received: number): void {
    this.callbacks.toMaster({ type: 'snapshotAck', store: this.name, clone, master: this.id, offset, epoch, received });
  }

  /** One store tick: the writers' ACKs, NACKs and timeouts; Broker clones silent for a connection timeout are forgotten. */
  tick(): void {
    this.ticks++;
    for (const w of [...this.writers.values()]) w.consumer.tick();
    for (const [key, last] of this.clones) {
      if (this.ticks - last < DEFAULT_CHANNEL_OPTIONS.connectionTimeout) break;
      this.clones.delete(key);
      this.assembling.delete(key);
    }
  }

  private heard(key: string): void {
    this.clones.delete(key);
    this.clones.set(key, this.ticks);
    if (this.clones.size > MAX_NATIVE_CLONES) {
      const oldest = this.clones.keys().next().value as string;
      this.clones.delete(oldest);
      this.writers.delete(oldest);
      this.assembling.delete(oldest);
    }
  }

  private attach(id: EntityId, native: NativeEntityId, key: string, offset: number, heartbeatInterval: number): void {
    const base = offset + 1;
    const consumer: ChannelConsumer<WriteCommand> = new ChannelConsumer<WriteCommand>({
      consume: (command, seq) => this.callbacks.toMaster({ type: 'write', store: this.name, clone: id, master: this.id, writeId: seq, base: writer.base, command }),
      send: (m) => this.callbacks.sendNative({ seq: 0n, sender: this.native, receiver: native, content: writerControl(m) }),
      producerLost: () => {
        if (this.writers.get(key) === writer) this.writers.delete(key);
      },
    });
    const writer: Writer = { id, native, consumer, base };
    this.writers.set(key, writer);
    consumer.handleHandshake(key, offset, consumer.epoch, heartbeatInterval > 0 ? heartbeatInterval : DEFAULT_CHANNEL_OPTIONS.heartbeatInterval, DEFAULT_CHANNEL_OPTIONS.connectionTimeout);
  }
}

/** A writer channel's consumer message in Broker's form (a `nack` of 0 asks the writer to attach again). */
function writerControl(m: ConsumerMessage): InternalCommand['content'] {
  if (m.kind === 'ack') return { type: 'cumulative_ack', seq: toBrokerSeq(m.seq) };
  return { type: 'nack', seqs: m.seqs.map((s) => (s === 0 ? 0n : toBrokerSeq(s))) };
}
