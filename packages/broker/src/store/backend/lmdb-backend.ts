import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Lmdb from 'lmdb';
import { BrokerError, type Data } from '@broker-ts/data';
import type { SnapshotRows } from './backend';
import { optionEntries, type BackendOptions } from './backend-options';
import { checkLmdbFile } from './lmdb-file-check';
import { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';
import { SORT_RUN, SortedRuns } from './sorting-rows';

/** The LMDB backend's options after validation. */
export interface LmdbOptions {
  /** Directory of the environment (`data.mdb`, `lock.mdb`); created when missing. */
  path: string;
  /** Skip the flush to disk at each commit (LMDB's `MDB_NOSYNC`): much faster, not crash-safe. */
  noSync: boolean;
}

/**
 * LMDB refuses keys longer than this (its compiled `MDB_MAXKEYSIZE`); longer Broker keys
 * are stored under a hash of their encoding, with the full key in the row.
 */
export const LMDB_MAX_KEY_BYTES = 1978;

/** First byte of rows that are not Broker keys (Broker's tags are 0..14): the format marker. */
const META_PREFIX = 0xfe;
/** First byte of hashed long keys. */
const HASHED_PREFIX = 0xff;
const FORMAT_KEY = Buffer.from([META_PREFIX, ...Buffer.from('broker-ts-format')]);
/** Bump when the row layout changes; a store of another format is refused, never misread. */
const FORMAT = Buffer.from('broker-ts-lmdb-1');

const FLAG_EXPIRY = 1;
const FLAG_FULL_KEY = 2;

/**
 * Parses the LMDB backend's options: `path` (a string, required) and `noSync` (boolean).
 * @param options - the options as given to `attachMaster`
 * @returns the validated options
 * @throws BrokerError `backend_failure` for a missing path, an unknown option or a wrong type
 */
export function parseLmdbOptions(options: BackendOptions | undefined): LmdbOptions {
  const fail = (message: string): never => {
    throw new BrokerError('backend_failure', `failed to initialize lmdb backend: ${message}`);
  };
  let p: unknown;
  let noSync: unknown = false;
  for (const [name, value] of optionEntries(options)) {
    if (name === 'path') p = value;
    else if (name === 'noSync') noSync = value;
    else fail(`unknown option '${name}' (known: path, noSync)`);
  }
  if (p === undefined) fail("options are missing the required 'path' string");
  if (typeof p !== 'string' || p === '' || p.includes('\0')) fail(`option 'path' must be a non-empty string; got ${typeof p === 'string' ? JSON.stringify(p) : typeof p}`);
  if (typeof noSync !== 'boolean') fail(`option 'noSync' must be a boolean; got ${typeof noSync}`);
  return { path: p as string, noSync: noSync as boolean };
}

/**
 * The row layout: a flags byte, the expiry (8 bytes, big-endian two's complement ns) when
 * `FLAG_EXPIRY`, the full key (4-byte big-endian length + bytes) when `FLAG_FULL_KEY`,
 * then the Broker binary value.
 */
function encodeRow(fullKey: Uint8Array | undefined, value: Uint8Array, expiry: bigint | undefined): Buffer {
  const size = 1 + (expiry === undefined ? 0 : 8) + (fullKey === undefined ? 0 : 4 + fullKey.length) + value.length;
  const row = Buffer.allocUnsafe(size);
  let at = 1;
  let flags = 0;
  if (expiry !== undefined) {
    flags |= FLAG_EXPIRY;
    row.writeBigInt64BE(expiry, at);
    at += 8;
  }
  if (fullKey !== undefined) {
    flags |= FLAG_FULL_KEY;
    row.writeUInt32BE(fullKey.length, at);
    row.set(fullKey, at + 4);
    at += 4 + fullKey.length;
  }
  row[0] = flags;
  row.set(value, at);
  return row;
}

function malformedRow(): never {
  throw new BrokerError('invalid_data', 'lmdb backend: malformed row');
}

function decodeRow(row: Buffer): { fullKey: Uint8Array | undefined; value: Uint8Array; expiry: bigint | undefined } {
  if (row.length < 1) malformedRow();
  const flags = row[0];
  if ((flags & ~(FLAG_EXPIRY | FLAG_FULL_KEY)) !== 0) malformedRow();
  let at = 1;
  let expiry: bigint | undefined;
  let fullKey: Uint8Array | undefined;
  if (flags & FLAG_EXPIRY) {
    if (row.length < at + 8) malformedRow();
    expiry = row.readBigInt64BE(at);
    at += 8;
  }
  if (flags & FLAG_FULL_KEY) {
    if (row.length < at + 4) malformedRow();
    const n = row.readUInt32BE(at);
    if (row.length < at + 4 + n) malformedRow();
    fullKey = row.subarray(at + 4, at + 4 + n);
    at += 4 + n;
  }
  return { fullKey, value: row.subarray(at), expiry };
}

/**
 * The `lmdb` package, loaded when the first LMDB store opens: loading it maps a 16 MiB
 * buffer and its native addon, which an endpoint without LMDB stores should not carry.
 */
function loadLmdb(): typeof Lmdb {
  return require('lmdb') as typeof Lmdb;
}

/**
 * The persistent backend that replaces Broker's RocksDB, on LMDB (the `lmdb` package).
 * Keys are stored as their Broker binary encoding, so equality of keys is Broker's; keys
 * longer than {@link LMDB_MAX_KEY_BYTES} are stored under `0xff` + SHA-256 of their
 * encoding. Each write commits synchronously. Safe to open from several worker threads of
 * one process (LMDB shares one environment per process), as LMDB allows.
 */
export class LmdbBackend extends RecordBackend {
  readonly kind = 'lmdb' as const;
  /** The validated options. */
  readonly options: Readonly<LmdbOptions>;
  /** The open database (the environment's root database). */
  private readonly db: Lmdb.RootDatabase<Buffer, Buffer>;

  /**
   * Opens (creating when missing) an LMDB environment directory.
   * @param options - see {@link parseLmdbOptions}
   * @throws BrokerError `backend_failure` for a wrong option; `cannot_open_file` when the
   *   directory cannot be created, its `data.mdb` is not an LMDB file, or it holds an LMDB
   *   database that is not a broker-ts store
   */
  constructor(options: BackendOptions | undefined) {
    super();
    this.options = parseLmdbOptions(options);
    const dir = this.options.path;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new BrokerError('cannot_open_file', `lmdb backend: cannot create directory ${dir}: ${(err as Error).message}`, {}, { cause: err });
    }
    checkLmdbFile(path.join(dir, 'data.mdb'));
    try {
      this.db = loadLmdb().open<Buffer, Buffer>({
        path: dir,
        noSubdir: false,
        encoding: 'binary',
        keyEncoding: 'binary',
        cache: false,
        compression: false,
        noSync: this.options.noSync,
      });
    } catch (err) {
      throw new BrokerError('cannot_open_file', `lmdb backend: cannot open ${dir}: ${(err as Error).message}`, {}, { cause: err });
    }
    try {
      this.checkFormat(dir);
    } catch (err) {
      this.db.close().catch(() => undefined);
      throw err;
    }
  }

  private checkFormat(dir: string): void {
    const format = this.db.get(FORMAT_KEY);
    if (format !== undefined) {
      if (!FORMAT.equals(format)) throw new BrokerError('cannot_open_file', `lmdb backend: ${dir} holds a store of format ${format.toString('latin1')}, expected ${FORMAT.toString('latin1')}`);
      return;
    }
    for (const _ of this.db.getKeys({ limit: 1 })) {
      throw new BrokerError('cannot_open_file', `lmdb backend: ${dir} holds an LMDB database that is not a broker-ts store`);
    }
    this.db.putSync(FORMAT_KEY, FORMAT);
  }

  /** The LMDB key of a Broker key: its bytes, or the hash of long ones. */
  private lmdbKey(key: Uint8Array): Buffer {
    if (key.length <= LMDB_MAX_KEY_BYTES) return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
    const hashed = Buffer.allocUnsafe(33);
    hashed[0] = HASHED_PREFIX;
    createHash('sha256').update(key).digest().copy(hashed, 1);
    return hashed;
  }

  protected readRecord(key: Uint8Array): StoredRecord | undefined {
    const row = this.db.get(this.lmdbKey(key));
    if (row === undefined) return undefined;
    const { fullKey, value, expiry } = decodeRow(row);
    if (fullKey !== undefined && !Buffer.from(fullKey).equals(key)) {
      throw new BrokerError('backend_failure', 'lmdb backend: SHA-256 collision between two long keys');
    }
    return { value, expiry };
  }

  protected hasRecord(key: Uint8Array): boolean {
    return this.readRecord(key) !== undefined;
  }

  protected writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void {
    this.db.putSync(this.lmdbKey(key), encodeRow(key.length > LMDB_MAX_KEY_BYTES ? key : undefined, value, expiry));
  }

  protected deleteRecord(key: Uint8Array): boolean {
    return this.db.removeSync(this.lmdbKey(key));
  }

  protected deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean {
    return this.db.transactionSync(() => {
      const record = this.readRecord(key);
      if (record === undefined || record.expiry === undefined || record.expiry > now) return false;
      return this.db.removeSync(this.lmdbKey(key));
    });
  }

  protected deleteAllRecords(): void {
    this.db.transactionSync(() => {
      this.db.clearSync();
      this.db.putSync(FORMAT_KEY, FORMAT);
    });
  }

  protected countRecords(): number {
    // LMDB keeps the count in the tree's header: O(1), where iterating would be O(n).
    const entries = (this.db.getStats() as { entryCount: number }).entryCount;
    return entries - (this.db.get(FORMAT_KEY) === undefined ? 0 : 1);
  }

  protected listRecords(): RecordEntry[] {
    const result: RecordEntry[] = [];
    for (const { key, value } of this.db.getRange()) {
      if (key[0] === META_PREFIX) continue;
      // Copies: the rows outlive the read transaction the range ran in.
      const row = decodeRow(Buffer.from(value));
      result.push({ key: row.fullKey ?? Buffer.from(key), value: row.value, expiry: row.expiry });
    }
    return result;
  }

  /**
   * The rows as of now in Broker's key order, read across turns: a read transaction taken
   * now keeps this moment's rows (LMDB's MVCC) while the master goes on writing, and each
   * `prepare` reads the next {@link SORT_RUN} rows and sorts them into a run, so that a
   * master of a million keys never holds its event loop for the whole copy.
   */
  protected override orderedRecords(): SnapshotRows {
    return new LmdbSnapshotRows(this.db, this.countRecords(), (bytes) => this.decodeKey(bytes));
  }

  protected override listExpiring(): Array<{ key: Uint8Array; expiry: bigint }> {
    // One pass that keeps only the rows with an expiry, not a copy of every row.
    const result: Array<{ key: Uint8Array; expiry: bigint }> = [];
    for (const { key, value } of this.db.getRange()) {
      if (key[0] === META_PREFIX) continue;
      const row = decodeRow(value);
      if (row.expiry !== undefined) result.push({ key: row.fullKey === undefined ? Buffer.from(key) : Buffer.from(row.fullKey), expiry: row.expiry });
    }
    return result;
  }

  protected atomically<T>(body: () => T): T {
    return this.db.transactionSync(body);
  }

  protected closeStorage(): void {
    // Every write was committed synchronously, so nothing waits on the returned promise.
    this.db.close().catch(() => undefined);
  }
}

