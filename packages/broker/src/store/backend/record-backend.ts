import { BrokerError, BrokerSet, BrokerTable, Timestamp, compare, decodeBinary, encodeBinary, toString, type Data } from '@broker-ts/data';
import { applyAdd, applySubtract, initialValue, retrieveIndex, type InitType } from './appliers';
import type { Backend, BackendKind, Expirable, Replaced, SnapshotRows } from './backend';
import { SortingRows, sortRun, type Run } from './sorting-rows';

/** One stored row: the Broker binary encoding of the value and the absolute expiry in ns. */
export interface StoredRecord {
  /** Broker binary encoding of the value. */
  value: Uint8Array;
  /** Expiry in nanoseconds since the epoch, or `undefined` for none. */
  expiry: bigint | undefined;
}

/** One stored row with its key (the Broker binary encoding of the key). */
export interface RecordEntry extends StoredRecord {
  /** Broker binary encoding of the key. */
  key: Uint8Array;
}

const MAX_KEY_TEXT = 80;

/** The expiry of an operation in ns, refusing what is not a timestamp (a JS caller could pass a number). */
function expiryNs(expiry: Timestamp | null | undefined): bigint | undefined {
  if (expiry === undefined || expiry === null) return undefined;
  if (!(expiry instanceof Timestamp)) throw new BrokerError('type_clash', `an expiry must be an absolute Timestamp, got ${typeof expiry}`);
  return expiry.ns;
}

/** The current time in ns, refusing what is not a timestamp. */
function nowNs(now: Timestamp): bigint {
  if (!(now instanceof Timestamp)) throw new BrokerError('type_clash', `the current time must be a Timestamp, got ${typeof now}`);
  return now.ns;
}

function describeKey(key: Data): string {
  let text: string;
  try {
    text = toString(key);
  } catch {
    text = '<unprintable>';
  }
  return text.length > MAX_KEY_TEXT ? `${text.slice(0, MAX_KEY_TEXT)}…` : text;
}

/**
 * Broker's `abstract_backend` over byte records: every operation's semantics (appliers,
 * expiry, errors) live here once, and each backend only stores rows of
 * `(key bytes, value bytes, expiry)`, the layout of Broker's SQLite schema. So memory,
 * SQLite and LMDB behave identically by construction.
 *
 * The storage methods may throw anything; a throw that is not a `BrokerError` becomes
 * `backend_failure`. `atomically` must roll back every write of a callback that throws.
 */
export abstract class RecordBackend implements Backend {
  abstract readonly kind: BackendKind;
  /** Set by {@link close}; every later call fails with `backend_failure`. */
  private closed = false;
  /** See {@link Backend.maxRowBytes}. */
  maxRowBytes = Number.POSITIVE_INFINITY;

  /** Reads the row of a key, or `undefined`. */
  protected abstract readRecord(key: Uint8Array): StoredRecord | undefined;
  /** Tells whether a row exists. */
  protected abstract hasRecord(key: Uint8Array): boolean;
  /** Inserts or replaces a row. */
  protected abstract writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void;

