import type { BrokerSet, BrokerTable, Data, Timestamp } from '@broker-ts/data';
import type { InitType } from './appliers';

/** A key that carries an expiry, with the absolute time at which it expires. */
export interface Expirable {
  /** The key. */
  readonly key: Data;
  /** When the entry expires (absolute, nanoseconds since the epoch). */
  readonly expiry: Timestamp;
}

/** One stored entry as the backend holds it: the Broker binary encodings of key and value. */
export interface EncodedEntry {
  /** Broker binary encoding of the key. */
  readonly key: Uint8Array;
  /** Broker binary encoding of the value. */
  readonly value: Uint8Array;
}

/**
 * The entries of a store at one moment, in Broker's key order, encoded as stored: what a
 * master sends a clone. Later writes to the backend do not change what it yields.
 * Treat the bytes as immutable (they may be the backend's own rows).
 */
export interface SnapshotRows extends Iterable<EncodedEntry> {
  /** How many entries it holds. */
  readonly size: number;
  /**
   * Does a bounded part of the work needed before the rows can be read in order (a few
   * milliseconds), so that a caller can spread it over turns of its event loop. Absent
   * when there is none. Reading the rows before it said they are ready does the rest at once.
   * @returns whether the rows are ready to be read
   */
  prepare?(): boolean;
  /** Releases what it holds when it is not going to be read (absent when there is nothing to release). */
  close?(): void;
  /**
   * The same rows, in the same order, as latin1 strings of their encodings (one character
   * per byte), when the backend keeps them so (the memory backend): read without copying
   * each into buffers of its own. Such rows are the backend's own, as `encodeBinary`
   * wrote them. Absent for other backends.
   */
  latin1Rows?(): Iterator<readonly [string, string]>;
}

/** The kinds of backend a master can be attached with. */
export type BackendKind = 'memory' | 'sqlite' | 'lmdb';

/**
 * Filled by {@link Backend.add} and {@link Backend.subtract} when a caller passes it: the
 * value the write replaced, as {@link Backend.exchange} returns it for a put.
 */
export interface Replaced {
  /** A fresh copy of the replaced value's Broker binary encoding, or undefined when the key was absent. */
  old: Uint8Array | undefined;
}

/**
 * The storage of a data store master: Broker's `abstract_backend`. Synchronous, knows
 * nothing of actors, clocks or events. Every method either completes or throws a
 * `BrokerError`, and a method that throws leaves the store unchanged.
 *
 * Keys are identified by their Broker binary encoding in every backend, so two keys are
 * the same key exactly when they encode to the same bytes. Values handed in are copied
 * (encoded) on the way in and every value handed out is a fresh copy, so callers may
 * mutate what they pass or receive without touching the store.
 *
 * Errors: `no_such_key` (absent key), `type_clash` and `invalid_data` (the operation does
 * not apply to the stored value; a key, value, expiry or time of the wrong kind),
 * `backend_failure` (the storage failed or the backend is closed), `invalid_data` (a
 * stored row does not decode).
 */
export interface Backend {
  /** Which kind of backend this is. */
  readonly kind: BackendKind;

  /**
   * The most bytes a row may have, its key's and its value's encodings together:
   * {@link put}, {@link add} and {@link subtract} refuse a larger row with `invalid_data`
   * and leave the store unchanged. Unlimited (`Infinity`) unless the owner sets it (a
   * master sets what it can send to a clone). Rows already stored are not checked.
   */
  maxRowBytes: number;

  /**
   * Inserts or overwrites an entry. Without an expiry, an earlier expiry of the key is cleared.
   * @param key - the key
   * @param value - the value
   * @param expiry - absolute time at which the entry expires
   */
  put(key: Data, value: Data, expiry?: Timestamp): void;

  /**
   * {@link put}, returning the stored encoding of the value it replaced: a master's write,
   * which describes the change in its store event, with the key encoded and looked up once.
   * @param key - the key
   * @param value - the value
   * @param expiry - absolute time at which the entry expires
   * @returns a fresh copy of the replaced value's Broker binary encoding, or undefined when
   *   the key was absent
   */
  exchange(key: Data, value: Data, expiry?: Timestamp): Uint8Array | undefined;

  /**
   * Adds to a stored value (Broker's `adder`: arithmetic of one type, string append,
   * vector push, set insert, table insert of `[key, value]`). A missing key starts as the
   * zero value of `initType`. The entry's expiry becomes `expiry` (cleared when absent).
   * @param key - the key
   * @param value - what to add
   * @param initType - the type a missing key starts as; `none` makes a missing key a `type_clash`
   * @param expiry - absolute time at which the entry expires
   * @param replaced - receives the value the write replaced (a master's store event
   *   describes the change), read in the same lookup; untouched when the write fails
   * @returns the new value
   * @throws BrokerError `type_clash` or `invalid_data` when the value does not apply
   */
  add(key: Data, value: Data, initType: InitType, expiry?: Timestamp, replaced?: Replaced): Data;

