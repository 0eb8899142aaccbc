/**
 * The row type shared by every baseline and by the broker-ts comparison script, and the
 * median over repeated runs.
 */

/** Round-trip latency with one message in flight, in microseconds. */
export interface LatencyUs {
  /** Median round trip. */
  median: number;
  /** 99th percentile round trip. */
  p99: number;
}

/** One measured system: a row of the comparison table. */
export interface BenchResult {
  /** Display name, e.g. `Broker 1.4 C++ (TCP, no SSL)`. */
  system: string;
  /** Messages counted at the receiver per wall-clock second (round trips per second for a latency row). */
  msgsPerSec: number;
  /** Messages per CPU-second of every process taking part (sender + receiver, + server). */
  msgsPerCpuSec: number;
  /** Round-trip latency, for ping/pong rows. */
  latencyUs?: LatencyUs;
}

/**
 * Median of a list of numbers (the mean of the middle two for an even count).
 * @throws RangeError for an empty list
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Combines repeated runs of one system: each figure is the median of that figure over
 * the runs, taken separately (so the msgs/s and per-CPU-second medians may come from
 * different runs, which is what a loaded machine calls for).
 * @throws RangeError for an empty list
 */
export function medianResult(runs: readonly BenchResult[]): BenchResult {
  if (runs.length === 0) throw new RangeError('no runs to combine');
  const result: BenchResult = {
    system: runs[0].system,
    msgsPerSec: median(runs.map((r) => r.msgsPerSec)),
    msgsPerCpuSec: median(runs.map((r) => r.msgsPerCpuSec)),
  };
  const latencies = runs.flatMap((r) => (r.latencyUs ? [r.latencyUs] : []));
  if (latencies.length > 0) {
    result.latencyUs = { median: median(latencies.map((l) => l.median)), p99: median(latencies.map((l) => l.p99)) };
  }
  return result;
}
