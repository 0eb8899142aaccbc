import { BrokerError, isErrorCodeName, Timespan, type Data, type ErrorCodeName } from '@broker-ts/data';
import { isEntityId, type EntityId } from './entity-id';
import type { WriteCommand } from './write-command';

/**
 * The whole master/clone wire protocol of a data store (one file, as Comlink keeps its
 * protocol). Every message is plain data: strings, numbers, `EntityId` objects and Broker
 * `Data`, so that it crosses threads and processes through cbor. The master subscribes to
 * `masterTopic(store)` and receives {@link CloneMessage}s; clones subscribe to
 * `cloneTopic(store)` and receive {@link MasterMessage}s. A message with a `clone` (or
 * `master`) field set is meant for that entity only; others ignore it.
 */

/** A change the master broadcasts to clones over the reliable channel (the channel's payload). */
export type CloneCommand =
  | { readonly op: 'put'; readonly key: Data; readonly value: Data; readonly expiry: Timespan | null; readonly publisher: EntityId | null }
  | { readonly op: 'erase'; readonly key: Data; readonly publisher: EntityId | null }
  | { readonly op: 'expire'; readonly key: Data; readonly publisher: EntityId | null }
  | { readonly op: 'clear'; readonly publisher: EntityId | null }
  /**
   * The answer to a putUnique, in channel order right after its change (Broker's
   * `put_unique_result_command`): `who` asked under `requestId`. Clones other than `who`
   * ignore it; it changes no replica.
   */
  | { readonly op: 'putUniqueResult'; readonly inserted: boolean; readonly who: EntityId | null; readonly requestId: number; readonly publisher: EntityId | null };

/** The outcome of one clone write, as the master reports it back. */
export interface WireOutcome {
  /** The clone's write id. */
  readonly writeId: number;
  /** For `putUnique`: whether it inserted. */
  readonly inserted?: boolean;
  /** For a rejected write: Broker's error code name and the message. */
  readonly error?: { readonly code: ErrorCodeName; readonly message: string };
}

/**
 * Master → clone: the handshake answer, with the state at sequence number `offset`: the
 * whole of it, or (`more` set) its first piece, the rest following in
 * {@link SnapshotChunkMessage}s paced by the clone's {@link SnapshotAckMessage}s, so that
 * no message comes near the transport's frame limit.
 */
export interface AckCloneMessage {
  readonly type: 'ackClone';
  readonly store: string;
  readonly master: EntityId;
  readonly clone: EntityId;
  /** Channel sequence number the snapshot corresponds to; events after it follow. */
  readonly offset: number;
  /** The clone epoch this answers. */
  readonly epoch: number;
  /** Channel heartbeat interval in ticks. */
  readonly heartbeatInterval: number;
  /** Channel connection timeout in ticks. */
  readonly connectionTimeout: number;
  /**
   * Every entry, key → value; with `more`: the first entries in key order. As the Broker
   * binary encoding of a table (the master's stored rows behind a table's header), so
   * that rows travel without being decoded and encoded again.
   */
  readonly snapshot: Uint8Array;
  /** Set when {@link SnapshotChunkMessage}s follow (absent: the snapshot is whole). */
  readonly more?: boolean;
  /**
   * This master's instance: random, new each time a master starts. A clone that loses the
   * master names it when it asks to resume ({@link ResumePoint}). Absent from a master
   * that cannot resume clones (a Broker master through the bridge).
   */
  readonly instance?: string;
  /**
   * Set when the clone resumes from what it holds ({@link CloneNackMessage.resume}):
   * `snapshot` is empty, `offset` is the position it resumes from, and the events after
   * it follow.
   */
  readonly resumed?: boolean;
  /** With `resumed`: the master's latest change then; the clone is not idle before it has it. */
  readonly latest?: number;
}

/**
 * Master → clone: piece `index` (from 1; the `ackClone` is piece 0) of the snapshot of
 * the handshake (`epoch`, `offset`), in key order after the previous piece.
 */