  /**
   * Subtracts from a stored value (Broker's `remover`: arithmetic of one type, vector pop,
   * set erase, table erase). The entry's expiry becomes `expiry` (cleared when absent).
   * @param key - the key
   * @param value - what to subtract
   * @param expiry - absolute time at which the entry expires
   * @param replaced - receives the value the write replaced, as for {@link add}
   * @returns the new value
   * @throws BrokerError `no_such_key` when the key is absent, `type_clash` when the value does not apply
   */
  subtract(key: Data, value: Data, expiry?: Timestamp, replaced?: Replaced): Data;

  /**
   * Removes an entry; removing an absent key is not an error.
   * @param key - the key
   * @returns whether the key was present
   */
  erase(key: Data): boolean;

  /** Removes every entry. */
  clear(): void;

  /**
   * Removes an entry if its stored expiry is at or before `now`.
   * @param key - the key
   * @param now - the current time
   * @returns whether the entry was removed
   */
  expire(key: Data, now: Timestamp): boolean;

  /**
   * Reads a value.
   * @param key - the key
   * @returns a copy of the stored value
   * @throws BrokerError `no_such_key` when the key is absent
   */
  get(key: Data): Data;

  /**
   * Reads one aspect of a value (Broker's `retriever`): a vector element by index, set
   * membership, a table value by key; any other type returns the whole value.
   * @param key - the key
   * @param index - the index, element or table key
   * @returns the aspect
   * @throws BrokerError `no_such_key` (absent key, index out of range, absent table key),
   *   `type_clash` (a vector index that is not a count or a non-negative integer)
   */
  getIndexFromValue(key: Data, index: Data): Data;

  /**
   * Tells whether a key is present.
   * @param key - the key
   */
  exists(key: Data): boolean;

  /** The number of entries. */
  size(): number;

  /**
   * Every key, one per entry, in the order of {@link snapshotRows}: keys equal in Broker's
   * order yet encoded apart (`0.0` and `-0.0`, NaNs of other bits) are separate keys and
   * each is listed (what a `clear` reports as erased).
   */
  keyList(): Data[];

  /**
   * Every key, as a Broker set: of keys equal in Broker's order yet encoded apart (see
   * {@link keyList}) the set holds one, the one whose encoding sorts first.
   */
  keys(): BrokerSet;

  /**
   * Every entry, as a Broker table from key to value: of keys equal in Broker's order yet
   * encoded apart (see {@link keyList}) the table holds one, the one whose encoding sorts
   * first, with its own value. {@link snapshotRows} holds every entry.
   */
  snapshot(): BrokerTable;

  /**
   * Every entry as of now, in Broker's key order (keys equal in it yet encoded apart, such
   * as `0.0` and `-0.0`, in the order of their encodings' bytes), for a master to send in
   * pieces. The
   * memory backend hands out a copy-on-write view in constant time and decodes nothing;
   * the persistent backends read their rows at once (a consistent copy) and order them by
   * their decoded keys in slices, through {@link SnapshotRows.prepare}.
   * @throws BrokerError `invalid_data` when a stored key does not decode
   */
  snapshotRows(): SnapshotRows;

  /** Every entry that has an expiry, ordered by key, so that a master can re-arm its timers. */
  expiries(): Expirable[];

  /**
   * Removes every entry whose expiry is at or before `now`: what a master does when it
   * loads a persistent store whose entries expired while it was down.
   * @param now - the current time
   * @returns the removed keys, ordered by key, so that the master can emit `expire` events
   */
  dropExpired(now: Timestamp): Data[];

  /**
   * Runs `body` as one unit of durability (group commit): every write inside it commits
   * together, in one transaction and with one flush to disk for the persistent backends,
   * when `body` returns. Each operation inside still completes or leaves the store
   * unchanged on its own (a nested transaction), so a failing operation does not undo the
   * others. Reads inside see the writes made before them.
   * @param body - the work; it should not throw (a throw rolls back all of its writes in
   *   SQLite and LMDB; the memory backend keeps the writes made before the throw)
   * @returns what `body` returned, once its writes are durable
   * @throws BrokerError `backend_failure` when the commit failed: none of the writes happened
   */
  batch<T>(body: () => T): T;

  /** Closes the backend and releases its files; later calls throw `backend_failure`. Idempotent. */
  close(): void;
}
