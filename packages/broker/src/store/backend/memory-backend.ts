import type { BackendOptions } from './backend-options';
import { optionEntries } from './backend-options';
import { RecordBackend, type RecordEntry, type StoredRecord } from './record-backend';

/** Map key of a row: its key bytes as a latin1 string (one char per byte, so equal bytes ⇔ equal strings). */
function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/**
 * Broker's `memory` backend: a hash table in this thread, gone when the backend closes.
 * Rows are kept encoded, as the persistent backends keep them, so that a value handed out
 * is always a fresh copy (Broker copies values out of its C++ map) and the three backends
 * agree byte for byte on what a key is.
 */
export class MemoryBackend extends RecordBackend {
  readonly kind = 'memory' as const;
  /** The rows, by {@link mapKey} of their key bytes. */
  private rows = new Map<string, RecordEntry>();

  /**
   * @param options - ignored, as Broker ignores them (they are still checked to be an
   *   object or a map)
   */
  constructor(options?: BackendOptions) {
    super();
    optionEntries(options);
  }

  protected readRecord(key: Uint8Array): StoredRecord | undefined {
    return this.rows.get(mapKey(key));
  }

  protected hasRecord(key: Uint8Array): boolean {
    return this.rows.has(mapKey(key));
  }

  protected writeRecord(key: Uint8Array, value: Uint8Array, expiry: bigint | undefined): void {
    // Own copies: encoded bytes may be views into Node's shared 8 KiB pool, and a row kept
    // for long would pin a whole slab each.
    this.rows.set(mapKey(key), { key: new Uint8Array(key), value: new Uint8Array(value), expiry });
  }

  protected deleteRecord(key: Uint8Array): boolean {
    return this.rows.delete(mapKey(key));
  }

  protected deleteRecordIfExpired(key: Uint8Array, now: bigint): boolean {
    const k = mapKey(key);
    const row = this.rows.get(k);
    if (row === undefined || row.expiry === undefined || row.expiry > now) return false;
    return this.rows.delete(k);
  }

  protected deleteAllRecords(): void {
    this.rows.clear();
  }

  protected countRecords(): number {
    return this.rows.size;
  }

  protected listRecords(): RecordEntry[] {
    return [...this.rows.values()];
  }

  protected atomically<T>(body: () => T): T {
    // Every operation computes first and writes last, and a row write cannot fail, so a
    // throwing body has written nothing.
    return body();
  }

  protected closeStorage(): void {
    this.rows = new Map();
  }
}
