/**
 * Round-trip samples of the ping/pong rows: their summary (median, p90, p99, mean, in
 * microseconds), the one line a ping program prints with it, and the parser of that line.
 * Every ping program of `latency.ts` (broker-ts, raw Node TCP) prints the same line; the
 * newest Broker's `broker-node --mode=ping` prints one round trip per line in
 * nanoseconds, read with {@link summarizeNanosLines}.
 */

/** Round-trip figures of one run, microseconds. */
export interface RoundTrips {
  /** Timed round trips. */
  n: number;
  median: number;
  p90: number;
  p99: number;
  mean: number;
}

/**
 * Summarizes round-trip times (the nearest-rank quantiles of the sorted samples).
 * @throws RangeError for no samples
 */
export function summarizeRoundTrips(samplesUs: readonly number[]): RoundTrips {
  if (samplesUs.length === 0) throw new RangeError('no round trips to summarize');
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { n: sorted.length, median: at(0.5), p90: at(0.9), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** The line a ping program prints at the end of its run. */
export function formatRoundTripLine(r: RoundTrips): string {
  return `latency n=${r.n} median_us=${r.median.toFixed(1)} p90_us=${r.p90.toFixed(1)} p99_us=${r.p99.toFixed(1)} mean_us=${r.mean.toFixed(1)}`;
}

/** Matches {@link formatRoundTripLine}'s output. */
export const ROUND_TRIP_LINE = /^latency n=(\d+) median_us=([\d.]+) p90_us=([\d.]+) p99_us=([\d.]+) mean_us=([\d.]+)$/;

/** Reads a line matched by {@link ROUND_TRIP_LINE}. */
export function parseRoundTripLine(match: RegExpMatchArray): RoundTrips {
  const [n, median, p90, p99, mean] = match.slice(1, 6).map(Number);
  return { n, median, p90, p99, mean };
}

/**
 * Summarizes `broker-node --mode=ping` output: one round trip per line, in nanoseconds
 * (other lines are ignored); the first `skip` round trips are warm-up.
 * @throws RangeError when no round trip is left
 */
export function summarizeNanosLines(output: string, skip = 0): RoundTrips {
  const samples = output.split('\n').filter((l) => /^\d+$/.test(l.trim())).map((l) => Number(l) / 1000);
  return summarizeRoundTrips(samples.slice(skip));
}

/** The timed round trips of a ping loop, the warm-up left out. */
export class RoundTripLog {
  /** Round trips done so far, warm-up included. */
  done = 0;
  private readonly samples: number[] = [];

  /** @param warmup - round trips (ids below it) that are not timed */
  constructor(private readonly warmup: number) {}

  /** Records round trip `id`, which took `elapsedNs` nanoseconds. */
  add(id: number, elapsedNs: bigint): void {
    if (id >= this.warmup) this.samples.push(Number(elapsedNs) / 1000);
    this.done++;
  }

  /** Prints the round-trip line ({@link formatRoundTripLine}) on stdout. */
  print(): void {
    process.stdout.write(`${formatRoundTripLine(summarizeRoundTrips(this.samples))}\n`);
  }
}
