/**
 * A broker-ts store clone of a Broker master over Broker's store channel, without I/O.
 * The clone state machine keeps speaking broker-ts's store protocol; this bridge turns
 * its messages into `internal_command`s for a Broker master (on
 * `<store>/<$>/data/master`) and what a Broker master sends into that protocol.
 *
 * Broker's clone (libbroker/broker/internal/clone_actor.cc) consumes the master's
 * channel and produces its own writer channel to the master. Here:
 * - the clone's join request (a `nack` of 0 to any master) goes to Broker peers too;
 *   the `ack_clone` of a Broker master makes it the clone's master, and from then on the
 *   clone's ACKs and NACKs for it go out only in Broker's form;
 * - each attempt to join uses its own entity (the epoch in the object number, see
 *   native-entity.ts), so that Broker's answers name the epoch they belong to;
 * - the clone's writes become Broker's writer channel: `attach_writer` at the oldest
 *   unacknowledged write (repeated with the writes until the master ACKs it), then each
 *   write numbered by its write id, so that a write resent by the clone is a duplicate to
 *   Broker; the master's `cumulative_ack` becomes a `writeAck` without outcomes;
 * - putUnique answers arrive as `put_unique_result` changes in channel order.
 */
import { compare, encodeBinary, type Data } from '@broker-ts/data';
import type { InternalCommand } from '../../native/internal-command';
import { compareKeyBytes } from '../backend/sorting-rows';
import { DEFAULT_CHANNEL_OPTIONS } from '../channel';
import { entityKey, type CloneMessage, type EntityId, type MasterMessage } from '../state';
import { encodeSnapshotTable } from '../state/snapshot-table';
import { cloneCommandFromNative, writeCommandToNative } from './native-commands';
import { epochEntity, epochOf, fromBrokerSeq, fromNativeEntity, isNilEntity, NIL_ENTITY, toBrokerSeq, toNativeEntity } from './native-entity';
import type { BridgedOutput } from './native-master-bridge';

/** Most Broker masters the bridge remembers (a store has one; more appear only across restarts). */
const MAX_NATIVE_MASTERS = 16;

/** See the file comment. */
export class NativeCloneBridge {
  /** Broker masters that answered a join, by entity key (oldest first). */
  private readonly masters = new Set<string>();
  /** The epoch of the clone's latest ACK or NACK: its current attempt. */
  private epoch = 0;
  /** The writer channel opened with a Broker master: its key (master and epoch) and whether the master ACKed the attach. */
  private writer: { key: string; acked: boolean } | null = null;

  /**
   * @param name - the store name
   * @param id - the clone's identity
   */
  constructor(
    readonly name: string,
    readonly id: EntityId,
  ) {}

  /**
   * Translates a command a Broker peer sent on the clone topic into messages for the
   * clone state machine (none when it is not for this clone).
   * @param cmd - the decoded command
   * @throws BrokerError `invalid_data` for an entity broker-ts cannot name
   */
  inbound(cmd: InternalCommand): MasterMessage[] {
    const epoch = epochOf(this.id, cmd.receiver);
    const broadcast = isNilEntity(cmd.receiver);
    if (epoch === undefined && !broadcast) return [];
    const master = fromNativeEntity(cmd.sender);
    if (master === null) return [];
    const base = { store: this.name, master };
    const c = cmd.content;
    switch (c.type) {
      case 'ack_clone': {
        const offset = fromBrokerSeq(c.offset);
        if (epoch === undefined || offset === undefined) return [];
        this.knowMaster(master);
        const { heartbeatInterval, connectionTimeout } = DEFAULT_CHANNEL_OPTIONS;
        return [{ type: 'ackClone', ...base, clone: this.id, offset, epoch, heartbeatInterval: c.heartbeatInterval > 0 ? c.heartbeatInterval : heartbeatInterval, connectionTimeout, snapshot: snapshotTable(c.state) }];
      }
      case 'keepalive': {
        const seq = fromBrokerSeq(c.seq);
        return seq === undefined ? [] : [{ type: 'heartbeat', ...base, seq }];
      }
      case 'retransmit_failed': {
        const seq = fromBrokerSeq(c.seq);
        return seq === undefined || epoch === undefined ? [] : [{ type: 'retransmitFailed', ...base, clone: this.id, seq, epoch }];
      }
      case 'cumulative_ack': {
        // The master's consumer of our writes: everything up to this number is applied.
        const seq = fromBrokerSeq(c.seq);
        if (seq === undefined || epoch === undefined) return [];
        if (this.writer?.key === writerKey(master, epoch)) this.writer.acked = true;
        return [{ type: 'writeAck', ...base, clone: this.id, applied: seq, seq: 0, outcomes: [] }];
      }
      case 'nack':
        // The master misses some of our writes: the clone resends every unacknowledged write itself.
        return [];
      default: {
        const seq = fromBrokerSeq(cmd.seq);
        const command = cloneCommandFromNative(c, (who) => (epochOf(this.id, who) !== undefined ? this.id : fromNativeEntity(who)));
        if (seq === undefined || command === undefined) return [];
        return [{ type: 'event', ...base, clone: broadcast ? null : this.id, seq, command }];
      }
    }
  }

