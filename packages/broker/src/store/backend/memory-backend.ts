import type { Data } from '@broker-ts/data';
import type { SnapshotRows } from './backend';
import type { BackendOptions } from './backend-options';
import { optionEntries } from './backend-options';
import { OrderedRows } from './ordered-rows';
import { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';

/** Map key of a row: its key bytes as a latin1 string (one char per byte, so equal bytes ⇔ equal strings). */
function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/**
 * A row of the memory backend. Views of the ordered rows may share it: a row written
 * before the last view was taken is replaced, never changed; a newer one is updated in place.
 */
interface MemoryRow extends RecordEntry {
  /** The decoded key, owned by the backend: the row's place in Broker's order. */
  readonly order: Data;
  /** The generation of {@link OrderedRows} it was written in. */
  readonly generation: object;
}

/**
 * Broker's `memory` backend: a hash table in this thread, gone when the backend closes.
 * Rows are kept encoded, as the persistent backends keep them, so that a value handed out
 * is always a fresh copy (Broker copies values out of its C++ map) and the three backends
 * agree byte for byte on what a key is.
 *
 * Beside the hash table the rows are kept in Broker's key order (the order a snapshot
 * travels in, as a Broker table) in a copy-on-write tree: a snapshot is a view of it taken
 * in constant time, so a master neither sorts nor copies its store to answer a clone, and
 * reads the view piece by piece while it goes on taking writes.
 */
export class MemoryBackend extends RecordBackend {
  readonly kind = 'memory' as const;
  /** The rows, by {@link mapKey} of their key bytes. */
  private rows = new Map<string, MemoryRow>();
  /** The same rows in key order. */
  private ordered = new OrderedRows<MemoryRow>();

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
   * @param key - Broker binary encoding of the key
   * @returns the value's encoding (the backend's own bytes: do not change them), or undefined
   */
  storedValue(key: Uint8Array): Uint8Array | undefined {
    return this.rows.get(mapKey(key))?.value;
  }

  protected readRecord(key: Uint8Array): StoredRecord | undefined {
    return this.rows.get(mapKey(key));
  }

  protected hasRecord(key: Uint8Array): boolean {
    return this.rows.has(mapKey(key));
  }

  protected writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void {
    const k = mapKey(key);
    const old = this.rows.get(k);
    // Own copies: encoded bytes may be views into Node's shared 8 KiB pool, and a row kept
    // for long would pin a whole slab each.
    const bytes = new Uint8Array(value);
    const generation = this.ordered.generation;
    if (old !== undefined && old.generation === generation) {
      // No view holds this row: an overwrite needs no search in the tree.
      old.value = bytes;
      old.expiry = expiry;
      return;
    }
    // A new key is decoded once, for its order.
    const row: MemoryRow = old === undefined
      ? { key: new Uint8Array(key), value: bytes, expiry, order: this.decodeKey(key), generation }
      : { key: old.key, value: bytes, expiry, order: old.order, generation };
    this.ordered.set(row.order, row);
    this.rows.set(k, row);
  }

  protected deleteRecord(key: Uint8Array): boolean {
    const k = mapKey(key);
    const row = this.rows.get(k);
    if (row === undefined) return false;
    this.ordered.delete(row.order);
    return this.rows.delete(k);
  }

  protected deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean {
    const row = this.rows.get(mapKey(key));
    if (row === undefined || row.expiry === undefined || row.expiry > now) return false;
    return this.deleteRecord(key);
  }

  protected deleteAllRecords(): void {
    this.rows.clear();
    this.ordered.clear();
  }

  protected countRecords(): number {
    return this.rows.size;
  }

  protected listRecords(): RecordEntry[] {
    // In key order, so that the tables and sets built from it need no sorting.
    return [...this.ordered.view().values()];
  }

  protected override orderedRecords(): SnapshotRows {
    const view = this.ordered.view();
    return { size: view.size, [Symbol.iterator]: () => view.values() };
  }

  protected atomically<T>(body: () => T): T {
    // Every operation computes first and writes last, and a row write cannot fail (a key
    // that does not decode fails before anything is written), so a throwing body has
    // written nothing.
    return body();
  }

  protected closeStorage(): void {
    this.rows = new Map();
    this.ordered = new OrderedRows();
  }
}
