/**
 * The client of `broker-throughput`: peers with the server, publishes benchmark events
 * in batches at a rate (or as fast as its publisher's credit allows) and prints, for
 * each `stats_update` of the server, the sending and receiving rates as Broker 1.4's
 * client does. Ends when the server publishes `quit_benchmark`, after `--duration`, or
 * on abort.
 */
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';

import { Endpoint, type Publisher, type StatusEvent } from '@broker-ts/broker';

import { makeBenchmarkEvent } from './benchmark-event';
import { drainPublisher } from './publisher-drain';
import type { MetricsServer } from './metrics-server';
import { startToolMetrics } from './tool-endpoint';
import { watchStatuses } from './watch-statuses';
import { toolLogger } from './tool-logger';
import { BENCHMARK_TOPICS, parseStatsUpdate } from './throughput-protocol';
import type { ThroughputClientOptions } from './throughput-options';
import type { ToolOutput } from './tool-output';

/** How long the client waits for the server's subscription to `/benchmark/events`. */
const SUBSCRIPTION_WAIT_MS = 10_000;

/** Consecutive stats above `--max-in-flight` that end the client (Broker 1.4's rule). */
const IN_FLIGHT_STRIKES = 5;

/** Events published between two turns of the event loop when sending flat out. */
const YIELD_EVERY = 1000;

/** How long a stopping client waits for its publisher to hand its last events to the endpoint. */
const DRAIN_WAIT_MS = 10_000;


async function waitForSubscription(ep: Endpoint, topic: string): Promise<boolean> {
  const deadline = Date.now() + SUBSCRIPTION_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await ep.peerSubscriptions()).some((t) => topic.startsWith(t))) return true;
    await sleep(10);
  }
  return false;
}

/** The sending side's counters. */
interface SendState {
  sent: number;
  batchSize: number;
  stopped: boolean;
}

async function sendEvents(options: ThroughputClientOptions, pub: Publisher, state: SendState, io: ToolOutput): Promise<void> {
  const limit = options.numEvents ?? Infinity;
  if (options.batchRate === 0) {
    while (!state.stopped && state.sent < limit) {
      await pub.publish(makeBenchmarkEvent(options.eventType, state.sent));
      state.sent++;
      if (state.sent % YIELD_EVERY === 0) await yieldToLoop();
    }
    return;
  }
  const periodMs = 1000 / options.batchRate;
  let next = performance.now();
  while (!state.stopped && state.sent < limit) {
    // Broker 1.4 skips a batch rather than block when its publisher is (nearly) full.
    if (pub.freeCapacity <= 1) io.out('*** skip batch: publisher queue full');
    else {
      for (let k = 0; k < state.batchSize && state.sent < limit && !state.stopped; k++) {
        await pub.publish(makeBenchmarkEvent(options.eventType, state.sent));
        state.sent++;
      }
    }
    next += periodMs;
    const now = performance.now();
    // After a stall, keep the rate from here on instead of bursting to catch up.
    if (next < now - 1000) next = now;
    if (next > now) await sleep(next - now);
    else await yieldToLoop();
  }
}

/**
 * Runs the client.
 * @returns the exit status: 0 done (quit by the server, duration over, or aborted),
 *   1 when peering fails, the server never subscribes or goes away, or too many events
 *   stay in flight
 */
