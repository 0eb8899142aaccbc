import { decodeBinary, type Data } from '@broker-ts/data';
import type { MemoryBackend } from '../backend';
import type { EntityId } from './entity-id';
import { storeEvents, type StoreEvent, type StoreEventSource } from './store-event';

/** Entries a clone goes through per step of installing a snapshot (one turn of its event loop). */
export const INSTALL_SLICE = 4096;

/**
 * The store events of a clone replacing its replica by a snapshot, worked out in bounded
 * steps so that a clone of a million keys does not hold its event loop for the whole
 * store. Both replicas are memory backends that no longer change while it runs (the
 * clone reads the new one and lets nothing else write to it until the install is done).
 *
 * The events are Broker's, in this order: `erase` for keys that vanished (no publisher),
 * `update` for keys whose value changed, `insert` for new keys (publisher: the master; no
 * expiry); each pass goes through the keys in Broker's order. Values are compared by their
 * stored encodings, and only what an event carries is decoded. Unlike Broker, unchanged
 * keys get no `update` event. Without I/O.
 */
export class SnapshotInstall {
  /** 0: erased keys (over the old replica), 1: changed keys (old), 2: new keys (over the new one), 3: done. */
  private phase: 0 | 1 | 2 | 3;
  private rows: Iterator<[string, string]>;

  /**
   * @param name - the store name
   * @param master - the master the snapshot came from (the publisher of updates and inserts)
   * @param old - the replica being replaced; closed once the install is done
   * @param fresh - the new replica
   * @param emit - where the events go: builders, called only by whoever wants the event
   */
  constructor(
    private readonly name: string,
    private readonly master: EntityId,
    private readonly old: MemoryBackend,
    private readonly fresh: MemoryBackend,
    private readonly emit: (ev: StoreEventSource) => void,
  ) {
    // A first attach replaces an empty replica: only inserts.
    this.phase = old.size() === 0 ? 2 : 0;
    this.rows = this.passRows();
  }

  /** Whether every event was emitted. */
  get done(): boolean {
    return this.phase === 3;
  }

  /**
   * Goes through at most `budget` entries.
   * @param budget - entries to go through
   * @returns whether the install is done
   */
  step(budget: number = INSTALL_SLICE): boolean {
    let n = 0;
    while (this.phase !== 3 && n < budget) {
      const r = this.rows.next();
      if (r.done === true) {
        this.phase = (this.phase + 1) as 1 | 2 | 3;
        if (this.phase === 3) this.old.close();
        else this.rows = this.passRows();
        continue;
      }
      n++;
      const [key, value] = r.value;
      const { name, master } = this;
      if (this.phase === 0) {
        if (this.fresh.storedValue(key) === undefined) this.emit((): StoreEvent => storeEvents.erase(name, decode(key), null));
      } else if (this.phase === 1) {
        const now = this.fresh.storedValue(key);
        if (now !== undefined && now !== value) this.emit((): StoreEvent => storeEvents.update(name, decode(key), decode(value), decode(now), null, master));
      } else if (this.old.storedValue(key) === undefined) {
        this.emit((): StoreEvent => storeEvents.insert(name, decode(key), decode(value), null, master));
      }
    }
    return this.phase === 3;
  }

  /** Emits every event left at once (the clone must settle now: it lost its master or closes). */
  finish(): void {
    while (!this.step(Number.POSITIVE_INFINITY));
  }

  private passRows(): Iterator<[string, string]> {
    return (this.phase === 2 ? this.fresh : this.old).encodedRows()[Symbol.iterator]();
  }
}

/** Decodes a stored encoding (a latin1 string, see {@link MemoryBackend.storedValue}). */
function decode(encoding: string): Data {
  return decodeBinary(Buffer.from(encoding, 'latin1'));
}
