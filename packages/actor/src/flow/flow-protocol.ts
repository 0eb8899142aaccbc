/**
 * The whole flow wire protocol: the plain-data messages that producer and consumer actors
 * exchange. They ride on ordinary actor messages, so a stream works the same between
 * actors in one thread, across worker threads and across processes.
 *
 * A stream has one id on each side: `psid` (allocated by the producer's host) and `csid`
 * (allocated by the consumer's host). Messages to the consumer carry `csid`, messages to
 * the producer carry `psid`, so each side finds its state with one integer map lookup.
 *
 * ```
 * producer                         consumer
 *    flow.open {psid, source}  ──▶
 *                              ◀──  flow.accept {psid, csid, credit}   (or flow.cancel)
 *    flow.batch {csid, items}  ──▶  (never more items than credit granted)
 *                              ◀──  flow.demand {psid, credit}
 *    flow.complete {csid}      ──▶  (after the last batch)  or  flow.abort {csid, error}
 *                              ◀──  flow.cancel {psid, error}  (consumer stops early)
 * ```
 * Each side monitors the other from open/accept until the end, so the death of either
 * ends the stream with `consumer_down` / `producer_down` and leaves no state behind.
 */
import type { FlowErrorData } from './flow-error';

/** Producer → consumer: asks to open a stream. `R` is the runtime's actor reference type. */
export interface FlowOpen<R> {
  type: 'flow.open';
  /** The producer's stream id. */
  psid: number;
  /** The producing actor (to send credit to and to monitor). */
  source: R;
  /** Application data describing the stream (for example a topic), or `null`. */
  meta: unknown;
}

/** Consumer → producer: the stream is accepted, with the first credit. */
export interface FlowAccept {
  type: 'flow.accept';
  /** The producer's stream id. */
  psid: number;
  /** The consumer's stream id, to put on every later message to the consumer. */
  csid: number;
  /** Initial credit: items the producer may send. */
  credit: number;
}

/** Consumer → producer: more credit. */
export interface FlowDemand {
  type: 'flow.demand';
  /** The producer's stream id. */
  psid: number;
  /** Additional items the producer may send. */
  credit: number;
}

/** Consumer → producer: the stream is refused or cancelled; the producer drops it. */
export interface FlowCancel {
  type: 'flow.cancel';
  /** The producer's stream id. */
  psid: number;
  /** Why (`rejected`, `cancelled`, `protocol`, ...). */
  error: FlowErrorData;
}

/** Producer → consumer: a batch of items, within granted credit. */
export interface FlowBatch {
  type: 'flow.batch';
  /** The consumer's stream id. */
  csid: number;
  /** The items, oldest first. */
  items: unknown[];
}

/** Producer → consumer: the stream ended normally after the last batch. */
export interface FlowComplete {
  type: 'flow.complete';
  /** The consumer's stream id. */
  csid: number;
}

/** Producer → consumer: the stream ended with an error. */
export interface FlowAbort {
  type: 'flow.abort';
  /** The consumer's stream id. */
  csid: number;
  /** Why (`overflow`, `aborted`, `protocol`, ...). */
  error: FlowErrorData;
}

/** Messages a consumer receives. */
export type FlowToSink<R> = FlowOpen<R> | FlowBatch | FlowComplete | FlowAbort;
/** Messages a producer receives. */
export type FlowToSource = FlowAccept | FlowDemand | FlowCancel;
/** Any flow protocol message. */
export type FlowMessage<R> = FlowToSink<R> | FlowToSource;

/** The `type` tags of every flow message. */
export const FLOW_MESSAGE_TYPES = ['flow.open', 'flow.accept', 'flow.demand', 'flow.cancel', 'flow.batch', 'flow.complete', 'flow.abort'] as const;

const TYPES: ReadonlySet<string> = new Set(FLOW_MESSAGE_TYPES);

/**
 * Tells whether a message is a flow protocol message (by its `type` tag only; the host
 * checks the fields of each kind before trusting them).
 * @param msg - any received message
 */
export function isFlowMessage(msg: unknown): msg is FlowMessage<unknown> {
  return typeof msg === 'object' && msg !== null && TYPES.has((msg as { type?: unknown }).type as string);
}

/**
 * Checks that a stream id from the wire is usable as a map key.
 * @param id - the `psid` or `csid` field as received
 */
export function isStreamId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}
