import type { Data } from '@broker-ts/data';
import type { SnapshotRows } from './backend';
import type { RecordEntry, StoredRecord } from './record-backend';
import { compareKeyBytes, SortedRuns } from './sorting-rows';

/** Rows read from storage in one {@link PagedSnapshot.prepare} step. */
export const SNAPSHOT_PAGE = 4096;

/** What a {@link PagedSnapshot} needs of its backend. */
export interface PagedStorage {
  /**
   * The next rows in the order of their key bytes (unsigned, shorter first on a common
   * prefix), strictly after `after` (from the first when undefined).
   */
  page(after: Uint8Array | undefined, limit: number): RecordEntry[];
  /** The row of a key as stored now, or undefined. */
  read(key: Uint8Array): StoredRecord | undefined;
  /** Decodes a stored key (throws `invalid_data` when it does not decode). */
  decodeKey(bytes: Uint8Array): Data;
  /** The snapshot finished reading (or was closed): it needs no more {@link PagedSnapshot.preserve} calls. */
  release(s: PagedSnapshot): void;
}

function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/**
 * A snapshot of a persistent store read a page at a time while the store goes on taking
 * writes, for a backend that cannot hold a read transaction across turns (SQLite with
 * Broker's rollback journal: a reader would block every commit). It reads the store in
 * the order of the key bytes; before a write changes a row it has not read yet, the
 * backend calls {@link preserve}, which keeps the row as it was (or that it was absent).
 * So what it yields is the store at the moment it was taken. Each page is sorted into
 * Broker's key order as it is read, and the pages are merged when read.
 */
export class PagedSnapshot implements SnapshotRows {
  /** The key bytes of the last row read; rows up to it are taken. */
  private last: Uint8Array | undefined = undefined;
  private done = false;
  /** Rows as they were when the snapshot was taken, by key, for rows written since (null: absent then). */
  private readonly before = new Map<string, RecordEntry | null>();
  /** Keys of {@link before} met while reading pages. */
  private readonly met = new Set<string>();
  private readonly runs: SortedRuns<RecordEntry>;

  /**
   * @param storage - the backend
   * @param size - how many rows the store holds now
   */
  constructor(
    private readonly storage: PagedStorage,
    /** How many rows it holds. */
    readonly size: number,
  ) {
    this.runs = new SortedRuns((bytes) => storage.decodeKey(bytes));
  }

  /**
   * The backend is about to write the row of `key`: keeps the row as the snapshot saw it,
   * unless it was read already.
   * @param key - the key bytes
   */
  preserve(key: Uint8Array): void {
    if (this.done || (this.last !== undefined && compareKeyBytes(key, this.last) <= 0)) return;
    const k = mapKey(key);
    if (this.before.has(k)) return;
    const row = this.storage.read(key);
    this.before.set(k, row === undefined ? null : { key: new Uint8Array(key), value: row.value, expiry: row.expiry });
  }

  /** The backend is about to remove every row: reads the rest of the store now. */
  preserveAll(): void {
    while (!this.prepare());
  }

  /**
   * Reads and sorts the next page.
   * @returns whether every row is read
   * @throws BrokerError `invalid_data` when a stored key does not decode
   */
  prepare(): boolean {
    if (this.done) return true;
    const page = this.storage.page(this.last, SNAPSHOT_PAGE);
    // Without a write since the snapshot was taken (the usual case), the page is as it was.
    let rows = page;
    if (this.before.size > 0) {
      rows = [];
      for (const row of page) {
        const k = mapKey(row.key);
        const was = this.before.get(k);
        if (was === undefined) rows.push(row);
        else {
          this.met.add(k);
          if (was !== null) rows.push(was);
        }
      }
    }
    if (page.length > 0) this.last = page[page.length - 1].key;
    this.runs.add(rows);
    if (page.length < SNAPSHOT_PAGE) {
      // Rows erased since the snapshot was taken are in no page.
      const erased: RecordEntry[] = [];
      for (const [k, was] of this.before) if (was !== null && !this.met.has(k)) erased.push(was);
      this.runs.add(erased);
      this.finish();
    }
    return this.done;
  }

  /** Stops reading: the snapshot is not going to be read (a transfer given up). */
  close(): void {
    this.finish();
  }

  /** The rows in key order (reading what is left first). */
  [Symbol.iterator](): IterableIterator<RecordEntry> {
    while (!this.prepare());
    return this.runs.merge();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.before.clear();
    this.met.clear();
    this.storage.release(this);
  }
}