export interface SnapshotChunkMessage {
  readonly type: 'snapshotChunk';
  readonly store: string;
  readonly master: EntityId;
  readonly clone: EntityId;
  /** The `offset` of the `ackClone` this continues. */
  readonly offset: number;
  /** The clone epoch this answers. */
  readonly epoch: number;
  /** Its position, from 1. */
  readonly index: number;
  /** Its entries, as the Broker binary encoding of a table (see {@link AckCloneMessage.snapshot}). */
  readonly snapshot: Uint8Array;
  /** Whether it completes the snapshot. */
  readonly last: boolean;
}

/** Master → clones: one change in channel order (`clone` null: broadcast; set: a retransmission). */
export interface CommandEventMessage {
  readonly type: 'event';
  readonly store: string;
  readonly master: EntityId;
  readonly clone: EntityId | null;
  readonly seq: number;
  readonly command: CloneCommand;
}

/** Master → clones: alive, latest sequence number `seq`. */
export interface MasterHeartbeatMessage {
  readonly type: 'heartbeat';
  readonly store: string;
  readonly master: EntityId;
  readonly seq: number;
}

/** Master → clone: event `seq` cannot be retransmitted; the clone must resync. */
export interface RetransmitFailedStoreMessage {
  readonly type: 'retransmitFailed';
  readonly store: string;
  readonly master: EntityId;
  readonly clone: EntityId;
  readonly seq: number;
  readonly epoch: number;
}

/**
 * Master → clone: every write of that clone up to `applied` has been evaluated; the
 * master's channel was at `seq` then, so once the clone has delivered `seq` its replica
 * shows them. `outcomes` lists putUnique answers and rejections not yet confirmed.
 */
export interface WriteAckMessage {
  readonly type: 'writeAck';
  readonly store: string;
  readonly master: EntityId;
  readonly clone: EntityId;
  readonly applied: number;
  readonly seq: number;
  readonly outcomes: readonly WireOutcome[];
}

/** Everything a master sends (on `cloneTopic(store)`). */
export type MasterMessage = AckCloneMessage | SnapshotChunkMessage | CommandEventMessage | MasterHeartbeatMessage | RetransmitFailedStoreMessage | WriteAckMessage;

/**
 * Where a clone's replica stands: the master instance it came from and the last sequence
 * number of that master's channel it reflects.
 */
export interface ResumePoint {
  readonly master: EntityId;
  readonly instance: string;
  readonly seq: number;
}

/** Clone → master: missing events, or `[0]` to join (`master` null: any master of the store, the rendezvous). */
export interface CloneNackMessage {
  readonly type: 'nack';
  readonly store: string;
  readonly clone: EntityId;
  readonly master: EntityId | null;
  readonly seqs: readonly number[];
  readonly epoch: number;
  /**
   * With `[0]`: the replica the clone holds. The master it names, if it is still the same
   * instance and still holds the events after `seq`, resumes the clone there (an
   * `ackClone` with `resumed`) instead of sending a snapshot.
   */
  readonly resume?: ResumePoint;
}

/** Clone → master: cumulative ACK and keepalive. */
export interface CloneAckMessage {
  readonly type: 'ack';
  readonly store: string;
  readonly clone: EntityId;
  readonly master: EntityId;
  readonly seq: number;
  readonly epoch: number;
}

/**
 * Clone → master: a write. Write ids count the clone's writes from 1; `base` is the
 * lowest write id the clone has not seen acknowledged (everything below it is settled).
 */
export interface CloneWriteMessage {
  readonly type: 'write';
  readonly store: string;
  readonly clone: EntityId;
  readonly master: EntityId;
  readonly writeId: number;
  readonly base: number;
  readonly command: WriteCommand;
  /**
   * Set when the writer waits for the outcome (an acknowledged write): the master sends
   * its `writeAck` as soon as the write is applied and durable instead of at the next
   * tick. Optional, so that a master that does not know it still answers at its tick.
   */
  readonly ack?: boolean;
}

/** Clone → master: the clone goes away (Broker has no such message: zeek/broker#142). */
export interface CloneDetachMessage {
  readonly type: 'detach';
  readonly store: string;
  readonly clone: EntityId;
  readonly master: EntityId;
}

