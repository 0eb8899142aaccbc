import { compare, type Data } from '@broker-ts/data';
import type { EncodedEntry, SnapshotRows } from './backend';

/** Rows decoded and sorted in one {@link SortingRows.prepare} step: a few milliseconds of work. */
export const SORT_RUN = 8192;

/** A sorted run: the decoded keys and their rows, in key order. */
export interface Run<R> {
  /** The decoded keys, in key order. */
  readonly keys: Data[];
  /** The rows, parallel to {@link Run.keys}. */
  readonly rows: R[];
}

/**
 * Orders two stored keys' encodings by their bytes: unsigned, shorter first on a common prefix.
 * @param a - one encoding
 * @param b - another
 */
export function compareKeyBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * Rows in the order a backend keeps them and sends a snapshot in: Broker's order of the
 * decoded keys, and keys equal in it yet encoded apart (`0.0` and `-0.0`, NaNs of other
 * bits, two keys of a store) by their encodings' bytes, as `compareStoredKeys` orders
 * them, so that equal keys are neighbours in a fixed order.
 * @param rows - the rows (owned from now on)
 * @param decodeKey - decodes a stored key
 * @returns the rows in that order with their decoded keys
 * @throws BrokerError `invalid_data` when a stored key does not decode
 */
export function sortRun<R extends EncodedEntry>(rows: readonly R[], decodeKey: (bytes: Uint8Array) => Data): Run<R> {
  const keys = rows.map((r) => decodeKey(r.key));
  const order = keys.map((_, i) => i).sort((i, j) => compare(keys[i], keys[j]) || compareKeyBytes(rows[i].key, rows[j].key));
  return { keys: order.map((i) => keys[i]), rows: order.map((i) => rows[i]) };
}

/**
 * Rows gathered in batches in no particular order, each batch sorted by its decoded keys
 * into a run when added ({@link sortRun}); reading merges the runs (a heap over their
 * heads) into the same order. Values are never decoded here. Without I/O.
 */
export class SortedRuns<R extends EncodedEntry> {
  private readonly runs: Run<R>[] = [];

  /** @param decodeKey - decodes a stored key (throws `invalid_data` when it does not decode) */
  constructor(private readonly decodeKey: (bytes: Uint8Array) => Data) {}

  /**
   * Sorts a batch of rows into a run.
   * @param rows - the rows (owned from now on)
   * @throws BrokerError `invalid_data` when a stored key does not decode
   */
  add(rows: readonly R[]): void {
    if (rows.length === 0) return;
    this.runs.push(sortRun(rows, this.decodeKey));
  }

  /** Every row added, in key order. */
  *merge(): IterableIterator<R> {
    const runs = this.runs;
    if (runs.length === 1) {
      yield* runs[0].rows;
      return;
    }
    // A binary heap of run indices, ordered by each run's next key.
    const at = runs.map(() => 0);
    const less = (a: number, b: number): boolean => (compare(runs[a].keys[at[a]], runs[b].keys[at[b]]) || compareKeyBytes(runs[a].rows[at[a]].key, runs[b].rows[at[b]].key)) < 0;
    const heap: number[] = runs.map((_, i) => i);
    const down = (from: number): void => {
      for (let i = from; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    };
    for (let i = (heap.length >>> 1) - 1; i >= 0; i--) down(i);
    while (heap.length > 0) {
      const top = heap[0];
      yield runs[top].rows[at[top]++];
      if (at[top] === runs[top].rows.length) {
        const last = heap.pop()!;
        if (heap.length === 0) return;
        heap[0] = last;
      }
      down(0);
    }
  }
}

/**
 * Rows read from storage at once in no particular order, put into Broker's key order a
 * slice at a time: each {@link prepare} sorts {@link SORT_RUN} rows into a run, and
 * reading merges the runs. So ordering a large store costs many short steps instead of
 * one long sort. Without I/O.
 */
export class SortingRows<R extends EncodedEntry> implements SnapshotRows {
  private readonly runs: SortedRuns<R>;
  /** Rows not yet taken into a run start here. */
  private sorted = 0;

  /**
   * @param rows - the rows (owned from now on)
   * @param decodeKey - decodes a stored key (throws `invalid_data` when it does not decode)
   */
  constructor(
    private readonly rows: readonly R[],
    decodeKey: (bytes: Uint8Array) => Data,
  ) {
    this.runs = new SortedRuns(decodeKey);
  }

  /** How many rows it holds. */
  get size(): number {
    return this.rows.length;
  }

  /**
   * Sorts the next run of rows.
   * @returns whether every row is in a run
   * @throws BrokerError `invalid_data` when a stored key does not decode
   */
  prepare(): boolean {
    if (this.sorted >= this.rows.length) return true;
    const end = Math.min(this.sorted + SORT_RUN, this.rows.length);
    this.runs.add(this.rows.slice(this.sorted, end));
    this.sorted = end;
    return this.sorted >= this.rows.length;
  }

  /** The rows in key order (sorting what is left first). */
  [Symbol.iterator](): IterableIterator<R> {
    while (!this.prepare());
    return this.runs.merge();
  }
}
