import { BrokerError } from '@broker-ts/data';

/**
 * Timing and capacity of a channel, in ticks and events. Defaults are Broker's
 * `defaults::store`, except the capacities, which Broker leaves unbounded.
 */
export interface ChannelOptions {
  /** Ticks between two heartbeats of an idle producer, and between two ACKs of a consumer (Broker: 5). */
  readonly heartbeatInterval: number;
  /** Ticks without progress before a consumer NACKs a gap or repeats a handshake request (Broker: 2). */
  readonly nackTimeout: number;
  /** Ticks of silence after which a producer drops a consumer and a consumer gives its producer up (Broker: 100). */
  readonly connectionTimeout: number;
  /**
   * Events a producer keeps for retransmission, and events a consumer holds out of order.
   * A consumer that needs an event evicted from the producer's buffer is told it is out of
   * sync and resyncs from a snapshot. Must exceed the events produced during one ACK
   * period (`heartbeatInterval` ticks) at the highest write rate.
   */
  readonly bufferCapacity: number;
  /** Most sequence numbers one NACK lists (the first missing ones). */
  readonly maxNackSeqs: number;
  /**
   * Latest events a producer keeps even after every consumer acknowledged them (at most
   * `bufferCapacity`), so that a consumer that was cut off and comes back gets the events
   * it missed instead of a new handshake from scratch (0: none kept); kept only while
   * the producer has a consumer or since one was cut off (see `ChannelProducer`).
   */
  readonly retainedEvents: number;
  /**
   * Acknowledged events are kept only while the events the producer holds come to at
   * most this many bytes, as its `sizeOf` estimates them (0: none kept), oldest dropped
   * first: large values would otherwise make the `retainedEvents` latest ones large.
   */
  readonly retainedBytes: number;
}

/** The duration of one tick in milliseconds (Broker's `defaults::store::tick_interval`). */
export const STORE_TICK_INTERVAL_MS = 100;

/** Broker's defaults (`defaults::store`) and our bounds. */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  heartbeatInterval: 5,
  nackTimeout: 2,
  connectionTimeout: 100,
  bufferCapacity: 65536,
  maxNackSeqs: 1024,
  retainedEvents: 16384,
  retainedBytes: 64 * 1024 * 1024,
});

/**
 * Completes and checks channel options.
 * @param options - overrides of {@link DEFAULT_CHANNEL_OPTIONS}
 * @returns the complete options
 * @throws BrokerError `invalid_data` when a value is not a positive integer (`retainedEvents`,
 *   `retainedBytes`: not a non-negative one)
 */
export function resolveChannelOptions(options: Partial<ChannelOptions> = {}): ChannelOptions {
  const out = { ...DEFAULT_CHANNEL_OPTIONS, ...options };
  for (const name of Object.keys(DEFAULT_CHANNEL_OPTIONS) as (keyof ChannelOptions)[]) {
    const v = out[name];
    const least = name === 'retainedEvents' || name === 'retainedBytes' ? 0 : 1;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < least) {
      throw new BrokerError('invalid_data', `channel option '${name}' must be a ${least === 0 ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
    }
  }
  return out;
}
