import { MemoryBackend } from '../backend';
import { sameEntity, type EntityId } from './entity-id';
import { putSnapshotTable } from './snapshot-table';
import type { AckCloneMessage, SnapshotChunkMessage } from './store-message';

/**
 * The clone's side of receiving a snapshot in pieces: the `ackClone` that started it, and
 * the entries of the pieces received in order, written as each arrives into the memory
 * backend that becomes the clone's replica once the last one is there. A piece is not
 * kept once its entries are written, so the clone never holds the decoded snapshot and
 * its replica at once, and the work of building the replica is spread over the pieces'
 * arrivals. Nothing of it is visible to reads until the clone installs it. Without I/O.
 */
export class SnapshotAssembly {
  /** The handshake answer that started it (piece 0). */
  readonly head: AckCloneMessage;
  /** How many pieces arrived in order. */
  private count = 1;
  /** Whether the last piece arrived. */
  private done = false;
  /** The entries received so far; released by {@link close} unless {@link take}n. */
  private staged: MemoryBackend | null;

  /**
   * @param head - the `ackClone` with `more` set
   * @throws BrokerError when an entry cannot be stored (the assembly is then released)
   */
  constructor(head: AckCloneMessage) {
    this.head = head;
    this.staged = stagedEntries(head.snapshot);
  }

  /** How many pieces arrived in order. */
  get received(): number {
    return this.count;
  }

  /** Whether every piece arrived. */
  get complete(): boolean {
    return this.done;
  }

  /**
   * Whether a message belongs to the same snapshot (same master, epoch and offset).
   * @param m - an `ackClone` or a `snapshotChunk`
   */
  matches(m: { readonly master: EntityId; readonly epoch: number; readonly offset: number }): boolean {
    return sameEntity(m.master, this.head.master) && m.epoch === this.head.epoch && m.offset === this.head.offset;
  }

  /**
   * Takes a piece of this snapshot.
   * @param m - the piece (see {@link matches})
   * @returns 'added' when it was the next one, 'duplicate' for one already held, 'gap' when
   *   an earlier one is missing (it is dropped)
   * @throws BrokerError when an entry cannot be stored
   */
  add(m: SnapshotChunkMessage): 'added' | 'duplicate' | 'gap' {
    if (this.done || this.staged === null || m.index < this.count) return 'duplicate';
    if (m.index > this.count) return 'gap';
    putSnapshotTable(m.snapshot, this.staged);
    this.count++;
    if (m.last) this.done = true;
    return 'added';
  }

  /**
   * Hands over the whole snapshot, as a memory backend that the caller owns from now on.
   * @throws Error when it is not complete or was taken or closed
   */
  take(): MemoryBackend {
    const s = this.staged;
    if (!this.done || s === null) throw new Error('the snapshot is not complete');
    this.staged = null;
    return s;
  }

  /** Releases the entries received (an abandoned transfer). Idempotent. */
  close(): void {
    this.staged?.close();
    this.staged = null;
  }
}

/**
 * A memory backend holding the entries of a table's encoding (a snapshot piece).
 * @throws BrokerError when the bytes are not a table's encoding or an entry cannot be stored
 */
export function stagedEntries(table: Uint8Array): MemoryBackend {
  const b = new MemoryBackend();
  try {
    putSnapshotTable(table, b);
  } catch (e) {
    b.close();
    throw e;
  }
  return b;
}