/**
 * Clone → master: it holds the first `received` pieces of the snapshot of the handshake
 * (`epoch`, `offset`); the master keeps a bounded window of pieces in flight beyond it.
 * `retry` asks the master to send again from piece `received` (one went missing).
 */
export interface SnapshotAckMessage {
  readonly type: 'snapshotAck';
  readonly store: string;
  readonly clone: EntityId;
  readonly master: EntityId;
  readonly offset: number;
  readonly epoch: number;
  readonly received: number;
  readonly retry?: boolean;
}

/** Everything a clone sends (on `masterTopic(store)`). */
export type CloneMessage = CloneNackMessage | CloneAckMessage | CloneWriteMessage | CloneDetachMessage | SnapshotAckMessage;

/** Most sequence numbers a NACK may list on the wire. */
const MAX_WIRE_SEQS = 65536;

function bad(what: string): never {
  throw new BrokerError('invalid_message', `malformed store message: ${what}`);
}

function record(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad(`${what} is not an object`);
  return x as Record<string, unknown>;
}

function seqField(m: Record<string, unknown>, name: string): void {
  const v = m[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`'${name}' must be a non-negative integer`);
}

function entityField(m: Record<string, unknown>, name: string, nullable = false): void {
  const v = m[name];
  if (nullable && v === null) return;
  if (!isEntityId(v)) bad(`'${name}' must be an entity id${nullable ? ' or null' : ''}`);
}

function has(m: Record<string, unknown>, name: string): void {
  if (!(name in m) || m[name] === undefined) bad(`'${name}' is missing`);
}

function expiryField(m: Record<string, unknown>): void {
  if (m.expiry !== null && !(m.expiry instanceof Timespan)) bad(`'expiry' must be a timespan or null`);
}

function checkCloneCommand(x: unknown): void {
  const c = record(x, 'command');
  entityField(c, 'publisher', true);
  switch (c.op) {
    case 'put':
      has(c, 'key');
      has(c, 'value');
      expiryField(c);
      return;
    case 'erase':
    case 'expire':
      has(c, 'key');
      return;
    case 'clear':
      return;
    case 'putUniqueResult':
      if (typeof c.inserted !== 'boolean') bad(`'inserted' must be a boolean`);
      entityField(c, 'who', true);
      seqField(c, 'requestId');
      return;
    default:
      bad(`unknown command op ${JSON.stringify(c.op)}`);
  }
}

function checkWriteCommand(x: unknown): void {
  const c = record(x, 'command');
  entityField(c, 'publisher', true);
  switch (c.op) {
    case 'put':
    case 'putUnique':
    case 'subtract':
      has(c, 'key');
      has(c, 'value');
      expiryField(c);
      if (c.op === 'putUnique') {
        seqField(c, 'requestId');
        if (c.who !== undefined) entityField(c, 'who');
      }
      return;
    case 'add':
      has(c, 'key');
      has(c, 'value');
      expiryField(c);
      if (typeof c.initType !== 'string') bad(`'initType' must be a type name`);
      return;
    case 'erase':
      has(c, 'key');
      return;
    case 'clear':
      return;
    default:
      bad(`unknown write op ${JSON.stringify(c.op)}`);
  }
}

function envelope(x: unknown): Record<string, unknown> {
  const m = record(x, 'message');
  if (typeof m.store !== 'string') bad(`'store' must be a string`);
  return m;
}

/**
 * Checks that a value received from the network is a {@link MasterMessage}.
 * @param x - what arrived
 * @returns it, typed
 * @throws BrokerError `invalid_message` naming what is wrong
 */
