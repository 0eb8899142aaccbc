import { BrokerError, BrokerTable, encodeBinary, type Data } from '@broker-ts/data';

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
  /** Its entries, in key order. */
  readonly table: BrokerTable;
  /** Whether it is the last. */
  readonly last: boolean;
}

/**
 * The master's side of sending one snapshot in pieces: the entries taken at the
 * handshake, cut into pieces of at most `chunkBytes` encoded bytes (a larger entry makes
 * a piece of its own) when first sent, and a window of at most `window` pieces beyond the
 * last one the clone acknowledged. Pieces are cut lazily from the snapshot's iterator, so
 * that each turn of the master's event loop walks and measures only the entries of the
 * pieces it sends. Without I/O.
 */
export class SnapshotTransfer {
  /** The clone epoch it answers. */
  readonly epoch: number;
  /** The channel sequence number the snapshot reflects. */
  readonly offset: number;
  /** The snapshot's entries not yet taken into a piece. */
  private readonly source: Iterator<[Data, Data]>;
  /** The entries taken into pieces so far, in key order (kept to send a piece again). */
  private readonly keys: Data[] = [];
  private readonly values: Data[] = [];
  private readonly chunkBytes: number;
  private readonly window: number;
  /** Where each piece cut so far starts; `bounds[i + 1]` is where piece `i` ends. */
  private readonly bounds: number[] = [0];
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
   * @param snapshot - every entry (owned from now on; treated as immutable)
   * @param chunkBytes - most encoded entry bytes per piece
   * @param window - most pieces in flight
   */
  constructor(epoch: number, offset: number, snapshot: BrokerTable, chunkBytes: number, window: number) {
    this.epoch = epoch;
    this.offset = offset;
    this.source = snapshot[Symbol.iterator]();
    this.chunkBytes = chunkBytes;
    this.window = window;
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
    if (received > this.acked && received <= this.highestSent) this.acked = received;
    if (this.next < this.acked) this.next = this.acked;
  }

  /**
   * The pieces to send now: up to the window beyond the acknowledged ones.
   * @returns them, in order
   */
  due(): SnapshotPiece[] {
    const out: SnapshotPiece[] = [];
    while (this.next < this.acked + this.window && (this.total === null || this.next < this.total)) {
      out.push(this.piece(this.next));
      this.next++;
      if (this.next > this.highestSent) this.highestSent = this.next;
    }
    return out;
  }

  private piece(i: number): SnapshotPiece {
    const start = this.bounds[i];
    let end = this.bounds[i + 1];
    if (end === undefined) {
      // Cut piece i (the next one): entries from the source until the size is reached; an
      // entry that does not fit is held back as the next piece's first.
      end = start;
      let bytes = 0;
      for (;;) {
        if (end === this.keys.length) {
          const next = this.source.next();
          if (next.done === true) break;
          this.keys.push(next.value[0]);
          this.values.push(next.value[1]);
        }
        const size = encodeBinary(this.keys[end]).length + encodeBinary(this.values[end]).length;
        if (end > start && bytes + size > this.chunkBytes) break;
        bytes += size;
        end++;
      }
      this.bounds.push(end);
      // The loop stops with every entry taken only when the source is exhausted.
      if (end === this.keys.length) this.total = i + 1;
    }
    const entries: [Data, Data][] = [];
    for (let j = start; j < end; j++) entries.push([this.keys[j], this.values[j]]);
    const table = new BrokerTable(entries);
    return { index: i, table, last: this.total === i + 1 };
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
