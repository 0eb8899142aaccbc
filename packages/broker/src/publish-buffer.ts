/**
 * The facade's side of publishing: messages that `Endpoint.publish` or a `Publisher`
 * accepted and the core has not taken yet. The facade and the core live in the same
 * thread and share this buffer; the core hears of it through one `publish-drain` message
 * per burst instead of one mailbox message per publication, and takes the burst in one
 * turn.
 */
import type { Data } from '@broker-ts/data';
import { BrokerError } from '@broker-ts/data';

/**
 * Marks where a burst ends. The core takes items up to `end` (an absolute item count)
 * for the drain message that carries the mark; a mark stays open (`end` infinite) until
 * the facade sends the core another command, so that commands stay in order with the
 * publications before and after them.
 */
export interface DrainMark {
  /** Items added to the buffer when the burst was sealed (absolute count), or Infinity while open. */
  end: number;
}

/**
 * A bounded FIFO of publications (parallel arrays on a ring, so a publication allocates
 * nothing here). Bounded by `capacity`: {@link PublishBuffer.push} refuses beyond it.
 *
 * Who may call what: the owner (`Endpoint.publish`, a `Publisher`) calls
 * {@link PublishBuffer.push}, {@link PublishBuffer.countDrop} and, to drop the oldest
 * item, {@link PublishBuffer.shift}; the core's publication pacing
 * (`publication-pacing.ts`, which parks buffers through `parked-publishers.ts`) calls the
 * rest ({@link PublishBuffer.seal}, the `head*` getters and `shift` to take items,
 * {@link PublishBuffer.limitTakeTo}, {@link PublishBuffer.park}/{@link
 * PublishBuffer.unpark}, {@link PublishBuffer.endOverflowEpisode}); the counts (`length`,
 * `full`, `parked`, `dropped`) are for anyone to read. Both live in the same thread, so no
 * call races another.
 */
export class PublishBuffer {
  /** Largest number of items held. */
  readonly capacity: number;
  /** Topics, values and receivers on the ring; empty slots hold undefined. */
  private readonly topics: Array<string | undefined>;
  private readonly values: Array<Data | undefined>;
  /** Each value in Broker's binary format when the publisher encoded it already. */
  private readonly payloads: Array<Uint8Array | undefined>;
  private readonly receivers: Array<string | undefined>;
  /** The hub that published each item (it does not receive its own), if any. */
  private readonly froms: Array<number | undefined>;
  /** Index of the oldest item. */
  private head = 0;
  /** Items held. */
  private size = 0;
  /** Items ever added (absolute position of the next item). */
  private added = 0;
  /** Items ever removed, taken by the core or dropped as oldest (absolute position of the head). */
  private removed = 0;
  /** The mark of the burst the core has not been told the end of, if any. */
  private open: DrainMark | undefined;
  /**
   * Absolute position up to which the core may take items: the end of the latest burst
   * it was told about, so that a command sent after a burst is handled before the
   * publications that follow it. Infinite for buffers whose order with commands does not
   * matter (publishers).
   */
  private takeLimit = Number.POSITIVE_INFINITY;
  /** Set while the core holds this buffer back for lack of peer credit. */
  private parkedFlag = false;
  /** Publications the owner refused or dropped because the buffer was full. */
  private droppedCount = 0;
  /** Set from the first drop of an overflow episode until the core saw the buffer empty. */
  private overflowReported = false;

  /**
   * @param capacity - the bound, an integer >= 1
   * @throws BrokerError `invalid_data` for a bad capacity
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new BrokerError('invalid_data', `a publish buffer needs a positive integer capacity, got ${String(capacity)}`);
    this.capacity = capacity;
    const slots = Math.min(capacity, 1024);
    this.topics = new Array<string | undefined>(slots);
    this.values = new Array<Data | undefined>(slots);
    this.payloads = new Array<Uint8Array | undefined>(slots);
    this.receivers = new Array<string | undefined>(slots);
    this.froms = new Array<number | undefined>(slots);
  }

  /** Items held. */
  get length(): number {
    return this.size;
  }

  /** True when no further item fits. */
  get full(): boolean {
    return this.size === this.capacity;
  }

