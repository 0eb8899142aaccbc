import { BrokerError } from '@broker-ts/data';
import type { ConsumerMessage } from './channel-message';
import { resolveChannelOptions, type ChannelOptions } from './channel-options';

/** What a consumer does to the world (injected; the consumer itself does no I/O). */
export interface ConsumerCallbacks<P> {
  /** Delivers the next payload in channel order. */
  consume(payload: P, seq: number): void;
  /** Sends a message to the producer (`to` is null while no producer is known: a rendezvous request). */
  send(msg: ConsumerMessage, to: string | null): void;
  /**
   * The producer can no longer retransmit event `seq`: what was delivered so far is a
   * correct prefix, but the stream cannot continue. The consumer has already started a
   * resync (a new handshake, which brings a new offset); the owner should expect to
   * replace its state by a snapshot.
   */
  outOfSync?(seq: number): void;
  /** Nothing came from the producer for `connectionTimeout` ticks; the consumer has reset and forgotten it. */
  producerLost?(producer: string): void;
}

/** Options of a consumer: the channel's, plus how often it asks for a handshake while it knows no producer. */
export interface ConsumerOptions extends ChannelOptions {
  /** Ticks between two handshake requests while no producer is known (Broker: `nackTimeout`). */
  readonly handshakeInterval: number;
}

/**
 * The consumer side of Broker's reliable ordered channel. It delivers payloads in
 * sequence order exactly once, holds early ones (up to `bufferCapacity` ahead), NACKs
 * gaps after `nackTimeout` ticks without progress, learns of a loss at the tail from
 * heartbeats, ACKs every `heartbeatInterval` ticks (its keepalive), and gives the producer
 * up after `connectionTimeout` silent ticks. It joins by NACKing sequence number 0; the
 * handshake tells it where to start. Time passes only through {@link ChannelConsumer.tick}.
 *
 * The owner filters messages: it hands over only messages from {@link ChannelConsumer.producer}
 * (or any handshake while that is null).
 */
export class ChannelConsumer<P> {
  /** Channel timing and capacities (the producer's handshake overrides heartbeat and timeout). */
  readonly options: ConsumerOptions;
  /** Where messages go. */
  private readonly callbacks: ConsumerCallbacks<P>;
  /** The producer, once a handshake named one; kept across a resync. */
  private producerValue: string | null = null;
  /** Grows at each reset or resync; stamps our requests. */
  private epochValue = 0;
  /** The next sequence number to deliver; 0 before the handshake. */
  private next = 0;
  /** The highest sequence number known to exist (from events and heartbeats). */
  private known = 0;
  /** Events received ahead of `next` (or before the handshake), by sequence number. */
  private early = new Map<number, P>();
  /** Ticks elapsed. */
  private tickValue = 0;
  /** `next` at the previous tick, to see progress. */
  private lastTickNext = 0;
  /** Ticks without progress (or since the last handshake request). */
  private idleTicks = 0;
  /** Ticks since the producer was last heard from. */
  private silentTicks = 0;
  /** Heartbeat interval announced by the producer. */
  private heartbeatInterval: number;
  /** Connection timeout announced by the producer. */
  private connectionTimeout: number;
  /** Whether handshake requests are held (see {@link holdHandshakeRequests}). */
  private holding = false;

  /**
   * @param callbacks - how to deliver and send
   * @param options - channel timing and capacities (Broker's defaults when omitted)
   * @throws BrokerError `invalid_data` for a bad option
   */
  constructor(callbacks: ConsumerCallbacks<P>, options: Partial<ConsumerOptions> = {}) {
    this.callbacks = callbacks;
    const base = resolveChannelOptions(options);
    const handshakeInterval = options.handshakeInterval ?? base.nackTimeout;
    if (!isPositive(handshakeInterval)) throw new BrokerError('invalid_data', `channel option 'handshakeInterval' must be a positive integer, got ${String(handshakeInterval)}`);
    this.options = { ...base, handshakeInterval };
    this.heartbeatInterval = base.heartbeatInterval;
    this.connectionTimeout = base.connectionTimeout;
  }

  /** The producer this consumer listens to, or null. */
  get producer(): string | null {
    return this.producerValue;
  }

  /** The current epoch. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Whether a handshake set the starting point. */
  get initialized(): boolean {
    return this.next !== 0;
  }

  /** The highest sequence number delivered (the handshake offset right after it); 0 before the handshake. */
  get delivered(): number {
    return this.next === 0 ? 0 : this.next - 1;
  }

  /** How many events wait out of order. */
  get buffered(): number {
    return this.early.size;
  }

  /** True when initialized, with nothing missing and nothing held. */
  get idle(): boolean {
    return this.initialized && this.early.size === 0 && this.next > this.known;
  }

  /** Sends a handshake request now (to the known producer, or to anyone). */
  requestHandshake(): void {
    this.idleTicks = 0;
    this.callbacks.send({ kind: 'nack', seqs: [0], epoch: this.epochValue }, this.producerValue);
  }

