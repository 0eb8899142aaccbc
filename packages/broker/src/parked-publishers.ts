/**
 * The publishers whose messages wait for room in peer buffers, oldest first, each once.
 * Their messages stay in their own bounded buffers (a publisher's `capacity`, the
 * endpoint's `publishBufferSize`), so this queue holds at most one entry per publisher.
 * The core decides when a publisher must wait and takes its messages; this queue keeps
 * the order and tells waiting callers (unpeer, shutdown) when none is left.
 */
import type { PublisherPort } from './local-subscription';
import type { PublishBuffer } from './publish-buffer';

/** A publisher waiting for peers, with its buffer. */
interface Parked {
  buffer: PublishBuffer;
  publisher: PublisherPort;
}

/** Publishers waiting for room in peer buffers. */
export class ParkedPublishers {
  private readonly parked: Parked[] = [];
  /** Callers waiting until no publisher is parked; at most one per unpeer or shutdown in progress. */
  private readonly drained: Array<() => void> = [];

  /** Publishers waiting. */
  get length(): number {
    return this.parked.length;
  }

  /** Puts a publisher at the end of the queue (once: a parked buffer is not parked again). */
  park(buffer: PublishBuffer, publisher: PublisherPort): void {
    buffer.park();
    this.parked.push({ buffer, publisher });
  }

  /**
   * Lets the publishers go on in order while `take` empties their buffers; the first one
   * `take` cannot empty stays at the head. Resolves the waiting callers once none is left.
   * @param take - routes a buffer's messages while peers have room; true once it is empty
   */
  resume(take: (buffer: PublishBuffer, publisher: PublisherPort) => boolean): void {
    while (this.parked.length > 0) {
      const head = this.parked[0];
      if (!take(head.buffer, head.publisher)) return;
      head.buffer.unpark();
      this.parked.shift();
    }
    for (const w of this.drained.splice(0)) w();
  }

  /** Resolves once no publisher is parked (at once when none is). */
  allTaken(): Promise<void> {
    if (this.parked.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Messages waiting in the parked publishers' buffers. */
  get buffered(): number {
    let n = 0;
    for (const { buffer } of this.parked) n += buffer.length;
    return n;
  }
}
