/**
 * Window sizes used by every flow-controlled baseline (Broker 1.4, NATS, worker
 * threads), so that they run with the same number of messages in flight.
 */

/** Most messages sent and not yet acknowledged. */
export const DEFAULT_WINDOW = 5000;

/** The receiver acknowledges its cumulative count every this many messages. */
export const DEFAULT_ACK_EVERY = 500;
