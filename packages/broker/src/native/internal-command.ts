/**
 * Broker's `internal_command` (libbroker/broker/internal_command.hh) in the binary format
 * of libbroker/broker/format/bin.hh: the payload of COMMAND messages on the store
 * channel. Layout: `seq` (u64), `sender` and `receiver` entity ids (16-byte endpoint id,
 * u64 object), then the content variant as a u8 index and the alternative's fields in
 * declaration order. `optional<T>` is a flag byte then `T`; `timespan` an i64 of
 * nanoseconds; `data::type` a u8; `tick_interval_type` a u16; lists and the snapshot map
 * a varbyte size then the elements.
 */
import { BrokerError, type Data, DATA_TYPE_NAMES, type DataInput, type DataTypeName, Timespan } from '@broker-ts/data';
import { WireReader } from './wire-reader';
import { WireWriter } from './wire-writer';

/** Broker's `entity_id`: an endpoint and an object (0 = the endpoint itself). */
export interface EntityId {
  /** Endpoint id (UUID text). */
  endpoint: string;
  /** Object id within the endpoint. */
  object: bigint;
}

/** Fields every store mutation carries: who published it. */
interface Published {
  /** The entity that issued the mutation. */
  publisher: EntityId;
}

/** Stores `value` under `key`. */
export interface PutCommand extends Published {
  type: 'put';
  key: Data;
  value: Data;
  /** Time to live, or null for none. */
  expiry: Timespan | null;
}

/** Stores `value` under `key` unless the key exists; the master answers with a result. */
export interface PutUniqueCommand extends Published {
  type: 'put_unique';
  key: Data;
  value: Data;
  expiry: Timespan | null;
  /** Who waits for the answer. */
  who: EntityId;
  /** The request the answer belongs to. */
  reqId: bigint;
}

/** The master's answer to a put_unique. */
export interface PutUniqueResultCommand extends Published {
  type: 'put_unique_result';
  inserted: boolean;
  who: EntityId;
  reqId: bigint;
}

/** Removes `key`. */
export interface EraseCommand extends Published {
  type: 'erase';
  key: Data;
}

/** Removes `key` because its expiry passed. */
export interface ExpireCommand extends Published {
  type: 'expire';
  key: Data;
}

/** Adds `value` to the value under `key`, creating it as `initType` if absent. */
export interface AddCommand extends Published {
  type: 'add';
  key: Data;
  value: Data;
  /** Type of the value created when the key is absent. */
  initType: DataTypeName;
  expiry: Timespan | null;
}

/** Subtracts `value` from the value under `key`. */
export interface SubtractCommand extends Published {
  type: 'subtract';
  key: Data;
  value: Data;
  expiry: Timespan | null;
}

/** Removes every key. */
export interface ClearCommand extends Published {
  type: 'clear';
}

/** A writer (clone or master) opens its channel at `offset`. */
export interface AttachWriterCommand {
  type: 'attach_writer';
  offset: bigint;
  /** Heartbeat interval in ticks. */
  heartbeatInterval: number;
}

/** Producer heartbeat carrying the last sequence number. */
export interface KeepaliveCommand {
  type: 'keepalive';
  seq: bigint;
}

/** Consumer acknowledges everything up to `seq`. */
export interface CumulativeAckCommand {
  type: 'cumulative_ack';
  seq: bigint;
}

/** Consumer asks for the retransmission of `seqs` (empty: a handshake request). */
export interface NackCommand {
  type: 'nack';
  seqs: bigint[];
}

/** The master's answer to a clone's attach: the channel offset and the whole state. */
export interface AckCloneCommand {
  type: 'ack_clone';
  offset: bigint;
  heartbeatInterval: number;
  /** The snapshot, as key/value pairs (Broker's unordered map, in wire order). */
  state: Array<[Data, Data]>;
}

/** Producer cannot retransmit `seq`. */
export interface RetransmitFailedCommand {
  type: 'retransmit_failed';
  seq: bigint;
}

