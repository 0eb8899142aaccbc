/**
 * The sending side of every broker-ts throughput row: a `Publisher` on
 * `/benchmark/events` publishing a fresh conn.log event per message, as fast as its
 * credit allows. The publisher's bounded credit is the only thing that paces it, so the
 * sender's memory stays flat without an application-level ack window.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';

import type { Endpoint } from '@broker-ts/broker';
import { BENCHMARK_TOPICS, makeConnEvent } from '@broker-ts/cli';

/** Events published between two turns of the event loop (so control messages get in). */
const YIELD_EVERY = 1000;

/** Publisher capacity (messages in flight to the endpoint). */
export const PUBLISHER_CAPACITY = 1024;

/** A running sender's state. */
export interface SenderState {
  /** Events published so far. */
  sent: number;
  /** Set to end the loop. */
  stopping: boolean;
}

/**
 * Waits until a peer of `endpoint` has subscribed to the benchmark's events.
 * @throws Error after `timeoutMs`
 */
export async function waitForEventsSubscription(endpoint: Endpoint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await endpoint.peerSubscriptions()).some((t) => BENCHMARK_TOPICS.events.startsWith(t))) {
    if (Date.now() > deadline) throw new Error(`no peer subscribed to ${BENCHMARK_TOPICS.events} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Publishes conn events until `state.stopping`. */
export async function publishConnEvents(endpoint: Endpoint, state: SenderState): Promise<void> {
  const pub = endpoint.makePublisher(BENCHMARK_TOPICS.events, { capacity: PUBLISHER_CAPACITY });
  try {
    while (!state.stopping) {
      await pub.publish(makeConnEvent(state.sent));
      state.sent++;
      if (state.sent % YIELD_EVERY === 0) await yieldToLoop();
    }
  } finally {
    pub.close();
  }
}
