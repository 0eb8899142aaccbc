import type { BrokerTable, Data } from '@broker-ts/data';
import { sameEntity, type EntityId } from './entity-id';
import type { AckCloneMessage, SnapshotChunkMessage } from './store-message';

/**
 * The clone's side of receiving a snapshot in pieces: the `ackClone` that started it and
 * the pieces received in order. Nothing of it is visible to reads until the last piece
 * arrived and the clone installs the whole. Its size is the master's snapshot's: the
 * clone must hold that much anyway once attached. Without I/O.
 */
export class SnapshotAssembly {
  /** The handshake answer that started it (piece 0). */
  readonly head: AckCloneMessage;
  /** How many pieces arrived in order. */
  private count = 1;
  private readonly pieces: BrokerTable[];
  /** Whether the last piece arrived. */
  private done = false;

  /** @param head - the `ackClone` with `more` set */
  constructor(head: AckCloneMessage) {
    this.head = head;
    this.pieces = [head.snapshot];
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
   */
  add(m: SnapshotChunkMessage): 'added' | 'duplicate' | 'gap' {
    if (this.done || m.index < this.count) return 'duplicate';
    if (m.index > this.count) return 'gap';
    this.pieces.push(m.snapshot);
    this.count++;
    if (m.last) this.done = true;
    return 'added';
  }

  /** Every entry received, in key order. */
  *entries(): IterableIterator<[Data, Data]> {
    for (const t of this.pieces) yield* t;
  }
}
