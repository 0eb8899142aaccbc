import { BrokerError, Timespan, type Data } from '@broker-ts/data';
import { incrementInitType, type InitType } from '../backend';
import type { EntityId } from './entity-id';

/** Put or overwrite a value; without an expiry an earlier one is cleared. */
export interface PutCommand {
  readonly op: 'put';
  readonly key: Data;
  readonly value: Data;
  /** Relative expiry, or null for none. */
  readonly expiry: Timespan | null;
  /** The frontend that wrote (store events name it), or null. */
  readonly publisher: EntityId | null;
}

/** Put only when the key is absent; answers whether it did. */
export interface PutUniqueCommand {
  readonly op: 'putUnique';
  readonly key: Data;
  readonly value: Data;
  readonly expiry: Timespan | null;
  readonly publisher: EntityId | null;
  /** The requester's id for the answer. */
  readonly requestId: number;
  /**
   * Who waits for the answer (Broker's `who`), when not the writer itself: a Broker clone
   * names its frontend here. Absent: the clone that sent the write, or the master for a
   * local write.
   */
  readonly who?: EntityId;
}

/** Remove a key. */
export interface EraseCommand {
  readonly op: 'erase';
  readonly key: Data;
  readonly publisher: EntityId | null;
}

/** Remove every key. */
export interface ClearCommand {
  readonly op: 'clear';
  readonly publisher: EntityId | null;
}

/** Broker's `add`: increment, append, insertInto, push. */
export interface AddCommand {
  readonly op: 'add';
  readonly key: Data;
  readonly value: Data;
  /** The type a missing key starts as. */
  readonly initType: InitType;
  readonly expiry: Timespan | null;
  readonly publisher: EntityId | null;
}

/** Broker's `subtract`: decrement, removeFrom, pop. */
export interface SubtractCommand {
  readonly op: 'subtract';
  readonly key: Data;
  readonly value: Data;
  readonly expiry: Timespan | null;
  readonly publisher: EntityId | null;
}

/**
 * A write to a store, as a frontend issues it and a clone forwards it to the master
 * (Broker's mutating `internal_command`s). Plain data.
 */
export type WriteCommand = PutCommand | PutUniqueCommand | EraseCommand | ClearCommand | AddCommand | SubtractCommand;

/** An expiry as the API takes it: milliseconds or a timespan; absent or null for none. */
export type ExpiryInput = number | Timespan | null | undefined;

/** Options of a write. */
export interface WriteOptions {
  /** Relative expiry (ms or timespan). */
  expiry?: ExpiryInput;
  /** The frontend that writes. */
  publisher?: EntityId | null;
}

/**
 * Converts an expiry given in milliseconds (or as a timespan) to a timespan.
 * @param expiry - ms, a timespan, or null/undefined for none
 * @throws BrokerError `invalid_data` for a number that is not finite
 */
export function toExpiry(expiry: ExpiryInput): Timespan | null {
  if (expiry === null || expiry === undefined) return null;
  if (expiry instanceof Timespan) return expiry;
  if (typeof expiry !== 'number' || !Number.isFinite(expiry)) throw new BrokerError('invalid_data', `an expiry must be a finite number of milliseconds or a timespan, got ${String(expiry)}`);
  return Timespan.fromMilliseconds(expiry);
}

function common(o: WriteOptions): { expiry: Timespan | null; publisher: EntityId | null } {
  return { expiry: toExpiry(o.expiry), publisher: o.publisher ?? null };
}

/**
 * Builders of every store write, mapping the API's operations onto Broker's commands
 * (Broker's `internal/master_actor.cc`): increment → add with the amount's init type, decrement → subtract,
 * append → add (string), insertInto → add (set, or table with `[index, value]`),
 * removeFrom → subtract, push → add (vector), pop → subtract(key, key).
 */
export const writeCommands = Object.freeze({
  put: (key: Data, value: Data, o: WriteOptions = {}): PutCommand => ({ op: 'put', key, value, ...common(o) }),
  putUnique: (key: Data, value: Data, requestId: number, o: WriteOptions = {}): PutUniqueCommand => ({ op: 'putUnique', key, value, requestId, ...common(o) }),
  erase: (key: Data, o: Pick<WriteOptions, 'publisher'> = {}): EraseCommand => ({ op: 'erase', key, publisher: o.publisher ?? null }),
  clear: (o: Pick<WriteOptions, 'publisher'> = {}): ClearCommand => ({ op: 'clear', publisher: o.publisher ?? null }),
  increment: (key: Data, amount: Data, o: WriteOptions = {}): AddCommand => ({ op: 'add', key, value: amount, initType: incrementInitType(amount), ...common(o) }),
  decrement: (key: Data, amount: Data, o: WriteOptions = {}): SubtractCommand => ({ op: 'subtract', key, value: amount, ...common(o) }),
  append: (key: Data, str: Data, o: WriteOptions = {}): AddCommand => ({ op: 'add', key, value: str, initType: 'string', ...common(o) }),
  /** With a value: a table insert `t[index] = value`; without: a set insert. */
  insertInto: (key: Data, index: Data, value?: Data, o: WriteOptions = {}): AddCommand =>
    value === undefined
      ? { op: 'add', key, value: index, initType: 'set', ...common(o) }
      : { op: 'add', key, value: [index, value], initType: 'table', ...common(o) },
  removeFrom: (key: Data, index: Data, o: WriteOptions = {}): SubtractCommand => ({ op: 'subtract', key, value: index, ...common(o) }),
  push: (key: Data, value: Data, o: WriteOptions = {}): AddCommand => ({ op: 'add', key, value, initType: 'vector', ...common(o) }),
  pop: (key: Data, o: WriteOptions = {}): SubtractCommand => ({ op: 'subtract', key, value: key, ...common(o) }),
});

/**
 * The key a write concerns, or null for `clear`.
 * @param cmd - the write
 */
export function writeKey(cmd: WriteCommand): Data | null {
  return cmd.op === 'clear' ? null : cmd.key;
}
