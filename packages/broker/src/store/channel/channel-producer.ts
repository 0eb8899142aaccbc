import type { EventMessage, ProducerMessage } from './channel-message';
import { resolveChannelOptions, type ChannelOptions } from './channel-options';

/** Why a producer dropped a consumer. */
export type DropReason = 'connection_timeout' | 'invalid_message' | 'detached';

/** What a producer does to the world (injected; the producer itself does no I/O). */
export interface ProducerCallbacks<P> {
  /** Sends a message to one consumer. */
  send(to: string, msg: ProducerMessage<P>): void;
  /** Sends a message to every consumer. */
  broadcast(msg: ProducerMessage<P>): void;
  /** A consumer was removed (it timed out, misbehaved or detached). */
  drop?(consumer: string, reason: DropReason): void;
  /** A consumer acknowledged its handshake. */
  handshakeCompleted?(consumer: string): void;
  /**
   * The memory a payload holds, estimated in bytes, for the `retainedBytes` bound
   * (without it every payload counts as 0 and only `retainedEvents` bounds what is kept).
   */
  sizeOf?(payload: P): number;
}

/** The producer's bookkeeping for one consumer. */
export interface ProducerPath {
  /** The consumer. */
  readonly consumer: string;
  /** The consumer epoch this path belongs to. */
  readonly epoch: number;
  /** The sequence number current when the consumer joined. */
  readonly offset: number;
  /** The highest sequence number it acknowledged (starts at `offset`). */
  acked: number;
  /** Whether it acknowledged the handshake. */
  handshakeDone: boolean;
  /** The tick at which it was last heard from. */
  lastSeen: number;
  /** Whether it resumed from `offset` with what it held (its handshake says so), rather than joining afresh. */
  readonly resumed: boolean;
}

/**
 * The producer side of Broker's reliable ordered channel: one producer, any number of
 * consumers. It numbers each payload, broadcasts it, keeps it for retransmission until
 * every consumer acknowledged it, answers NACKs, sends heartbeats when idle and drops
 * consumers that fall silent. Time passes only through {@link ChannelProducer.tick}.
 *
 * The retransmission buffer holds at most `bufferCapacity` events: beyond that the oldest
 * is evicted, and a consumer that later asks for it gets `retransmitFailed` (it is out of
 * sync and must resync) rather than silently missing an event. It also keeps the latest
 * `retainedEvents` after everyone acknowledged them (and at most `retainedBytes` of them,
 * by the callbacks' `sizeOf`), so that a consumer that was cut off can
 * {@link ChannelProducer.resume} from its last position when it comes back. It keeps
 * them only while it has a consumer or since one was cut off: before any consumer
 * joined, or after the last one detached, nobody could resume, and nothing is held (as
 * Broker's producer holds nothing without consumers, `libbroker/broker/internal/channel.hh`).
 */
export class ChannelProducer<P> {
  /** Channel timing and capacities. */
  readonly options: ChannelOptions;
  /** Where messages go. */
  private readonly callbacks: ProducerCallbacks<P>;
  /** The latest sequence number produced (0: none yet). */
  private seqValue = 0;
  /** Ticks elapsed. */
  private tickValue = 0;
  /** The tick of the last broadcast (event or heartbeat). */
  private lastBroadcast = 0;
  /** Unacknowledged and retained events, contiguous by sequence number, oldest at `bufStart`. */
  private buf: EventMessage<P>[] = [];
  /** Index of the oldest live entry of `buf` (entries before it are dead, compacted lazily). */
  private bufStart = 0;
  /** The estimated size of each entry of `buf` (parallel to it). */
  private sizes: number[] = [];
  /** The sum of `sizes` over the live entries. */
  private bytes = 0;
  /** One path per consumer. */
  private readonly pathMap = new Map<string, ProducerPath>();
  /** A consumer was dropped without detaching (it timed out or misbehaved): it may come back. */
  private cutOff = false;

  /**
   * @param callbacks - how to send
   * @param options - channel timing and capacities (Broker's defaults when omitted)
   * @throws BrokerError `invalid_data` for a bad option
   */
  constructor(callbacks: ProducerCallbacks<P>, options: Partial<ChannelOptions> = {}) {
    this.callbacks = callbacks;
    this.options = resolveChannelOptions(options);
  }

  /** The latest sequence number produced (0 before the first event). */
  get seq(): number {
    return this.seqValue;
  }

  /** Ticks elapsed since creation. */
  get ticks(): number {
    return this.tickValue;
  }

  /** How many events the producer holds (waiting for an acknowledgement, or retained). */
  get buffered(): number {
    return this.buf.length - this.bufStart;
  }

  /** The paths, one per consumer. */
  get paths(): ReadonlyMap<string, Readonly<ProducerPath>> {
    return this.pathMap;
  }

  /** True when every consumer completed its handshake and acknowledged the latest event. */
  get idle(): boolean {
    for (const p of this.pathMap.values()) if (!p.handshakeDone || p.acked !== this.seqValue) return false;
    return true;
  }