  /**
   * Handles a handshake.
   * @param producer - the producer that sent it
   * @param offset - the last sequence number before this consumer joined
   * @param epoch - the epoch it answers
   * @param heartbeatInterval - the producer's heartbeat interval
   * @param connectionTimeout - the producer's connection timeout
   * @param latest - the producer's latest sequence number, when it said (a resumed
   *   handshake, whose events up to it follow): the consumer is not idle before it has them
   * @returns true when it initialized the consumer; false for a repeated, stale or foreign one
   */
  handleHandshake(producer: string, offset: number, epoch: number, heartbeatInterval: number, connectionTimeout: number, latest?: number): boolean {
    if (this.producerValue !== null && producer !== this.producerValue) return false;
    if (this.producerValue !== null) this.silentTicks = 0;
    if (this.initialized || epoch !== this.epochValue || !isCount(offset)) return false;
    this.producerValue = producer;
    this.silentTicks = 0;
    if (isPositive(heartbeatInterval)) this.heartbeatInterval = heartbeatInterval;
    if (isPositive(connectionTimeout)) this.connectionTimeout = connectionTimeout;
    this.next = offset + 1;
    this.lastTickNext = this.next;
    this.idleTicks = 0;
    if (offset > this.known) this.known = offset;
    if (latest !== undefined && isCount(latest) && latest > this.known) this.known = latest;
    for (const s of this.early.keys()) if (s <= offset) this.early.delete(s);
    this.drain();
    this.sendAck();
    return true;
  }

  /**
   * Notes that the producer's handshake answer is arriving in pieces: the consumer does
   * not ask for a handshake again, nor give the producer up, while pieces keep coming.
   */
  handshakeProgress(): void {
    this.idleTicks = 0;
    this.silentTicks = 0;
  }

  /**
   * Stops (or resumes) the periodic handshake requests while uninitialized: the owner
   * holds them while a handshake answer arrives in pieces and gives up on it itself
   * (with {@link resync}). A reset or resync resumes them.
   * @param hold - whether to hold them
   */
  holdHandshakeRequests(hold: boolean): void {
    this.holding = hold;
  }

  /**
   * Handles an event.
   * @param seq - its sequence number
   * @param payload - its payload
   */
  handleEvent(seq: number, payload: P): void {
    this.silentTicks = 0;
    if (!isCount(seq) || seq === 0) return;
    if (!this.initialized) {
      if (this.early.size < this.options.bufferCapacity) this.early.set(seq, payload);
      return;
    }
    if (seq < this.next) return;
    if (seq > this.known) this.known = seq;
    if (seq === this.next) {
      this.deliver(payload);
      this.drain();
    } else if (seq - this.next < this.options.bufferCapacity && !this.early.has(seq)) {
      this.early.set(seq, payload);
    }
  }

  /**
   * Handles a heartbeat.
   * @param seq - the producer's latest sequence number
   */
  handleHeartbeat(seq: number): void {
    this.silentTicks = 0;
    if (this.initialized && isCount(seq) && seq > this.known) this.known = seq;
  }

  /**
   * Handles a `retransmitFailed`: when it concerns an event this consumer still needs, the
   * stream is broken; the consumer resyncs and reports it through `outOfSync`.
   * @param seq - the event that cannot be retransmitted
   * @param epoch - the epoch it answers
   */
  handleRetransmitFailed(seq: number, epoch: number): void {
    this.silentTicks = 0;
    if (epoch !== this.epochValue || !this.initialized || !isCount(seq) || seq < this.next) return;
    this.resync();
    this.callbacks.outOfSync?.(seq);
  }

  /** Advances time by one tick: producer timeout, handshake retries, NACKs and ACKs. */
  tick(): void {
    const now = ++this.tickValue;
    if (this.producerValue !== null && ++this.silentTicks >= this.connectionTimeout) {
      const lost = this.producerValue;
      this.reset();
      this.callbacks.producerLost?.(lost);
      return;
    }
    if (!this.initialized) {
      if (this.holding) return;
      const interval = this.producerValue === null ? this.options.handshakeInterval : this.options.nackTimeout;
      if (++this.idleTicks >= interval) this.requestHandshake();
      return;
    }
    const progressed = this.next > this.lastTickNext;
    this.lastTickNext = this.next;
    if (progressed) this.idleTicks = 0;
    else if (++this.idleTicks >= this.options.nackTimeout && this.next <= this.known) {
      this.idleTicks = 0;
      this.sendNack();
      return;
    }
    if (now % this.heartbeatInterval === 0) this.sendAck();
  }

  /** Starts over with the same producer: a new epoch, nothing delivered, a handshake request sent now. */
  resync(): void {
    this.clear();
    this.requestHandshake();
  }

  /** Forgets the producer and starts over (a new epoch); the owner calls {@link requestHandshake} when it wants to join again. */
  reset(): void {
    this.clear();
    this.producerValue = null;
    this.silentTicks = 0;
    this.heartbeatInterval = this.options.heartbeatInterval;
    this.connectionTimeout = this.options.connectionTimeout;
  }

  private clear(): void {
    this.holding = false;
    this.epochValue++;
    this.next = 0;
    this.known = 0;
    this.lastTickNext = 0;
    this.idleTicks = 0;
    this.early = new Map();
  }

  private deliver(payload: P): void {
    const seq = this.next++;
    this.callbacks.consume(payload, seq);
  }

  private drain(): void {
    // Delivering may call back into the owner, which may reset us: stop when it does.
    const epoch = this.epochValue;
    for (;;) {
      if (this.epochValue !== epoch || !this.early.has(this.next)) return;
      const payload = this.early.get(this.next) as P;
      this.early.delete(this.next);
      this.deliver(payload);
    }
  }

  private sendAck(): void {
    this.callbacks.send({ kind: 'ack', seq: this.next - 1, epoch: this.epochValue }, this.producerValue);
  }

  private sendNack(): void {
    const seqs: number[] = [];
    const max = this.options.maxNackSeqs;
    for (let s = this.next; s <= this.known && seqs.length < max; s++) if (!this.early.has(s)) seqs.push(s);
    if (seqs.length > 0) this.callbacks.send({ kind: 'nack', seqs, epoch: this.epochValue }, this.producerValue);
  }
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isPositive(x: unknown): x is number {
  return isCount(x) && x > 0;
}
