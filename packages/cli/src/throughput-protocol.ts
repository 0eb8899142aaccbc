/**
 * What the `broker-throughput` server and client say to each other besides the events
 * (Broker 1.4's `broker-benchmark`, `tests/benchmark/broker-benchmark.cc`): the server's `stats_update` event
 * once per second on `/benchmark/stats`, and `quit_benchmark` on `/benchmark/terminate`
 * once it has received `--max-received` events.
 */
import { parseZeekMessage, zeekEvent, ZeekMessageType } from '@broker-ts/broker';
import { count, Count, type Data, Timespan, Timestamp } from '@broker-ts/data';

/** The topics of the benchmark. */
export const BENCHMARK_TOPICS = {
  /** Events from clients to the server. */
  events: '/benchmark/events',
  /** The server's `stats_update` events. */
  stats: '/benchmark/stats',
  /** The server's `quit_benchmark` event. */
  terminate: '/benchmark/terminate',
} as const;

/** One `stats_update`: what the server received since its previous one. */
export interface ThroughputStats {
  /** When the server sent it (ns since the epoch). */
  at: bigint;
  /** Nanoseconds since the previous update. */
  intervalNs: bigint;
  /** Events received in that interval. */
  received: number;
}

/**
 * Builds Broker 1.4's `stats_update` event: `stats_update([now, since last, count])`.
 * @param stats - the figures
 */
export function makeStatsUpdate(stats: ThroughputStats): Data {
  return zeekEvent('stats_update', [[new Timestamp(stats.at), new Timespan(stats.intervalNs), count(stats.received)]]);
}

/** Builds the server's `quit_benchmark()` event. */
export function makeQuitBenchmark(): Data {
  return zeekEvent('quit_benchmark', []);
}

/**
 * Reads a `stats_update` event. Accepts its record as the single argument (Broker 1.4's
 * server) or as the arguments themselves.
 * @returns the figures, or undefined when `value` is not a well-formed `stats_update`
 */
export function parseStatsUpdate(value: Data): ThroughputStats | undefined {
  let msg;
  try {
    msg = parseZeekMessage(value);
  } catch {
    return undefined;
  }
  if (msg.kind !== 'event' || msg.name !== 'stats_update') return undefined;
  const rec = msg.args.length === 1 && Array.isArray(msg.args[0]) ? msg.args[0] : msg.args;
  const [at, interval, received] = rec;
  if (!(at instanceof Timestamp) || !(interval instanceof Timespan) || !(received instanceof Count)) return undefined;
  return { at: at.ns, intervalNs: interval.ns, received: Number(received.value) };
}

/**
 * How many events a message on `/benchmark/events` stands for: a Zeek batch counts as
 * its element count (as Broker 1.4's server counts), anything else as one.
 */
export function eventCount(value: Data): number {
  if (Array.isArray(value) && value.length === 3 && value[1] instanceof Count && value[1].value === BigInt(ZeekMessageType.batch)) {
    const content = value[2];
    return Array.isArray(content) ? content.length : 1;
  }
  return 1;
}
