import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { BrokerError } from '@broker-ts/data';
import type { BackendOptions } from './backend-options';
import type { SnapshotRows } from './backend';
import { PagedSnapshot } from './paged-snapshot';
import { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';
import { parseSqliteOptions, type SqliteOptions } from './sqlite-options';

/** The version Broker 1.4 writes into the `meta` table; Broker reads files with any version. */
export const SQLITE_BROKER_VERSION = '1.4.0';

/** Broker's statements, verbatim (`sqlite_backend.cc`), so that files are interchangeable. */
const SCHEMA_META = 'create table if not exists meta(key text primary key, value text);';
const SCHEMA_STORE = 'create table if not exists store(key blob primary key, value blob, expiry integer);';

interface Statements {
  upsert: Database.Statement<[Buffer, Buffer, bigint | null]>;
  erase: Database.Statement<[Buffer]>;
  expire: Database.Statement<[Buffer, bigint]>;
  lookup: Database.Statement<[Buffer], { value: unknown; expiry: unknown }>;
  lookupValue: Database.Statement<[Buffer], unknown>;
  exists: Database.Statement<[Buffer]>;
  size: Database.Statement<[], { n: bigint }>;
  all: Database.Statement<[], { key: unknown; value: unknown; expiry: unknown }>;
  expiring: Database.Statement<[], { key: unknown; expiry: unknown }>;
  first: Database.Statement<[number], { key: unknown; value: unknown; expiry: unknown }>;
  after: Database.Statement<[Buffer, number], { key: unknown; value: unknown; expiry: unknown }>;
  clear: Database.Statement<[]>;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function blobColumn(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  // A foreign file may hold text where Broker writes blobs; SQLite converts text to bytes.
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new BrokerError('invalid_data', `sqlite backend: stored ${what} is not a blob`);
}

function expiryColumn(v: unknown): bigint | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  throw new BrokerError('invalid_data', 'sqlite backend: stored expiry is not an integer');
}

function removeFile(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}

/**
 * Broker's `sqlite` backend on better-sqlite3, with Broker's schema and statements:
 * `meta(key text primary key, value text)` holding `('broker_version', '1.4.0')` and
 * `store(key blob primary key, value blob, expiry integer)`, keys and values in Broker's
 * binary format, expiry in nanoseconds since the epoch or NULL. A file written here opens
 * in Broker and the other way round.
 */
export class SqliteBackend extends RecordBackend {
  readonly kind = 'sqlite' as const;
  /** The validated options. */
  readonly options: Readonly<SqliteOptions>;
  /** The open connection. */
  private readonly db: Database.Database;
  /** Broker's prepared statements. */
  private readonly stmts: Statements;
  /** Runs a callback in a transaction (a savepoint when nested). */
  private readonly tx: (body: () => unknown) => unknown;
  /** Snapshots still reading the store: each keeps the rows a write is about to change. */
  private readonly snapshots = new Set<PagedSnapshot>();

  /**
   * Opens (creating when missing) a store file.
   * @param options - see {@link parseSqliteOptions}
   * @throws BrokerError `backend_failure` for a wrong option; `cannot_open_file` when the
   *   directory cannot be created or the file is not a usable SQLite database (after
   *   deleting it and starting over once when `failureMode` is `delete`)
   */
  constructor(options: BackendOptions | undefined) {
    super();
    this.options = parseSqliteOptions(options);
    const file = this.options.path;
    const dir = path.dirname(file);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new BrokerError('cannot_open_file', `sqlite backend: cannot create directory ${dir}: ${(err as Error).message}`, {}, { cause: err });
    }
    let opened: { db: Database.Database; stmts: Statements };
    try {
      opened = this.openDatabase(file);
    } catch (err) {
      if (this.options.failureMode !== 'delete' || !isRegularFile(file)) throw err;
      // Broker's SQLITE_FAILURE_MODE_DELETE: a database that fails to open is replaced.
      removeFile(file);
      opened = this.openDatabase(file);
    }
    this.db = opened.db;
    this.stmts = opened.stmts;
    this.tx = this.db.transaction((body: () => unknown) => body());
  }

  private openDatabase(file: string): { db: Database.Database; stmts: Statements } {
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: this.options.busyTimeout });
      if (this.options.synchronous !== undefined) db.pragma(`synchronous = ${this.options.synchronous}`);
      if (this.options.journalMode !== undefined) db.pragma(`journal_mode = ${this.options.journalMode}`);
      db.exec(SCHEMA_META);
      db.exec(SCHEMA_STORE);
      db.prepare('replace into meta(key, value) values(?, ?);').run('broker_version', SQLITE_BROKER_VERSION);
      if (this.options.integrityCheck) {
        const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
        if (rows.length !== 1 || rows[0].integrity_check !== 'ok') {
          throw new Error(`integrity check failed: ${rows.map((r) => r.integrity_check).join('; ')}`);
        }
      }
      const stmts: Statements = {
        // The row Broker's `replace into` leaves, updated in place instead of deleted and
        // inserted again: 10-20% cheaper per write in SQLite itself.
        upsert: db.prepare('insert into store(key, value, expiry) values(?, ?, ?) on conflict(key) do update set value = excluded.value, expiry = excluded.expiry;'),
        erase: db.prepare('delete from store where key = ?;'),
        expire: db.prepare('delete from store where key = ? and expiry <= ?;'),
        lookup: db.prepare('select value, expiry from store where key = ?;'),
        lookupValue: db.prepare('select value from store where key = ?;').pluck(),
        exists: db.prepare('select 1 from store where key = ?;'),
        size: db.prepare('select count(*) as n from store;'),
        all: db.prepare('select key, value, expiry from store;'),
        expiring: db.prepare('select key, expiry from store where expiry is not null;'),
        first: db.prepare('select key, value, expiry from store order by key limit ?;'),
        after: db.prepare('select key, value, expiry from store where key > ? order by key limit ?;'),
        clear: db.prepare('delete from store;'),
      };
      for (const s of [stmts.lookup, stmts.size, stmts.all, stmts.expiring, stmts.first, stmts.after]) s.safeIntegers(true);
      return { db, stmts };
    } catch (err) {
      db?.close();
      throw new BrokerError('cannot_open_file', `sqlite backend: cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  /**
   * Reads a PRAGMA of the backend's connection, e.g. `synchronous` (0 off … 3 extra) or
   * `journal_mode`, to check what the options did.
   * @param name - the pragma's name (letters and underscores)
   * @returns its value
   * @throws BrokerError `backend_failure` for a malformed name or a closed backend
   */
  pragma(name: string): unknown {
    if (!/^[a-z_]+$/.test(name)) throw new BrokerError('backend_failure', `sqlite backend: not a pragma name: ${JSON.stringify(name)}`);
    if (!this.db.open) throw new BrokerError('backend_failure', 'sqlite backend: pragma on a closed backend');
    return this.db.pragma(name, { simple: true });
  }

  protected readRecord(key: Uint8Array): StoredRecord | undefined {
    const row = this.stmts.lookup.get(asBuffer(key));
    if (row === undefined) return undefined;
    return { value: blobColumn(row.value, 'value'), expiry: expiryColumn(row.expiry) };
  }

  protected hasRecord(key: Uint8Array): boolean {
    return this.stmts.exists.get(asBuffer(key)) !== undefined;
  }

  protected writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void {
    this.preserve(key);
    this.stmts.upsert.run(asBuffer(key), asBuffer(value), expiry ?? null);
  }

  protected override exchangeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): Uint8Array | undefined {
    const k = asBuffer(key);
    const old = this.stmts.lookupValue.get(k);
    this.preserve(key);
    this.stmts.upsert.run(k, asBuffer(value), expiry ?? null);
    return old === undefined ? undefined : blobColumn(old, 'value');
  }

  protected deleteRecord(key: Uint8Array): boolean {
    this.preserve(key);
    return this.stmts.erase.run(asBuffer(key)).changes > 0;
  }

  protected deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean {
    this.preserve(key);
    return this.stmts.expire.run(asBuffer(key), now).changes > 0;
  }

  protected deleteAllRecords(): void {
    for (const s of [...this.snapshots]) s.preserveAll();
    this.stmts.clear.run();
  }

  protected countRecords(): number {
    return Number(this.stmts.size.get()?.n ?? 0n);
  }

  protected listRecords(): RecordEntry[] {
    return this.stmts.all.all().map((row) => ({ key: blobColumn(row.key, 'key'), value: blobColumn(row.value, 'value'), expiry: expiryColumn(row.expiry) }));
  }

  /**
   * A snapshot read a page per step in the order of the key index, so that a large store
   * is not read in one turn (a read transaction held across turns would block every
   * commit under Broker's rollback journal); writes meanwhile keep the rows they change
   * for it (see {@link PagedSnapshot}).
   */
  protected override orderedRecords(): SnapshotRows {
    const rowOf = (row: { key: unknown; value: unknown; expiry: unknown }): RecordEntry => ({ key: blobColumn(row.key, 'key'), value: blobColumn(row.value, 'value'), expiry: expiryColumn(row.expiry) });
    const s = new PagedSnapshot(
      {
        page: (after, limit) => (after === undefined ? this.stmts.first.all(limit) : this.stmts.after.all(asBuffer(after), limit)).map(rowOf),
        read: (key) => this.readRecord(key),
        decodeKey: (bytes) => this.decodeKey(bytes),
        release: (done) => this.snapshots.delete(done),
      },
      this.countRecords(),
    );
    this.snapshots.add(s);
    return s;
  }

  private preserve(key: Uint8Array): void {
    for (const s of this.snapshots) s.preserve(key);
  }

  protected override listExpiring(): Array<{ key: Uint8Array; expiry: bigint }> {
    // Only the rows with an expiry: opening a large store reads no other row.
    return this.stmts.expiring.all().map((row) => ({ key: blobColumn(row.key, 'key'), expiry: expiryColumn(row.expiry)! }));
  }

  protected atomically<T>(body: () => T): T {
    return this.tx(body) as T;
  }

  protected closeStorage(): void {
    this.db.close();
  }
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