  /**
   * Writes a record and returns the value bytes it replaced (a fresh copy), or undefined
   * when the key was absent. A read and a write in the caller's transaction; a backend
   * that can do both in one lookup overrides it.
   */
  protected exchangeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): Uint8Array | undefined {
    const old = this.readRecord(key)?.value;
    this.writeRecord(key, value, expiry);
    return old;
  }
  /** Deletes a row; returns whether it existed. */
  protected abstract deleteRecord(key: Uint8Array): boolean;
  /** Deletes a row if its expiry is set and at or before `now`; returns whether it did. */
  protected abstract deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean;
  /** Deletes every row. */
  protected abstract deleteAllRecords(): void;
  /** The number of rows. */
  protected abstract countRecords(): number;
  /** Every row, in any order, as an array the caller owns. */
  protected abstract listRecords(): RecordEntry[];
  /**
   * The key and expiry of every row that has an expiry, in any order. By default a filter
   * of {@link listRecords}; a backend that can find them without reading every row
   * overrides it (a master asks for them when it opens a store).
   */
  protected listExpiring(): Array<{ key: Uint8Array; expiry: bigint }> {
    const result: Array<{ key: Uint8Array; expiry: bigint }> = [];
    for (const r of this.listRecords()) if (r.expiry !== undefined) result.push({ key: r.key, expiry: r.expiry });
    return result;
  }

  /**
   * Runs a callback so that either all of its writes happen or, if it throws, none. Called
   * inside another `atomically` (an operation inside a {@link batch}), it must nest: a
   * throwing inner callback undoes only its own writes.
   */
  protected abstract atomically<T>(body: () => T): T;
  /** Releases the storage. */
  protected abstract closeStorage(): void;

  /**
   * Runs a storage operation on an open backend, turning foreign errors into
   * `backend_failure`.
   */
  protected run<T>(what: string, body: () => T): T {
    if (this.closed) throw new BrokerError('backend_failure', `${this.kind} backend: ${what} on a closed backend`);
    try {
      return body();
    } catch (err) {
      if (err instanceof BrokerError) throw err;
      throw new BrokerError('backend_failure', `${this.kind} backend: ${what} failed: ${(err as Error)?.message ?? String(err)}`, {}, { cause: err });
    }
  }

  private decodeStored(bytes: Uint8Array, what: string): Data {
    try {
      return decodeBinary(bytes);
    } catch (err) {
      throw new BrokerError('invalid_data', `${this.kind} backend: stored ${what} does not decode: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  private readValue(keyBytes: Uint8Array, key: Data): Data {
    return this.decodeStored(this.readExisting(keyBytes, key).value, 'value');
  }

  /** The row of a key that must exist. @throws BrokerError `no_such_key` */
  private readExisting(keyBytes: Uint8Array, key: Data): StoredRecord {
    const record = this.readRecord(keyBytes);
    if (record === undefined) throw new BrokerError('no_such_key', `no such key: ${describeKey(key)}`);
    return record;
  }

  /** Refuses a row over {@link maxRowBytes} before anything is written. */
  private checkRow(k: Uint8Array, v: Uint8Array, key: Data): void {
    const bytes = k.length + v.length;
    if (bytes > this.maxRowBytes) throw new BrokerError('invalid_data', `the row of key ${describeKey(key)} would have ${bytes} bytes, more than the ${this.maxRowBytes} a row may have`);
  }

  put(key: Data, value: Data, expiry?: Timestamp): void {
    const k = encodeBinary(key);
    const v = encodeBinary(value);
    this.checkRow(k, v, key);
    const e = expiryNs(expiry);
    this.run('put', () => this.writeRecord(k, v, e));
  }

  exchange(key: Data, value: Data, expiry?: Timestamp): Uint8Array | undefined {
    const k = encodeBinary(key);
    const v = encodeBinary(value);
    this.checkRow(k, v, key);
    const e = expiryNs(expiry);
    return this.run('put', () => this.exchangeRecord(k, v, e));
  }

  add(key: Data, value: Data, initType: InitType, expiry?: Timestamp, replaced?: Replaced): Data {
    const k = encodeBinary(key);
    const e = expiryNs(expiry);
    return this.run('add', () =>
      this.atomically(() => {
        const record = this.readRecord(k);
        const current = record === undefined ? initialValue(initType) : this.decodeStored(record.value, 'value');
        const next = applyAdd(current, value);
        const v = encodeBinary(next);
        this.checkRow(k, v, key);
        this.writeRecord(k, v, e);
        if (replaced !== undefined) replaced.old = record?.value;
        return next;
      }),
    );
  }

  subtract(key: Data, value: Data, expiry?: Timestamp, replaced?: Replaced): Data {
    const k = encodeBinary(key);
    const e = expiryNs(expiry);
    return this.run('subtract', () =>
      this.atomically(() => {
        const record = this.readExisting(k, key);
        const next = applySubtract(this.decodeStored(record.value, 'value'), value);
        const v = encodeBinary(next);
        this.checkRow(k, v, key);
        this.writeRecord(k, v, e);
        if (replaced !== undefined) replaced.old = record.value;
        return next;
      }),
    );
  }

  erase(key: Data): boolean {
    const k = encodeBinary(key);
    return this.run('erase', () => this.deleteRecord(k));
  }

  clear(): void {
    this.run('clear', () => this.deleteAllRecords());
  }

  expire(key: Data, now: Timestamp): boolean {
    const k = encodeBinary(key);
    const t = nowNs(now);
    return this.run('expire', () => this.deleteRecordIfExpired(k, t));
  }

  get(key: Data): Data {
    const k = encodeBinary(key);
    return this.run('get', () => this.readValue(k, key));
  }

  getIndexFromValue(key: Data, index: Data): Data {
    const k = encodeBinary(key);
    return this.run('getIndexFromValue', () => retrieveIndex(this.readValue(k, key), index));
  }

  exists(key: Data): boolean {
    const k = encodeBinary(key);
    return this.run('exists', () => this.hasRecord(k));
  }

  size(): number {
    return this.run('size', () => this.countRecords());
  }

  keyList(): Data[] {
    return this.run('keys', () => this.sortedRecords().keys);
  }

  keys(): BrokerSet {
    // Of keys equal in Broker's order the set keeps the first, the one whose encoding sorts first.
    return this.run('keys', () => new BrokerSet(this.sortedRecords().keys));
  }

  snapshot(): BrokerTable {
    return this.run('snapshot', () => {
      const { keys, rows } = this.sortedRecords();
      const entries: Array<[Data, Data]> = [];
      for (let i = 0; i < keys.length; i++) {
        // Of keys equal in Broker's order, the first (by encoding) with its own value.
        if (i > 0 && compare(keys[i - 1], keys[i]) === 0) continue;
        entries.push([keys[i], this.decodeStored(rows[i].value, 'value')]);
      }
      return new BrokerTable(entries);
    });
  }

  /** Every row with its decoded key, in the order of {@link snapshotRows}. */
  private sortedRecords(): Run<RecordEntry> {
    return sortRun(this.listRecords(), (bytes) => this.decodeStored(bytes, 'key'));
  }

  snapshotRows(): SnapshotRows {
    return this.run('snapshot', () => this.orderedRecords());
  }

  /**
   * Every row in Broker's key order. By default the rows listed by {@link listRecords},
   * ordered by their decoded keys in slices (see {@link SortingRows}). A backend that keeps
   * its rows in order overrides it.
   */
  protected orderedRecords(): SnapshotRows {
    return new SortingRows(this.listRecords(), (bytes) => this.decodeStored(bytes, 'key'));
  }

  /**
   * Decodes a stored key, as the backend's own copy.
   * @throws BrokerError `invalid_data` when it does not decode
   */
  protected decodeKey(bytes: Uint8Array): Data {
    return this.decodeStored(bytes, 'key');
  }

  expiries(): Expirable[] {
    return this.run('expiries', () => sortByKey(this.listExpiring().map((r) => ({ key: this.decodeStored(r.key, 'key'), expiry: new Timestamp(r.expiry) }))));
  }

  dropExpired(now: Timestamp): Data[] {
    const t = nowNs(now);
    return this.run('dropExpired', () =>
      this.atomically(() => {
        // Decode every key before deleting anything, so that a row that does not decode
        // leaves the store unchanged.
        const due = this.listExpiring()
          .filter((r) => r.expiry <= t)
          .map((r) => ({ bytes: r.key, key: this.decodeStored(r.key, 'key') }));
        for (const d of due) this.deleteRecord(d.bytes);
        return sortByKey(due).map((d) => d.key);
      }),
    );
  }

  batch<T>(body: () => T): T {
    return this.run('commit', () => this.atomically(body));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.closeStorage();
    } catch (err) {
      throw new BrokerError('backend_failure', `${this.kind} backend: close failed: ${(err as Error).message}`, {}, { cause: err });
    }
  }
}

function sortByKey<T extends { key: Data }>(items: T[]): T[] {
  return items.sort((a, b) => compare(a.key, b.key));
}
