/**
 * The sending side of every broker-ts throughput row: a `Publisher` on
 * `/benchmark/events` publishing a fresh conn.log event per message, as fast as its
 * credit allows. The publisher's bounded credit is the only thing that paces it, so the
 * sender's memory stays flat without an application-level ack window.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';

import type { Endpoint } from '@broker-ts/broker';
import { BENCHMARK_TOPICS, makeConnEvent } from '@broker-ts/cli';

import { announceReady, serveControl } from '../baselines/lib/control-server';

/** Events published between two turns of the event loop (so control messages get in). */
const YIELD_EVERY = 1000;

/**
 * Publisher capacity (messages in flight to the endpoint): 1024, or the environment's
 * `BENCH_PUBLISHER_CAPACITY` (a publisher's default is 64), which the benchmark's child
 * processes inherit.
 */
export const PUBLISHER_CAPACITY = publisherCapacity(process.env.BENCH_PUBLISHER_CAPACITY);

function publisherCapacity(text: string | undefined): number {
  if (text === undefined || text === '') return 1024;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_PUBLISHER_CAPACITY must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

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

/**
 * The whole life of a sending child process once its endpoint is peered: waits for the
 * receivers' subscription, publishes conn events, answers the control protocol (the
 * count, and stop: end the loop and shut the endpoint down), and says `ready`.
 * @returns when the publishing loop has ended
 */
export async function runConnEventSender(endpoint: Endpoint): Promise<void> {
  await waitForEventsSubscription(endpoint);
  const state: SenderState = { sent: 0, stopping: false };
  const sending = publishConnEvents(endpoint, state);
  serveControl({
    count: () => state.sent,
    onStop: async () => {
      state.stopping = true;
      await sending.catch(() => undefined);
      await endpoint.shutdown();
    },
  });
  announceReady();
  await sending;
}
