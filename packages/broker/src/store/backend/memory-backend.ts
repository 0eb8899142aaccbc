import type { Data } from '@broker-ts/data';
import type { EncodedEntry, SnapshotRows } from './backend';
import type { BackendOptions } from './backend-options';
import { optionEntries } from './backend-options';
import { compareStoredKeys } from './encoded-order';
import { OrderedRows } from './ordered-rows';
import { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';

/** Bytes as a latin1 string: one character per byte, so equal bytes ⇔ equal strings. */
function latin1(bytes: Uint8Array): string {
  // The encoder's output is a Buffer already: no view of it to make.
  if (bytes instanceof Buffer) return bytes.toString('latin1');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** A latin1 string's bytes, a fresh copy. */
function bytesOf(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** A row of a view as the snapshot interface hands it out: fresh bytes of key and value. */
function entryOf([key, value]: [string, string]): EncodedEntry {
  return { key: bytesOf(key), value: bytesOf(value) };
}

/**
 * Broker's `memory` backend: a hash table in this thread, gone when the backend closes.
 * Rows are kept encoded, as the persistent backends keep them, so that a value handed out
 * is always a fresh copy (Broker copies values out of its C++ map) and the three backends
 * agree byte for byte on what a key is.
 *
 * Each row is two strings: the Broker binary encodings of its key and of its value, as
 * latin1 strings (one byte per character; V8 keeps them in one-byte strings, a 16-byte
 * header and the bytes, where a `Uint8Array` costs well over 100 bytes of objects). The
 * hash table maps the key's string to the value's; an expiry, when a row has one, is kept
 * in a second table; the key's string is the same string in both and in the tree.
 *
 * Beside the hash table the rows are kept in Broker's key order (the order a snapshot
 * travels in) in a copy-on-write tree of the same strings, ordered by reading the key
 * encodings ({@link compareStoredKeys}: keys equal in Broker's order but encoded apart,
 * such as `0.0` and `-0.0`, are two rows in a fixed order), so no key is kept decoded: a
 * snapshot is a view of it taken in constant time, so a master neither sorts nor copies
 * its store to answer a clone, and reads the view piece by piece while it goes on taking
 * writes.
 */
export class MemoryBackend extends RecordBackend {
  readonly kind = 'memory' as const;
  /** The value of each row, by the key: both Broker binary encodings as latin1 strings. */
  private rows = new Map<string, string>();
  /** The expiry of the rows that have one (ns since the epoch), by the key's string. */
  private expiring = new Map<string, bigint>();
  /** The same rows in key order. */
  private ordered = new OrderedRows<string, string>(compareStoredKeys);

  /**
   * @param options - ignored, as Broker ignores them (they are still checked to be an
   *   object or a map)
   */
  constructor(options?: BackendOptions) {
    super();
    optionEntries(options);
  }

  /**
   * The stored encoding of the value under an encoded key, without decoding anything:
   * how a clone compares a new snapshot with its replica.
   * @param key - Broker binary encoding of the key, as a latin1 string
   * @returns the value's encoding as a latin1 string, or undefined
   */
  storedValue(key: string): string | undefined {
    return this.rows.get(key);
  }

  /**
   * The rows as of now in Broker's key order, as their encodings in latin1 strings (see
   * {@link storedValue}); later writes do not change what it yields. Constant time.
   */
  encodedRows(): Iterable<[string, string]> {
    return this.ordered.view();
  }

  /**
   * Stores a row given as the encodings the backend keeps (see {@link storedValue}),
   * without an expiry, replacing the key's row: how a clone takes a snapshot's rows
   * without decoding them.
   * @param key - the key's Broker binary encoding as a latin1 string, exactly as
   *   `encodeBinary` writes it (the caller vouches for it: a backend's rows are only ever
   *   such encodings, which reads decode and the key order walks)
   * @param value - the value's encoding, the same way
   * @throws BrokerError `backend_failure` when the backend is closed
   */
  putEncoded(key: string, value: string): void {
    this.run('put', () => this.writeRow(key, value, undefined));
  }

  protected readRecord(key: Uint8Array): StoredRecord | undefined {
    const k = latin1(key);
    const value = this.rows.get(k);
    return value === undefined ? undefined : { value: bytesOf(value), expiry: this.expiring.get(k) };
  }

  protected hasRecord(key: Uint8Array): boolean {
    return this.rows.has(latin1(key));
  }

  protected writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void {
    this.writeRow(latin1(key), latin1(value), expiry);
  }

  protected override exchangeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): Uint8Array | undefined {
    const k = latin1(key);
    const old = this.rows.get(k);
    this.writeRow(k, latin1(value), expiry);
    return old === undefined ? undefined : bytesOf(old);
  }

  private writeRow(k: string, v: string, expiry: bigint | undefined): void {
    // A key already present keeps its first string in both the tree and the hash table
    // (neither replaces a key it finds), so a key's string is held once however often it
    // is written.
    this.ordered.set(k, v);
    this.rows.set(k, v);
    if (expiry === undefined) this.expiring.delete(k);
    else this.expiring.set(k, expiry);
  }

  protected deleteRecord(key: Uint8Array): boolean {
    const k = latin1(key);
    if (!this.rows.delete(k)) return false;
    this.expiring.delete(k);
    this.ordered.delete(k);
    return true;
  }

  protected deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean {
    const expiry = this.expiring.get(latin1(key));
    if (expiry === undefined || expiry > now) return false;
    return this.deleteRecord(key);
  }

  protected deleteAllRecords(): void {
    this.rows.clear();
    this.expiring.clear();
    this.ordered.clear();
  }

  protected countRecords(): number {
    return this.rows.size;
  }

  protected listRecords(): RecordEntry[] {
    // In key order, so that the tables and sets built from it need no sorting.
    const out: RecordEntry[] = [];
    for (const [k, v] of this.ordered.view()) out.push({ key: bytesOf(k), value: bytesOf(v), expiry: this.expiring.get(k) });
    return out;
  }

  protected override listExpiring(): Array<{ key: Uint8Array; expiry: bigint }> {
    return [...this.expiring].map(([k, expiry]) => ({ key: bytesOf(k), expiry }));
  }

  protected override orderedRecords(): SnapshotRows {
    const view = this.ordered.view();
    return {
      size: view.size,
      *[Symbol.iterator]() {
        for (const row of view) yield entryOf(row);
      },
      latin1Rows: () => view[Symbol.iterator](),
    };
  }

  protected atomically<T>(body: () => T): T {
    // Every operation computes first and writes last, and a row write cannot fail (a key
    // that does not decode fails before anything is written), so a throwing body has
    // written nothing.
    return body();
  }

  protected closeStorage(): void {
    this.rows = new Map();
    this.expiring = new Map();
    this.ordered = new OrderedRows(compareStoredKeys);
  }
}
