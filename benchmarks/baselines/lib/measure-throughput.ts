/**
 * The measurement method shared by every throughput row: start the system's processes,
 * let it run a warm-up, then count what the receiver got during a fixed window and the
 * CPU every participant used in the same window; repeat and take medians.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { BenchResult, medianResult } from './bench-result';
import { CpuMeter, Sample } from './bench-child';

/** A running system under test. */
export interface RunningSystem {
  /** Reports the receiver's count of messages and its own CPU seconds. */
  receiver: { sample(): Promise<Sample> };
  /** Every other participant whose CPU counts (sender, server). */
  others: readonly CpuMeter[];
  /** Stops every process or thread the system started. */
  stop(): Promise<void>;
}

/** A system that can be started for one run. */
export interface ThroughputSystem {
  /** Row name in the results table. */
  readonly name: string;
  /** Starts the system; resolves once messages flow or are about to. */
  start(): Promise<RunningSystem>;
}

/** Timing of a measurement. */
export interface MeasureOptions {
  /** Independent runs, each with fresh processes; the row is their median (default 3). */
  runs?: number;
  /** Milliseconds of traffic before counting starts (default 3000). */
  warmupMs?: number;
  /** Milliseconds counted at the receiver (default 10000). */
  measureMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Readings of every participant at one instant. */
interface Snapshot {
  at: number;
  received: number;
  cpuSeconds: number;
}

async function snapshot(system: RunningSystem): Promise<Snapshot> {
  const [receiver, ...others] = await Promise.all([system.receiver.sample(), ...system.others.map((o) => o.cpuSeconds())]);
  const at = performance.now();
  const r = receiver as Sample;
  return { at, received: r.count, cpuSeconds: r.cpuSeconds + (others as number[]).reduce((a, b) => a + b, 0) };
}

/** Attempts at starting a system before a run fails. */
const START_ATTEMPTS = 3;

/**
 * Starts `system`, trying again with fresh processes if it does not come up: on these
 * loaded machines a Broker 1.4 program has been seen, once in dozens of starts, never to
 * announce itself. Each failed attempt is logged.
 */
async function startWithRetry(system: ThroughputSystem, options: MeasureOptions): Promise<RunningSystem> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await system.start();
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
      options.log?.(`${system.name}: start attempt ${attempt} failed, retrying: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

/**
 * Measures one run of `system`: warm-up, then `measureMs` counted.
 * @throws Error if nothing was received in the window (a stalled or broken system)
 */
export async function measureThroughputOnce(system: ThroughputSystem, options: MeasureOptions = {}): Promise<BenchResult> {
  const running = await startWithRetry(system, options);
  try {
    await sleep(options.warmupMs ?? 3000);
    const first = await snapshot(running);
    await sleep(options.measureMs ?? 10_000);
    const last = await snapshot(running);
    const received = last.received - first.received;
    if (received <= 0) throw new Error(`${system.name}: nothing received during the measurement`);
    const seconds = (last.at - first.at) / 1000;
    const cpu = last.cpuSeconds - first.cpuSeconds;
    return { system: system.name, msgsPerSec: received / seconds, msgsPerCpuSec: cpu > 0 ? received / cpu : Infinity };
  } finally {
    await running.stop();
  }
}

/** Measures `options.runs` runs of `system` and returns the median row with the runs. */
export async function measureThroughput(
  system: ThroughputSystem,
  options: MeasureOptions = {},
): Promise<BenchResult & { runs: BenchResult[] }> {
  const runs: BenchResult[] = [];
  for (let i = 0; i < (options.runs ?? 3); i++) {
    const r = await measureThroughputOnce(system, options);
    options.log?.(`${system.name}: run ${i + 1}: ${Math.round(r.msgsPerSec)} msgs/s, ${Math.round(r.msgsPerCpuSec)} msgs/CPU-s`);
    runs.push(r);
  }
  return { ...medianResult(runs), runs };
}
