/**
 * Broker's reliable ordered channel (`internal/channel.hh`) without I/O: a producer for
 * many consumers and a consumer for one producer, fed messages and ticks. Used by the
 * data store master (producer) and clones (consumers).
 */
export type { AckMessage, ConsumerMessage, EventMessage, HandshakeMessage, HeartbeatMessage, NackMessage, ProducerMessage, RetransmitFailedMessage } from './channel-message';
export { DEFAULT_CHANNEL_OPTIONS, resolveChannelOptions, STORE_TICK_INTERVAL_MS, type ChannelOptions } from './channel-options';
export { ChannelConsumer, type ConsumerCallbacks, type ConsumerOptions } from './channel-consumer';
export { ChannelProducer, type DropReason, type ProducerCallbacks, type ProducerPath } from './channel-producer';