  /**
   * Appends a publication.
   * @param from - the publishing hub, which does not get its own message
   * @param value - the value; may be undefined when `payload` is given (the publisher
   *   kept only the bytes: no local subscription could take the value)
   * @param payload - `value` in Broker's binary format, if the publisher encoded it
   *   already: the core sends these bytes to peers instead of encoding the value again,
   *   and gives local hubs the value itself (decoded from these bytes if it was not kept)
   * @returns the mark of a new burst, which the caller sends to the core in a
   *   `publish-drain` message; undefined when the current burst already has one, or when
   *   the buffer is full (check {@link PublishBuffer.full} first)
   */
  push(topic: string, value: Data | undefined, receiver: string | undefined, from?: number, payload?: Uint8Array): DrainMark | undefined {
    if (this.size === this.capacity) return undefined;
    if (this.size === this.topics.length) this.grow();
    let i = this.head + this.size;
    if (i >= this.topics.length) i -= this.topics.length;
    this.topics[i] = topic;
    this.values[i] = value;
    this.payloads[i] = payload;
    this.receivers[i] = receiver;
    this.froms[i] = from;
    this.size++;
    this.added++;
    if (this.open !== undefined) return undefined;
    this.open = { end: Number.POSITIVE_INFINITY };
    return this.open;
  }

  /** Ends the current burst: later publications go with a new drain message. */
  seal(): void {
    if (this.open === undefined) return;
    this.open.end = this.added;
    this.open = undefined;
  }

  /** True when the oldest item belongs to the burst of `mark` (or an earlier one). */
  hasItemFor(mark: DrainMark): boolean {
    return this.size > 0 && this.removed < mark.end;
  }

  /** The core: lets it take items up to the end of the burst of `mark` only (see {@link PublishBuffer.takeable}). */
  limitTakeTo(mark: DrainMark): void {
    this.takeLimit = mark.end;
  }

  /** True while the core holds this buffer back for lack of peer credit. */
  get parked(): boolean {
    return this.parkedFlag;
  }

  /** The core: holds this buffer back until peers have room. */
  park(): void {
    this.parkedFlag = true;
  }

  /** The core: the buffer's turn came again. */
  unpark(): void {
    this.parkedFlag = false;
  }

  /** Publications the owner refused or dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * The owner: counts a publication refused or dropped for lack of room.
   * @returns true for the first drop of an overflow episode: the owner then tells the core,
   *   so that each episode is reported once
   */
  countDrop(): boolean {
    this.droppedCount++;
    if (this.overflowReported) return false;
    this.overflowReported = true;
    return true;
  }

  /**
   * The core: ends a reported overflow episode once the buffer ran empty.
   * @returns true when an episode ended now
   */
  endOverflowEpisode(): boolean {
    if (!this.overflowReported || this.size > 0) return false;
    this.overflowReported = false;
    return true;
  }

  /** True when the oldest item is within the limit of {@link PublishBuffer.limitTakeTo}. */
  get takeable(): boolean {
    return this.size > 0 && this.removed < this.takeLimit;
  }

  /** The oldest item's topic (call only when not empty). */
  get headTopic(): string {
    return this.topics[this.head]!;
  }

  /**
   * The oldest item's value (call only when not empty); undefined when its publisher kept
   * only the payload (see {@link PublishBuffer.push}).
   */
  get headValue(): Data | undefined {
    return this.values[this.head];
  }

  /** The oldest item's value in Broker's binary format, if its publisher encoded it (call only when not empty). */
  get headPayload(): Uint8Array | undefined {
    return this.payloads[this.head];
  }

  /** The oldest item's receiver (call only when not empty). */
  get headReceiver(): string | undefined {
    return this.receivers[this.head];
  }

  /** The hub that published the oldest item, if one did (call only when not empty). */
  get headFrom(): number | undefined {
    return this.froms[this.head];
  }

  /** Removes the oldest item (taken by the core, or dropped to make room). */
  shift(): void {
    if (this.size === 0) return;
    const h = this.head;
    this.topics[h] = undefined;
    this.values[h] = undefined;
    this.payloads[h] = undefined;
    this.receivers[h] = undefined;
    this.froms[h] = undefined;
    this.head = h + 1 === this.topics.length ? 0 : h + 1;
    this.size--;
    this.removed++;
  }

  /** Doubles the ring (up to `capacity`), keeping the order. */
  private grow(): void {
    const n = this.topics.length;
    const slots = Math.min(this.capacity, n * 2);
    for (const arr of [this.topics, this.values, this.payloads, this.receivers, this.froms] as unknown[][]) {
      const copy = new Array<unknown>(slots);
      for (let k = 0; k < this.size; k++) copy[k] = arr[(this.head + k) % n];
      arr.length = 0;
      for (let k = 0; k < this.size; k++) arr[k] = copy[k];
      arr.length = slots;
    }
    this.head = 0;
  }
}