export function parseMasterMessage(x: unknown): MasterMessage {
  const m = envelope(x);
  entityField(m, 'master');
  switch (m.type) {
    case 'ackClone':
      entityField(m, 'clone');
      for (const f of ['offset', 'epoch', 'heartbeatInterval', 'connectionTimeout']) seqField(m, f);
      if (!(m.snapshot instanceof Uint8Array)) bad(`'snapshot' must be the bytes of a table`);
      if (m.more !== undefined && typeof m.more !== 'boolean') bad(`'more' must be a boolean`);
      if (m.instance !== undefined && typeof m.instance !== 'string') bad(`'instance' must be a string`);
      if (m.resumed !== undefined && typeof m.resumed !== 'boolean') bad(`'resumed' must be a boolean`);
      if (m.latest !== undefined) seqField(m, 'latest');
      break;
    case 'snapshotChunk':
      entityField(m, 'clone');
      for (const f of ['offset', 'epoch', 'index']) seqField(m, f);
      if ((m.index as number) < 1) bad(`'index' starts at 1`);
      if (!(m.snapshot instanceof Uint8Array)) bad(`'snapshot' must be the bytes of a table`);
      if (typeof m.last !== 'boolean') bad(`'last' must be a boolean`);
      break;
    case 'event':
      entityField(m, 'clone', true);
      seqField(m, 'seq');
      checkCloneCommand(m.command);
      break;
    case 'heartbeat':
      seqField(m, 'seq');
      break;
    case 'retransmitFailed':
      entityField(m, 'clone');
      seqField(m, 'seq');
      seqField(m, 'epoch');
      break;
    case 'writeAck':
      entityField(m, 'clone');
      seqField(m, 'applied');
      seqField(m, 'seq');
      if (!Array.isArray(m.outcomes)) bad(`'outcomes' must be an array`);
      for (const o of m.outcomes as unknown[]) {
        const r = record(o, 'outcome');
        seqField(r, 'writeId');
        if (r.error !== undefined) {
          const e = record(r.error, 'outcome error');
          if (typeof e.code !== 'string' || !isErrorCodeName(e.code) || typeof e.message !== 'string') bad('an outcome error needs a known code and a message');
        } else if (r.inserted !== undefined && typeof r.inserted !== 'boolean') bad(`'inserted' must be a boolean`);
      }
      break;
    default:
      bad(`unknown master message type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as MasterMessage;
}

/**
 * Checks that a value received from the network is a {@link CloneMessage}.
 * @param x - what arrived
 * @returns it, typed
 * @throws BrokerError `invalid_message` naming what is wrong
 */
export function parseCloneMessage(x: unknown): CloneMessage {
  const m = envelope(x);
  entityField(m, 'clone');
  switch (m.type) {
    case 'nack':
      entityField(m, 'master', true);
      seqField(m, 'epoch');
      if (!Array.isArray(m.seqs) || m.seqs.length === 0 || m.seqs.length > MAX_WIRE_SEQS) bad(`'seqs' must be a non-empty array of at most ${MAX_WIRE_SEQS}`);
      for (const s of m.seqs as unknown[]) if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) bad(`'seqs' must hold non-negative integers`);
      if (m.resume !== undefined) {
        const r = record(m.resume, `'resume'`);
        entityField(r, 'master');
        if (typeof r.instance !== 'string') bad(`'resume.instance' must be a string`);
        seqField(r, 'seq');
      }
      break;
    case 'ack':
      entityField(m, 'master');
      seqField(m, 'seq');
      seqField(m, 'epoch');
      break;
    case 'write':
      entityField(m, 'master');
      seqField(m, 'writeId');
      seqField(m, 'base');
      if ((m.writeId as number) < 1 || (m.base as number) < 1) bad(`'writeId' and 'base' start at 1`);
      if (m.ack !== undefined && typeof m.ack !== 'boolean') bad(`'ack' must be a boolean`);
      checkWriteCommand(m.command);
      break;
    case 'detach':
      entityField(m, 'master');
      break;
    case 'snapshotAck':
      entityField(m, 'master');
      for (const f of ['offset', 'epoch', 'received']) seqField(m, f);
      if ((m.received as number) < 1) bad(`'received' starts at 1`);
      if (m.retry !== undefined && typeof m.retry !== 'boolean') bad(`'retry' must be a boolean`);
      break;
    default:
      bad(`unknown clone message type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as CloneMessage;
}
