/**
 * broker-ts round-trip latency with one message in flight, measured the way the
 * baselines measure Broker 1.4's (`baselines/systems/broker14.ts`): a pong process and
 * a ping process over loopback (the programs of `latency/`, `[count, conn event]` echoed
 * whole), the ping's own median and p99; msgs/s is round trips
 * per second and per CPU-second counts both processes from the first ping to the last
 * pong. The row is the median over runs.
 */
import { join } from 'node:path';

import { BenchChild } from '../baselines/lib/bench-child';
import { type BenchResult, medianResult } from '../baselines/lib/bench-result';
import { parseRoundTripLine, ROUND_TRIP_LINE } from '../latency/round-trips';

/** The ping and pong programs, shared with `latency.ts`. */
const LATENCY_DIR = join(__dirname, '..', 'latency');

/** Options of {@link measureBrokerTsLatency}. */
export interface BrokerTsLatencyOptions {
  /** Independent runs (default 3). */
  runs?: number;
  /** Round trips timed per run (default 500). */
  count?: number;
  /** Round trips before timing starts (default 50). */
  warmup?: number;
  /** Echo the processes' stderr. */
  verbose?: boolean;
}

async function oneRun(name: string, count: number, warmup: number, verbose: boolean): Promise<BenchResult> {
  const pong = BenchChild.spawnNode('bts-pong', join(LATENCY_DIR, 'bts-pong.ts'), [], verbose);
  let ping: BenchChild | undefined;
  try {
    const port = await pong.ready();
    ping = BenchChild.spawnNode('bts-ping', join(LATENCY_DIR, 'bts-ping.ts'), [`tcp:${port}`, String(count), String(warmup), 'conn-event'], verbose);
    await ping.ready();
    const participants = [ping, pong];
    // Round trips done (the ping's count) and CPU seconds of both processes.
    const reading = async (): Promise<{ trips: number; cpu: number }> => {
      const [p, q] = await Promise.all(participants.map((c) => c.sample()));
      return { trips: p.count, cpu: p.cpuSeconds + q.cpuSeconds };
    };
    const before = await reading();
    const t0 = performance.now();
    const { median, p99 } = parseRoundTripLine(await ping.waitForLine(ROUND_TRIP_LINE, 600_000));
    const seconds = (performance.now() - t0) / 1000;
    const after = await reading();
    const cpu = after.cpu - before.cpu;
    return { system: name, msgsPerSec: after.trips / seconds, msgsPerCpuSec: cpu > 0 ? after.trips / cpu : Infinity, latencyUs: { median, p99 } };
  } finally {
    await Promise.all([ping?.stop(), pong.stop()]);
  }
}

/** Measures broker-ts ping/pong over loopback TCP. */
export async function measureBrokerTsLatency(options: BrokerTsLatencyOptions = {}): Promise<BenchResult> {
  const runs: BenchResult[] = [];
  for (let run = 0; run < (options.runs ?? 3); run++) {
    runs.push(await oneRun('broker-ts ping/pong (TCP)', options.count ?? 500, options.warmup ?? 50, options.verbose ?? false));
  }
  return medianResult(runs);
}