export async function runThroughputClient(options: ThroughputClientOptions, io: ToolOutput, signal?: AbortSignal): Promise<number> {
  const ep = new Endpoint({ name: 'broker-throughput-client', disableSsl: options.disableSsl, ssl: options.ssl, logger: toolLogger(options.verbose) });
  const replies = ep.makeSubscriber([BENCHMARK_TOPICS.stats, BENCHMARK_TOPICS.terminate]);
  let quitSeen = false;
  let peered = false;
  const serverGone = (event: StatusEvent): void => {
    if (!peered) return;
    // The server's quit_benchmark is delivered before its goodbye: let the reply loop
    // take anything already queued before deciding that the server went away.
    setImmediate(() => {
      if (quitSeen || replies.poll().some(([topic]) => topic === BENCHMARK_TOPICS.terminate)) {
        ended(0);
        return;
      }
      io.err(`broker-throughput: lost the server: ${String(event)}`);
      ended(1);
    });
  };
  const statuses = watchStatuses(ep, io, { verbose: options.verbose, onPeerGone: serverGone });
  const state: SendState = { sent: 0, batchSize: options.batchSize, stopped: false };
  const started = performance.now();
  let totalRecv = 0;
  let timers: NodeJS.Timeout[] = [];
  let ended!: (status: number) => void;
  const end = new Promise<number>((resolve) => (ended = resolve));
  const onAbort = (): void => ended(0);
  signal?.addEventListener('abort', onAbort);
  let metrics: MetricsServer | undefined;
  try {
    if (options.metricsPort !== undefined) {
      metrics = await startToolMetrics({ endpoint: ep, port: options.metricsPort }, 'broker-throughput', io);
      if (metrics === undefined) return 1;
    }
    if (!(await ep.peer(options.host, options.port))) {
      io.err(`broker-throughput: cannot peer with ${options.host}:${options.port}`);
      return 1;
    }
    peered = true;
    if (!(await waitForSubscription(ep, BENCHMARK_TOPICS.events))) {
      io.err(`broker-throughput: ${options.host}:${options.port} did not subscribe to ${BENCHMARK_TOPICS.events} within ${SUBSCRIPTION_WAIT_MS / 1000} s`);
      return 1;
    }
    if (options.durationSeconds !== undefined) timers.push(setTimeout(() => ended(0), options.durationSeconds * 1000));
    if (options.batchSizeIncreaseInterval > 0 && options.batchSizeIncreaseAmount > 0) {
      timers.push(
        setInterval(() => {
          state.batchSize += options.batchSizeIncreaseAmount;
          io.out(`*** increasing batch size to ${state.batchSize}`);
        }, options.batchSizeIncreaseInterval * 1000),
      );
    }
    void (async () => {
      let lastSent = 0;
      let lastAt = performance.now();
      let strikes = 0;
      for await (const [topic, value] of replies) {
        if (topic === BENCHMARK_TOPICS.terminate) {
          quitSeen = true;
          io.out('*** the server sent quit_benchmark');
          ended(0);
          return;
        }
        const stats = parseStatsUpdate(value);
        if (stats === undefined) continue;
        totalRecv += stats.received;
        const now = performance.now();
        const dSent = state.sent - lastSent;
        const sendRate = dSent / ((now - lastAt) / 1000);
        const recvRate = stats.intervalNs > 0n ? stats.received / (Number(stats.intervalNs) / 1e9) : 0;
        const inFlight = state.sent - totalRecv;
        lastSent = state.sent;
        lastAt = now;
        io.out(
          `${(Number(stats.at) / 1e9).toFixed(6)} [batch_size=${state.batchSize}] in_flight=${inFlight} d_t=${(Number(stats.intervalNs) / 1e9).toFixed(3)} ` +
            `d_recv=${stats.received} d_sent=${dSent} total_recv=${totalRecv} total_sent=${state.sent} ` +
            `[sending at ${Math.round(sendRate)} ev/s, receiving at ${Math.round(recvRate)} ev/s]`,
        );
        strikes = options.maxInFlight !== undefined && inFlight > options.maxInFlight ? strikes + 1 : 0;
        if (strikes >= IN_FLIGHT_STRIKES) {
          io.err(`*** too many events in flight: ${inFlight} > ${options.maxInFlight} in ${IN_FLIGHT_STRIKES} consecutive stats`);
          ended(1);
          return;
        }
      }
    })().catch(() => undefined);
    const pub = ep.makePublisher(BENCHMARK_TOPICS.events, { capacity: Math.max(1024, options.batchSize) });
    const sending = sendEvents(options, pub, state, io).catch((error: unknown) => {
      // A closed publisher rejects once the run is over; anything else ends it.
      if (!state.stopped) {
        io.err(`broker-throughput: sending failed: ${(error as Error).message}`);
        ended(1);
      }
    });
    const status = await end;
    state.stopped = true;
    pub.close();
    await sending;
    const unsent = await drainPublisher(pub, DRAIN_WAIT_MS);
    if (unsent > 0) {
      io.err(`*** ${unsent} events still waiting in the publisher after ${DRAIN_WAIT_MS / 1000} s were not sent`);
      state.sent -= unsent;
    }
    const seconds = (performance.now() - started) / 1000;
    io.out(`sent ${state.sent} events in ${seconds.toFixed(1)} s (${Math.round(state.sent / seconds)} ev/s); the server reported ${totalRecv} received`);
    return status;
  } finally {
    await metrics?.close();
    for (const t of timers) clearTimeout(t);
    timers = [];
    signal?.removeEventListener('abort', onAbort);
    replies.close();
    await ep.shutdown();
    await statuses;
  }
}