  /** True when some consumer has not acknowledged its handshake yet. */
  get hasPendingPaths(): boolean {
    for (const p of this.pathMap.values()) if (!p.handshakeDone) return true;
    return false;
  }

  /**
   * Numbers a payload and broadcasts it. The sequence number grows even without
   * consumers, so that it counts every event ever produced.
   * @param payload - the payload
   * @returns its sequence number
   */
  produce(payload: P): number {
    const seq = ++this.seqValue;
    const ev: EventMessage<P> = { kind: 'event', seq, payload };
    if (this.pathMap.size > 0 || (this.cutOff && this.options.retainedEvents > 0)) {
      const size = this.callbacks.sizeOf?.(payload) ?? 0;
      this.buf.push(ev);
      this.sizes.push(size);
      this.bytes += size;
      if (this.buffered > this.options.bufferCapacity) this.dropOldest(1);
      else if (this.buffered > this.options.retainedEvents || this.bytes > this.options.retainedBytes) this.trim();
    }
    this.lastBroadcast = this.tickValue;
    this.callbacks.broadcast(ev);
    return seq;
  }

  /**
   * Adds a consumer at the current sequence number and sends it the handshake. A consumer
   * already present is replaced (it reset, so its old path is useless).
   * @param consumer - the consumer's handle
   * @param epoch - the consumer epoch that asked
   */
  add(consumer: string, epoch = 0): void {
    const seq = this.seqValue;
    const path: ProducerPath = { consumer, epoch, offset: seq, acked: seq, handshakeDone: false, lastSeen: this.tickValue, resumed: false };
    this.pathMap.set(consumer, path);
    this.sendHandshake(path);
  }

  /**
   * Adds a consumer that already delivered every event up to `from` (it was cut off and
   * came back): its handshake says it resumes at `from`, and the events after `from`
   * follow at once, unicast. A consumer already present is replaced.
   * @param consumer - the consumer's handle
   * @param epoch - the consumer epoch that asked
   * @param from - the last sequence number it delivered
   * @returns false, adding nothing, when an event after `from` is no longer held (or
   *   `from` is ahead of the producer): the consumer needs a fresh handshake ({@link add})
   */
  resume(consumer: string, epoch: number, from: number): boolean {
    if (!isSeq(from) || from > this.seqValue || (from < this.seqValue && this.find(from + 1) === undefined)) return false;
    const path: ProducerPath = { consumer, epoch, offset: from, acked: from, handshakeDone: false, lastSeen: this.tickValue, resumed: true };
    this.pathMap.set(consumer, path);
    this.sendHandshake(path);
    for (let s = from + 1; s <= this.seqValue; s++) this.callbacks.send(consumer, this.find(s) as EventMessage<P>);
    return true;
  }

  /**
   * Removes a consumer (it detached).
   * @param consumer - the consumer's handle
   * @returns whether it was there
   */
  remove(consumer: string): boolean {
    if (!this.pathMap.delete(consumer)) return false;
    this.callbacks.drop?.(consumer, 'detached');
    this.trim();
    return true;
  }

  /**
   * Handles a cumulative ACK.
   * @param consumer - who sent it
   * @param seq - the highest sequence number it delivered without a gap
   * @param epoch - its epoch
   */
  handleAck(consumer: string, seq: number, epoch: number): void {
    const p = this.pathMap.get(consumer);
    if (p === undefined) {
      // A consumer we dropped (timeout) still believes it is connected: we can no longer
      // guarantee it every event, so tell it to resync.
      this.callbacks.send(consumer, { kind: 'retransmitFailed', seq: seq + 1, epoch });
      return;
    }
    if (epoch !== p.epoch || !isSeq(seq) || seq > this.seqValue) return;
    p.lastSeen = this.tickValue;
    this.ack(p, seq);
  }

  /**
   * Handles a NACK: `[0]` is a handshake request; otherwise the listed events are
   * retransmitted (or `retransmitFailed` sent for the first one no longer buffered) and
   * everything before the first is taken as acknowledged.
   * @param consumer - who sent it
   * @param seqs - missing sequence numbers, strictly ascending
   * @param epoch - its epoch
   * @param resumeFrom - with a handshake request: the last sequence number the consumer
   *   delivered from this producer before it was cut off; it {@link resume}s there when the
   *   events after it are still held, and joins afresh otherwise
   */
  handleNack(consumer: string, seqs: readonly number[], epoch: number, resumeFrom?: number): void {
    if (seqs.length === 0) return;
    const p = this.pathMap.get(consumer);
    const handshakeRequest = seqs.length === 1 && seqs[0] === 0;
    if (p === undefined) {
      if (handshakeRequest) this.join(consumer, epoch, resumeFrom);
      else if (isSeq(seqs[0])) this.callbacks.send(consumer, { kind: 'retransmitFailed', seq: seqs[0], epoch });
      return;
    }
    if (handshakeRequest) {
      if (epoch > p.epoch) this.join(consumer, epoch, resumeFrom);
      else if (epoch === p.epoch && !p.handshakeDone) {
        p.lastSeen = this.tickValue;
        this.sendHandshake(p);
      }
      return;
    }
    if (epoch !== p.epoch) return;
    if (!seqs.every((s, i) => isSeq(s) && s >= 1 && (i === 0 || s > seqs[i - 1]))) {
      this.pathMap.delete(consumer);
      this.cutOff = true;
      this.callbacks.drop?.(consumer, 'invalid_message');
      this.trim();
      return;
    }
    p.lastSeen = this.tickValue;
    if (seqs[0] - 1 <= this.seqValue) this.ack(p, seqs[0] - 1);
    for (const s of seqs) {
      if (s > this.seqValue) break;
      const ev = this.find(s);
      if (ev === undefined) {
        this.callbacks.send(consumer, { kind: 'retransmitFailed', seq: s, epoch });
        break;
      }
      this.callbacks.send(consumer, ev);
    }
  }

