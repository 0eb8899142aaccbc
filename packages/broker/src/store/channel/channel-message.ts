/**
 * The messages of Broker's reliable ordered channel (`internal/channel.hh`): what a
 * producer sends to its consumers and what a consumer sends back. Plain data (numbers
 * and the payload), so that they cross threads and processes through cbor.
 *
 * Sequence numbers start at 1 for the first event; 0 means "nothing yet". An `epoch`
 * names one attempt of a consumer to join: it grows each time the consumer resets, so
 * that a late duplicate of an old request never disturbs the current path.
 */

/** The producer accepted a consumer: events after `offset` follow. Unicast. */
export interface HandshakeMessage {
  readonly kind: 'handshake';
  /** The last sequence number before the consumer joined; the consumer starts at `offset + 1`. */
  readonly offset: number;
  /** The consumer epoch this answers. */
  readonly epoch: number;
  /** Ticks between two heartbeats (and two consumer ACKs). */
  readonly heartbeatInterval: number;
  /** Ticks of silence after which either side gives the other up. */
  readonly connectionTimeout: number;
  /**
   * Set when the consumer resumes where it left off: it already holds every event up to
   * `offset` (the position it asked to resume from), and the events after it follow.
   */
  readonly resumed?: boolean;
  /**
   * With `resumed`: the producer's latest sequence number when it answered. The events up
   * to it follow the handshake, possibly over several messages: the consumer is not idle
   * before it has them.
   */
  readonly latest?: number;
}

/** One payload in channel order. Broadcast when produced, unicast when retransmitted. */
export interface EventMessage<P> {
  readonly kind: 'event';
  /** Its sequence number. */
  readonly seq: number;
  /** What the producer produced. */
  readonly payload: P;
}

/** The producer is alive and its latest sequence number is `seq` (detects a loss at the tail). Broadcast. */
export interface HeartbeatMessage {
  readonly kind: 'heartbeat';
  /** The latest sequence number produced. */
  readonly seq: number;
}

/** The producer can no longer retransmit `seq`: the consumer is out of sync and must resync. Unicast. */
export interface RetransmitFailedMessage {
  readonly kind: 'retransmitFailed';
  /** The first sequence number that cannot be retransmitted. */
  readonly seq: number;
  /** The consumer epoch this answers. */
  readonly epoch: number;
}

/** What a producer sends. */
export type ProducerMessage<P> = HandshakeMessage | EventMessage<P> | HeartbeatMessage | RetransmitFailedMessage;

/** The consumer received every event up to and including `seq` (also its keepalive). */
export interface AckMessage {
  readonly kind: 'ack';
  /** The highest sequence number delivered without a gap. */
  readonly seq: number;
  /** The consumer's current epoch. */
  readonly epoch: number;
}

/**
 * The consumer misses these events (ascending). Everything before the first is implicitly
 * acknowledged. `[0]` asks for a handshake.
 */
export interface NackMessage {
  readonly kind: 'nack';
  /** Missing sequence numbers, strictly ascending; `[0]` for a handshake request. */
  readonly seqs: readonly number[];
  /** The consumer's current epoch. */
  readonly epoch: number;
}

/** What a consumer sends. */
export type ConsumerMessage = AckMessage | NackMessage;