/** The content of an internal command (Broker's `internal_command_variant`). */
export type InternalCommandContent =
  | PutCommand
  | PutUniqueCommand
  | PutUniqueResultCommand
  | EraseCommand
  | ExpireCommand
  | AddCommand
  | SubtractCommand
  | ClearCommand
  | AttachWriterCommand
  | KeepaliveCommand
  | CumulativeAckCommand
  | NackCommand
  | AckCloneCommand
  | RetransmitFailedCommand;

/** The variant alternatives in Broker's index order. */
export const INTERNAL_COMMAND_TYPES = [
  'put',
  'put_unique',
  'put_unique_result',
  'erase',
  'expire',
  'add',
  'subtract',
  'clear',
  'attach_writer',
  'keepalive',
  'cumulative_ack',
  'nack',
  'ack_clone',
  'retransmit_failed',
] as const satisfies readonly InternalCommandContent['type'][];

/** A command on a store channel. */
export interface InternalCommand {
  /** Sequence number on the channel (0 for control messages). */
  seq: bigint;
  /** The sending entity. */
  sender: EntityId;
  /** The receiving entity (nil endpoint for "all clones"). */
  receiver: EntityId;
  /** What the command does. */
  content: InternalCommandContent;
}

function writeEntity(w: WireWriter, id: EntityId): void {
  w.endpointId(id.endpoint).u64(id.object);
}

function writeExpiry(w: WireWriter, expiry: Timespan | null): void {
  if (expiry === null) w.bool(false);
  else w.bool(true).i64(expiry.ns);
}

function writeData(w: WireWriter, value: Data): void {
  w.data(value as DataInput);
}

/**
 * Encodes an internal command in Broker's binary format.
 * @param cmd - the command
 * @returns the COMMAND payload bytes
 * @throws BrokerError `invalid_data` for an unknown content type or a field out of range
 */
export function encodeInternalCommand(cmd: InternalCommand): Buffer {
  const w = new WireWriter(128);
  w.u64(cmd.seq);
  writeEntity(w, cmd.sender);
  writeEntity(w, cmd.receiver);
  const c = cmd.content;
  const index = (INTERNAL_COMMAND_TYPES as readonly string[]).indexOf(c.type);
  if (index < 0) throw new BrokerError('invalid_data', `unknown internal command type ${String((c as { type: unknown }).type)}`);
  w.u8(index);
  switch (c.type) {
    case 'put':
      writeData(w, c.key);
      writeData(w, c.value);
      writeExpiry(w, c.expiry);
      writeEntity(w, c.publisher);
      break;
    case 'put_unique':
      writeData(w, c.key);
      writeData(w, c.value);
      writeExpiry(w, c.expiry);
      writeEntity(w, c.who);
      w.u64(c.reqId);
      writeEntity(w, c.publisher);
      break;
    case 'put_unique_result':
      w.bool(c.inserted);
      writeEntity(w, c.who);
      w.u64(c.reqId);
      writeEntity(w, c.publisher);
      break;
    case 'erase':
    case 'expire':
      writeData(w, c.key);
      writeEntity(w, c.publisher);
      break;
    case 'add': {
      const tag = DATA_TYPE_NAMES.indexOf(c.initType);
      if (tag < 0) throw new BrokerError('invalid_data', `unknown data type ${String(c.initType)}`);
      writeData(w, c.key);
      writeData(w, c.value);
      w.u8(tag);
      writeExpiry(w, c.expiry);
      writeEntity(w, c.publisher);
      break;
    }
    case 'subtract':
      writeData(w, c.key);
      writeData(w, c.value);
      writeExpiry(w, c.expiry);
      writeEntity(w, c.publisher);
      break;
    case 'clear':
      writeEntity(w, c.publisher);
      break;
    case 'attach_writer':
      w.u64(c.offset).u16(c.heartbeatInterval);
      break;
    case 'keepalive':
    case 'cumulative_ack':
    case 'retransmit_failed':
      w.u64(c.seq);
      break;
    case 'nack':
      w.varbyte(c.seqs.length);
      for (const s of c.seqs) w.u64(s);
      break;
    case 'ack_clone':
      w.u64(c.offset).u16(c.heartbeatInterval).varbyte(c.state.length);
      for (const [k, v] of c.state) {
        writeData(w, k);
        writeData(w, v);
      }
      break;
  }
  return w.finish();
}

