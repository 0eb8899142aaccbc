import { BrokerError } from '@broker-ts/data';
import type { SnapshotRows } from '../backend';
import { encodeSnapshotTable, storedRowSize, type StoredRow } from './snapshot-table';

/**
 * Most encoded bytes of entries in one snapshot piece by default: far below the actor
 * transport's 16 MiB frame limit, so that a piece always fits even with the message's
 * own encoding overhead, and small enough that a piece costs one short turn.
 */
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/**
 * Snapshot pieces a master keeps in flight to one clone by default (sent and not yet
 * acknowledged): with {@link DEFAULT_SNAPSHOT_CHUNK_BYTES}, about 4 MiB per clone, well
 * within the transport's per-connection bound on outbound bytes.
 */
export const DEFAULT_SNAPSHOT_WINDOW = 4;

/** One piece of a snapshot. */
export interface SnapshotPiece {
  /** Its position, from 0. */
  readonly index: number;
  /** Its entries, in key order: the Broker binary encoding of a table of them. */
  readonly table: Uint8Array;
  /** Whether it is the last. */
  readonly last: boolean;
}

/**
 * The master's side of sending one snapshot in pieces: the backend's rows taken at the
 * handshake (a view, in key order), cut into pieces of at most `chunkBytes` encoded bytes
 * (a larger entry makes a piece of its own) when first sent, and a window of at most
 * `window` pieces beyond the last one the clone acknowledged. Pieces are cut and encoded
 * lazily from the view, so that each turn of the master's event loop reads only the rows
 * of the pieces it sends, and pieces the clone acknowledged are let go. Without I/O.
 */
export class SnapshotTransfer {
  /** The clone epoch it answers. */
  readonly epoch: number;
  /** The channel sequence number the snapshot reflects. */
  readonly offset: number;
  /** The snapshot's rows. */
  private readonly snapshot: SnapshotRows;
  /** The rows not yet taken into a piece, once the snapshot is ready to be read. */
  private source: Iterator<StoredRow> | null = null;
  /** A row read from the source that did not fit into the last piece cut. */
  private held: StoredRow | undefined = undefined;
  /** The rows of each piece cut and not yet acknowledged (kept to send it again). */
  private readonly cut: Array<StoredRow[] | undefined> = [];
  private readonly chunkBytes: number;
  private readonly window: number;
  /** How many pieces there are, once the last was cut. */
  private total: number | null = null;
  /** The next piece to send. */
  private next = 0;
  /** How many pieces the clone holds. */
  private acked = 0;
  /** One more than the highest piece ever sent. */
  private highestSent = 0;

  /**
   * @param epoch - the clone epoch answered
   * @param offset - the sequence number the snapshot reflects
   * @param snapshot - every entry, in key order (owned from now on; treated as immutable);
   *   nothing is sent before {@link prepare} said it is ready
   * @param chunkBytes - most encoded entry bytes per piece
   * @param window - most pieces in flight
   */
  constructor(epoch: number, offset: number, snapshot: SnapshotRows, chunkBytes: number, window: number) {
    this.epoch = epoch;
    this.offset = offset;
    this.snapshot = snapshot;
    this.chunkBytes = chunkBytes;
    this.window = window;
  }

  /** Whether the snapshot's rows are ready to be sent (see {@link prepare}). */
  get ready(): boolean {
    return this.source !== null;
  }

  /**
   * Does a bounded step of the work before the first piece (ordering the rows of a
   * persistent backend), so that the master spreads it over turns of its event loop.
   * @returns whether the snapshot is ready to be sent
   * @throws BrokerError `invalid_data` when a stored key does not decode
   */
  prepare(): boolean {
    if (this.source === null && (this.snapshot.prepare?.() ?? true)) this.source = this.snapshot.latin1Rows?.() ?? this.snapshot[Symbol.iterator]();
    return this.source !== null;
  }

  /** Gives the transfer up: the snapshot releases what it holds. */
  close(): void {
    this.snapshot.close?.();
  }

  /** How many pieces the clone acknowledged. */
  get received(): number {
    return this.acked;
  }

  /** Starts again from the first piece the clone does not hold (a repeated handshake request, or a retry). */
  rewind(): void {
    this.next = this.acked;
  }

  /**
   * The clone holds the first `received` pieces.
   * @param received - its count (ignored beyond what was sent)
   */
  ack(received: number): void {
    if (received > this.acked && received <= this.highestSent) {
      for (let i = this.acked; i < received; i++) this.cut[i] = undefined;
      this.acked = received;
    }
    if (this.next < this.acked) this.next = this.acked;
  }

  /**
   * The first piece the clone does not hold, sent again (the clone asked after a wait
   * without progress); the window of pieces in flight stays as it is.
   * @returns it, or nothing when every piece sent is acknowledged
   * @throws BrokerError `invalid_data` when a stored row is not a whole encoding
   */
  resend(): SnapshotPiece[] {
    return this.acked < this.highestSent ? [this.piece(this.acked)] : [];
  }

  /**
   * The pieces to send now: up to the window beyond the acknowledged ones.
   * @returns them, in order
   * @throws BrokerError `invalid_data` when a stored row is not a whole encoding
   */
  due(): SnapshotPiece[] {
    const out: SnapshotPiece[] = [];
    if (this.source === null) return out;
    while (this.next < this.acked + this.window && (this.total === null || this.next < this.total)) {
      out.push(this.piece(this.next));
      this.next++;
      if (this.next > this.highestSent) this.highestSent = this.next;
    }
    return out;
  }

  private piece(i: number): SnapshotPiece {
    let rows = this.cut[i];
    if (rows === undefined) {
      // Cut piece i (the next one): rows from the source until the size is reached; a row
      // that does not fit is held back as the next piece's first.
      rows = [];
      let bytes = 0;
      for (;;) {
        let row = this.held;
        this.held = undefined;
        if (row === undefined) {
          const next = this.source!.next();
          if (next.done === true) {
            this.total = i + 1;
            break;
          }
          row = next.value;
        }
        const size = storedRowSize(row);
        if (rows.length > 0 && bytes + size > this.chunkBytes) {
          this.held = row;
          break;
        }
        bytes += size;
        rows.push(row);
      }
      this.cut[i] = rows;
    }
    return { index: i, table: encodeSnapshotTable(rows), last: this.total === i + 1 };
  }
}

/**
 * Checks a snapshot piece size or window option.
 * @throws BrokerError `invalid_data` unless a positive integer
 */
export function snapshotOption(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new BrokerError('invalid_data', `master option '${name}' must be a positive integer, got ${String(n)}`);
  return n;
}
