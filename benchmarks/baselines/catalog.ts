/**
 * Every baseline by id, with how to measure it: `run.ts` prints them, and the broker-ts
 * comparison script can import the same entries to measure them beside its own rows in
 * one run.
 */
import { BenchResult } from './lib/bench-result';
import { measureThroughput, MeasureOptions } from './lib/measure-throughput';
import { broker14Throughput, measureBroker14Latency } from './systems/broker14';
import { natsThroughput } from './systems/nats';
import { rawTcpThroughput } from './systems/raw-tcp';
import { rawWorkerThroughput } from './systems/raw-worker';

/** How long and how often to measure. */
export interface BaselineOptions extends MeasureOptions {
  /** Round trips timed per latency run (default 500). */
  latencyCount?: number;
  /** Echo the participants' stderr. */
  verbose?: boolean;
}

/** One baseline. */
export interface BaselineEntry {
  /** What the row measures, for `--list`. */
  description: string;
  /** Part of the default set (the others run when named). */
  byDefault: boolean;
  /** Measures it; the result is the median over `options.runs`. */
  measure(options: BaselineOptions): Promise<BenchResult>;
}

/** CAF stream timing for the "tuned" Broker 1.4 rows (microseconds). */
const TUNED = { maxBatchDelayUs: 100, creditRoundUs: 1000 };

function latency(options: BaselineOptions, extra: Parameters<typeof measureBroker14Latency>[0] = {}): Promise<BenchResult> {
  return measureBroker14Latency({ ...extra, runs: options.runs, count: options.latencyCount, verbose: options.verbose });
}

/** The baselines, keyed by the id used on the command line. */
export const BASELINES: Readonly<Record<string, BaselineEntry>> = {
  broker14: {
    description: 'Broker 1.4 C++ sender → receiver, loopback TCP, SSL off, endpoint::publish with an ack window',
    byDefault: true,
    measure: (o) => measureThroughput(broker14Throughput({ verbose: o.verbose }), o),
  },
  'broker14-tls': {
    description: 'the same with Broker 1.4 default SSL (anonymous ECDH)',
    byDefault: false,
    measure: (o) => measureThroughput(broker14Throughput({ tls: true, verbose: o.verbose }), o),
  },
  'broker14-subscriber': {
    description: 'the same, counting with a broker::subscriber (queue of 20, Broker\'s default) drained by get/poll instead of the stream-sink callback',
    byDefault: false,
    measure: (o) => measureThroughput(broker14Throughput({ subscriberQueue: 20, verbose: o.verbose }), o),
  },
  'broker14-tuned': {
    description: 'the same with CAF stream timing tuned (max batch delay 100 µs, credit round 1 ms)',
    byDefault: false,
    measure: (o) => measureThroughput(broker14Throughput({ ...TUNED, verbose: o.verbose }), o),
  },
  nats: {
    description: 'nats-server 2.9 with a nats.js publisher and subscriber, cbor-x per message, ack window; server CPU included',
    byDefault: true,
    measure: (o) => measureThroughput(natsThroughput({ verbose: o.verbose }), o),
  },
  'raw-tcp': {
    description: 'Node → Node loopback TCP, cbor-x encode/decode per message, frames batched into 64 KiB writes',
    byDefault: true,
    measure: (o) => measureThroughput(rawTcpThroughput({ verbose: o.verbose }), o),
  },
  'worker-per-message': {
    description: 'main thread → worker_threads, one postMessage per cbor-x-encoded event',
    byDefault: true,
    measure: (o) => measureThroughput(rawWorkerThroughput({ mode: 'per-message', verbose: o.verbose }), o),
  },
  'worker-batched': {
    description: 'main thread → worker_threads, length-prefixed frames batched into one transferred 64 KiB buffer per postMessage',
    byDefault: true,
    measure: (o) => measureThroughput(rawWorkerThroughput({ mode: 'batched', verbose: o.verbose }), o),
  },
  'broker14-latency': {
    description: 'Broker 1.4 ping/pong round trip, one message in flight, CAF default stream timing',
    byDefault: true,
    measure: (o) => latency(o),
  },
  'broker14-latency-tuned': {
    description: 'the same with CAF stream timing tuned',
    byDefault: true,
    measure: (o) => latency(o, TUNED),
  },
};
