/**
 * Broker 1.4 baselines: the C++ programs of `../broker14/` (built by `../setup.sh`),
 * two processes over loopback TCP. CPU is read from /proc for both.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';

import { DEFAULT_ACK_EVERY, DEFAULT_WINDOW } from '../lib/ack-window-defaults';
import { BenchChild } from '../lib/bench-child';
import { BenchResult, medianResult } from '../lib/bench-result';
import { ThroughputSystem } from '../lib/measure-throughput';
import { startPair } from '../lib/start-pair';

/** Where `setup.sh` puts the Broker 1.4 programs. */
export const BROKER14_BUILD_DIR = join(__dirname, '..', 'broker14', 'build');

/** Options shared by the Broker 1.4 rows. */
export interface Broker14Options {
  /** Row name (default derived from the options). */
  name?: string;
  /** Use Broker's default SSL (anonymous ECDH) instead of `disable_ssl` (default false). */
  tls?: boolean;
  /**
   * CAF 0.17 stream timing in microseconds; unset keeps CAF's defaults (5 ms max batch
   * delay, 10 ms credit round), which are what Zeek runs with.
   */
  maxBatchDelayUs?: number;
  creditRoundUs?: number;
  /** Echo the programs' stderr (default false). */
  verbose?: boolean;
}

/** Options of the throughput pair. */
export interface Broker14ThroughputOptions extends Broker14Options {
  /** Most events published and not yet acknowledged (default {@link DEFAULT_WINDOW}). */
  window?: number;
  /** The receiver acknowledges every this many events (default {@link DEFAULT_ACK_EVERY}). */
  ackEvery?: number;
  /**
   * Count with a `broker::subscriber` of this queue size instead of the stream-sink
   * callback of `endpoint::subscribe` (default: the callback).
   */
  subscriberQueue?: number;
}

function program(name: string): string {
  const path = join(BROKER14_BUILD_DIR, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run benchmarks/baselines/setup.sh`);
  return path;
}

function commonArgs(o: Broker14Options): string[] {
  const args: string[] = [];
  if (o.tls) args.push('--tls');
  if (o.maxBatchDelayUs !== undefined) args.push(`--max-batch-delay-us=${o.maxBatchDelayUs}`);
  if (o.creditRoundUs !== undefined) args.push(`--credit-round-us=${o.creditRoundUs}`);
  return args;
}

function describe(o: Broker14Options, what: string): string {
  const tuned = o.maxBatchDelayUs !== undefined || o.creditRoundUs !== undefined ? ', CAF stream timing tuned' : '';
  return o.name ?? `Broker 1.4 C++ ${what} (${o.tls ? 'SSL' : 'no SSL'}${tuned})`;
}

/**
 * Broker 1.4 sender → receiver: `endpoint::publish` one event at a time within an ack
 * window, the receiver counting in a stream-sink callback (as broker-benchmark's server).
 */
export function broker14Throughput(options: Broker14ThroughputOptions = {}): ThroughputSystem {
  const via = options.subscriberQueue === undefined ? '' : `, subscriber queue ${options.subscriberQueue}`;
  const name = describe(options, 'TCP').replace(/\)$/, `${via})`);
  return {
    name,
    start: () =>
      startPair(
        () =>
          BenchChild.spawn({
            name: 'broker14-receiver',
            command: program('broker14-receiver'),
            args: [
              ...commonArgs(options),
              `--ack-every=${options.ackEvery ?? DEFAULT_ACK_EVERY}`,
              ...(options.subscriberQueue === undefined ? [] : [`--subscriber-queue=${options.subscriberQueue}`]),
            ],
            verbose: options.verbose,
          }),
        (port) =>
          BenchChild.spawn({
            name: 'broker14-sender',
            command: program('broker14-sender'),
            args: [...commonArgs(options), `--port=${port}`, `--window=${options.window ?? DEFAULT_WINDOW}`],
            verbose: options.verbose,
          }),
      ),
  };
}

/** Options of {@link measureBroker14Latency}. */
export interface Broker14LatencyOptions extends Broker14Options {
  /** Independent runs (default 3). */
  runs?: number;
  /** Round trips timed per run (default 500; one takes ~15 ms with CAF's defaults). */
  count?: number;
  /** Round trips before timing starts (default 50). */
  warmup?: number;
}

/**
 * Round-trip latency of Broker 1.4 with one message in flight ([seq, conn event] out
 * and back). msgs/s is round trips per second; per CPU-second counts both processes
 * from the first ping (warm-up included) to the last pong.
 */
export async function measureBroker14Latency(options: Broker14LatencyOptions = {}): Promise<BenchResult> {
  const name = describe(options, 'ping/pong');
  const count = options.count ?? 500;
  const runs: BenchResult[] = [];
  for (let run = 0; run < (options.runs ?? 3); run++) {
    const pong = BenchChild.spawn({ name: 'broker14-pong', command: program('broker14-pong'), args: commonArgs(options), verbose: options.verbose });
    let ping: BenchChild | undefined;
    try {
      const port = await pong.ready();
      ping = BenchChild.spawn({
        name: 'broker14-ping',
        command: program('broker14-ping'),
        args: [...commonArgs(options), `--port=${port}`, `--count=${count}`, `--warmup=${options.warmup ?? 50}`, '--hold'],
        verbose: options.verbose,
      });
      await ping.ready();
      const cpuBefore = (await ping.sample()).cpuSeconds + (await pong.sample()).cpuSeconds;
      const started = performance.now();
      const m = await ping.waitForLine(/^latency n=(\d+) median_us=([\d.]+) p99_us=([\d.]+) mean_us=([\d.]+)$/, 600_000);
      const elapsed = (performance.now() - started) / 1000;
      const pingSample = await ping.sample();
      const cpu = pingSample.cpuSeconds + (await pong.sample()).cpuSeconds - cpuBefore;
      runs.push({
        system: name,
        msgsPerSec: pingSample.count / elapsed,
        msgsPerCpuSec: cpu > 0 ? pingSample.count / cpu : Infinity,
        latencyUs: { median: Number(m[2]), p99: Number(m[3]) },
      });
    } finally {
      await Promise.all([ping?.stop(), pong.stop()]);
    }
  }
  return medianResult(runs);
}