  /**
   * Notes that a consumer was heard from outside the channel's own messages (it is
   * receiving a handshake answer sent in pieces), so that it does not time out meanwhile.
   * @param consumer - who was heard
   * @param epoch - its epoch (another epoch's path is left alone)
   */
  heard(consumer: string, epoch: number): void {
    const p = this.pathMap.get(consumer);
    if (p !== undefined && p.epoch === epoch) p.lastSeen = this.tickValue;
  }

  /** Advances time by one tick: a heartbeat when nothing was broadcast for a while, and consumer timeouts. */
  tick(): void {
    const now = ++this.tickValue;
    if (now - this.lastBroadcast >= this.options.heartbeatInterval) {
      this.lastBroadcast = now;
      this.callbacks.broadcast({ kind: 'heartbeat', seq: this.seqValue });
    }
    let dropped = false;
    for (const [consumer, p] of this.pathMap) {
      if (now - p.lastSeen >= this.options.connectionTimeout) {
        this.pathMap.delete(consumer);
        this.cutOff = true;
        this.callbacks.drop?.(consumer, 'connection_timeout');
        dropped = true;
      }
    }
    if (dropped) this.trim();
  }

  private join(consumer: string, epoch: number, resumeFrom: number | undefined): void {
    if (resumeFrom === undefined || !this.resume(consumer, epoch, resumeFrom)) this.add(consumer, epoch);
  }

  private sendHandshake(p: ProducerPath): void {
    const { heartbeatInterval, connectionTimeout } = this.options;
    this.callbacks.send(p.consumer, { kind: 'handshake', offset: p.offset, epoch: p.epoch, heartbeatInterval, connectionTimeout, ...(p.resumed ? { resumed: true, latest: this.seqValue } : {}) });
  }

  private ack(p: ProducerPath, seq: number): void {
    if (seq < p.acked) return; // a blast from the past
    if (!p.handshakeDone) {
      p.handshakeDone = true;
      this.callbacks.handshakeCompleted?.(p.consumer);
    }
    if (seq === p.acked) return;
    p.acked = seq;
    this.trim();
  }

  private find(seq: number): EventMessage<P> | undefined {
    if (this.buffered === 0) return undefined;
    const i = this.bufStart + (seq - this.buf[this.bufStart].seq);
    return i >= this.bufStart && i < this.buf.length ? this.buf[i] : undefined;
  }

  /**
   * Drops events every consumer acknowledged, except the latest `retainedEvents`, and
   * the oldest of those while they hold more than `retainedBytes`.
   */
  private trim(): void {
    let acked = this.seqValue;
    for (const p of this.pathMap.values()) if (p.acked < acked) acked = p.acked;
    // Nobody could resume: nothing acknowledged is kept.
    const keepFrom = this.pathMap.size > 0 || this.cutOff ? this.seqValue - this.options.retainedEvents : this.seqValue;
    const limit = this.options.retainedBytes;
    let n = 0;
    let freed = 0;
    for (let i = this.bufStart; i < this.buf.length; i++) {
      const seq = this.buf[i].seq;
      if (seq > acked) break;
      // Acknowledged by everyone: kept while among the latest retainedEvents, and while
      // what the buffer holds without it stays within retainedBytes.
      if (seq > keepFrom && this.bytes - freed <= limit) break;
      freed += this.sizes[i];
      n++;
    }
    if (n > 0) this.dropOldest(n);
  }

  private dropOldest(n: number): void {
    for (let i = this.bufStart; i < this.bufStart + n && i < this.buf.length; i++) this.bytes -= this.sizes[i];
    this.bufStart += n;
    if (this.bufStart >= this.buf.length) {
      this.buf = [];
      this.sizes = [];
      this.bytes = 0;
      this.bufStart = 0;
    } else if (this.bufStart > 1024 && this.bufStart * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.bufStart);
      this.sizes = this.sizes.slice(this.bufStart);
      this.bufStart = 0;
    }
  }
}

function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