/**
 * The rows of an LMDB store at one moment, read in slices through a read transaction held
 * until the last slice (see {@link LmdbBackend}'s `orderedRecords`), then merged into
 * Broker's key order. A snapshot dropped before it was read releases the transaction in
 * `close`.
 */
class LmdbSnapshotRows implements SnapshotRows {
  readonly size: number;
  /** The read transaction, until every row is read (or the snapshot is closed). */
  private txn: Lmdb.Transaction | null;
  /** The LMDB key of the last row read. */
  private after: Buffer | undefined;
  private readonly runs: SortedRuns<RecordEntry>;

  /**
   * @param db - the database (rows are read from it within a read transaction taken now)
   * @param size - how many rows it holds now
   * @param decodeKey - decodes a stored key
   */
  constructor(
    private readonly db: Lmdb.RootDatabase<Buffer, Buffer>,
    size: number,
    decodeKey: (bytes: Uint8Array) => Data,
  ) {
    this.size = size;
    this.txn = db.useReadTransaction();
    this.runs = new SortedRuns(decodeKey);
  }

  /**
   * Reads the next slice of rows and sorts it into a run.
   * @returns whether every row is read
   * @throws BrokerError `invalid_data` when a row or a key does not decode
   */
  prepare(): boolean {
    const txn = this.txn;
    if (txn === null) return true;
    const batch: RecordEntry[] = [];
    let seen = 0;
    try {
      const range = this.db.getRange({ transaction: txn, start: this.after, exclusiveStart: this.after !== undefined, limit: SORT_RUN });
      for (const { key, value } of range) {
        seen++;
        // Copies: the rows outlive the read transaction.
        this.after = Buffer.from(key);
        if (key[0] === META_PREFIX) continue;
        const row = decodeRow(Buffer.from(value));
        batch.push({ key: row.fullKey ?? this.after, value: row.value, expiry: row.expiry });
      }
      this.runs.add(batch);
    } catch (e) {
      this.close();
      throw e;
    }
    if (seen < SORT_RUN) this.close();
    return this.txn === null;
  }

  /** The rows in key order (reading what is left first). */
  [Symbol.iterator](): IterableIterator<RecordEntry> {
    while (!this.prepare());
    return this.runs.merge();
  }

  /** Releases the read transaction. Idempotent. */
  close(): void {
    this.txn?.done();
    this.txn = null;
  }
}
