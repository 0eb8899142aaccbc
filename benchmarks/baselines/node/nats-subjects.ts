/** Subjects of the NATS baseline. */

/** Subject carrying the benchmark events. */
export const EVENTS_SUBJECT = 'benchmark.events';

/** Subject carrying the subscriber's cumulative acknowledgement counts. */
export const ACK_SUBJECT = 'benchmark.ack';