  /**
   * Translates a message of the clone: whether broker-ts peers get it, and the commands
   * for Broker peers.
   * @param msg - the clone's message
   * @throws BrokerError `invalid_data` when the clone's object number cannot carry an epoch
   */
  outbound(msg: CloneMessage): BridgedOutput {
    if (msg.type === 'nack' || msg.type === 'ack') this.epoch = msg.epoch;
    const self = epochEntity(this.id, this.epoch);
    if (msg.master === null) {
      // A join request to any master: Broker's clone sends it to everyone with no receiver.
      return { ours: true, native: [{ seq: 0n, sender: self, receiver: NIL_ENTITY, content: { type: 'nack', seqs: [0n] } }] };
    }
    if (!this.masters.has(entityKey(msg.master))) return { ours: true, native: [] };
    const master = toNativeEntity(msg.master);
    const to = (content: InternalCommand['content'], seq = 0n): InternalCommand => ({ seq, sender: self, receiver: master, content });
    switch (msg.type) {
      case 'nack':
        return { ours: false, native: [to({ type: 'nack', seqs: msg.seqs.map((s) => (s === 0 ? 0n : toBrokerSeq(s))) })] };
      case 'ack':
        return { ours: false, native: [to({ type: 'cumulative_ack', seq: toBrokerSeq(msg.seq) })] };
      case 'write': {
        const native: InternalCommand[] = [];
        const key = writerKey(msg.master, this.epoch);
        if (this.writer?.key !== key) this.writer = { key, acked: false };
        // Broker's master ignores writes before the attach; the attach is repeated until ACKed.
        if (!this.writer.acked) native.push(to({ type: 'attach_writer', offset: BigInt(msg.base), heartbeatInterval: DEFAULT_CHANNEL_OPTIONS.heartbeatInterval }));
        native.push(to(writeCommandToNative(msg.command, self), toBrokerSeq(msg.writeId)));
        return { ours: false, native };
      }
      case 'detach':
        // Broker has no goodbye (zeek/broker#142): its master times the clone out.
        return { ours: false, native: [] };
      case 'snapshotAck':
        // A Broker master sends its snapshot whole, in one ack_clone: nothing to acknowledge.
        return { ours: false, native: [] };
    }
  }

  private knowMaster(master: EntityId): void {
    const key = entityKey(master);
    this.masters.delete(key);
    this.masters.add(key);
    if (this.masters.size > MAX_NATIVE_MASTERS) this.masters.delete(this.masters.values().next().value as string);
  }
}

/**
 * A Broker master's snapshot as the tables of broker-ts's snapshot pieces: one table, or,
 * when it holds keys equal in Broker's order but encoded apart, a piece ending before
 * each second of them, as a table holds one of two equal keys. A Broker master can hold
 * `0.0` and `-0.0` as two keys: its SQLite backend keys rows by the encoding, and its
 * memory backend and snapshot are `std::unordered_map`s (`libbroker/broker/snapshot.hh`)
 * hashed with CAF's FNV hash, which tells `-0.0` from `0.0` (`caf/detail/ieee_754.hpp`).
 */
/**
 * A Broker master's snapshot as a broker-ts snapshot piece: the encoding of a table of its
 * entries in the order a broker-ts master sends them (Broker's order of the keys, keys
 * equal in it yet encoded apart, such as `0.0` and `-0.0`, by their encodings' bytes).
 * Written entry by entry rather than through a `BrokerTable`, which would hold one of two
 * equal keys: the clone stores each entry under its own encoding.
 */
function snapshotTable(state: ReadonlyArray<readonly [Data, Data]>): Uint8Array {
  const rows = state.map(([key, value]) => ({ order: key, key: encodeBinary(key), value: encodeBinary(value) }));
  rows.sort((a, b) => compare(a.order, b.order) || compareKeyBytes(a.key, b.key));
  return encodeSnapshotTable(rows);
}

function writerKey(master: EntityId, epoch: number): string {
  return `${entityKey(master)}@${epoch}`;
}