function readEntity(r: WireReader, what: string): EntityId {
  return { endpoint: r.endpointId(`${what}.endpoint`), object: r.u64(`${what}.object`) };
}

function readExpiry(r: WireReader): Timespan | null {
  return r.bool('expiry flag') ? new Timespan(r.i64('expiry')) : null;
}

function readContent(r: WireReader): InternalCommandContent {
  const index = r.u8('command type');
  const type = INTERNAL_COMMAND_TYPES[index];
  switch (type) {
    case 'put':
      return { type, key: r.data('key'), value: r.data('value'), expiry: readExpiry(r), publisher: readEntity(r, 'publisher') };
    case 'put_unique':
      return {
        type,
        key: r.data('key'),
        value: r.data('value'),
        expiry: readExpiry(r),
        who: readEntity(r, 'who'),
        reqId: r.u64('req_id'),
        publisher: readEntity(r, 'publisher'),
      };
    case 'put_unique_result':
      return { type, inserted: r.bool('inserted'), who: readEntity(r, 'who'), reqId: r.u64('req_id'), publisher: readEntity(r, 'publisher') };
    case 'erase':
    case 'expire':
      return { type, key: r.data('key'), publisher: readEntity(r, 'publisher') };
    case 'add': {
      const key = r.data('key');
      const value = r.data('value');
      const tag = r.u8('init_type');
      const initType = DATA_TYPE_NAMES[tag];
      if (initType === undefined) r.fail(`unknown data type ${tag}`);
      return { type, key, value, initType, expiry: readExpiry(r), publisher: readEntity(r, 'publisher') };
    }
    case 'subtract':
      return { type, key: r.data('key'), value: r.data('value'), expiry: readExpiry(r), publisher: readEntity(r, 'publisher') };
    case 'clear':
      return { type, publisher: readEntity(r, 'publisher') };
    case 'attach_writer':
      return { type, offset: r.u64('offset'), heartbeatInterval: r.u16('heartbeat_interval') };
    case 'keepalive':
    case 'cumulative_ack':
    case 'retransmit_failed':
      return { type, seq: r.u64('seq') };
    case 'nack': {
      const n = r.varbyte('size of seqs');
      if (n * 8 > r.remaining) r.fail(`nack announces ${n} sequence numbers`);
      const seqs: bigint[] = [];
      for (let i = 0; i < n; i++) seqs.push(r.u64('seq'));
      return { type, seqs };
    }
    case 'ack_clone': {
      const offset = r.u64('offset');
      const heartbeatInterval = r.u16('heartbeat_interval');
      const n = r.varbyte('size of state');
      if (n * 2 > r.remaining) r.fail(`ack_clone announces ${n} entries`);
      const state: Array<[Data, Data]> = [];
      for (let i = 0; i < n; i++) state.push([r.data('state key'), r.data('state value')]);
      return { type, offset, heartbeatInterval, state };
    }
    default:
      return r.fail(`unknown internal command type ${index}`);
  }
}

/**
 * Decodes an internal command from Broker's binary format. Trailing bytes are refused.
 * @param payload - the COMMAND payload
 * @returns the command
 * @throws BrokerError `invalid_data` naming the field and offset of the problem
 */
export function decodeInternalCommand(payload: Uint8Array): InternalCommand {
  const r = new WireReader(payload, 'invalid_data');
  const seq = r.u64('seq');
  const sender = readEntity(r, 'sender');
  const receiver = readEntity(r, 'receiver');
  const content = readContent(r);
  if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes after the command`);
  return { seq, sender, receiver, content };
}
