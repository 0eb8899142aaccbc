/**
 * The JSON file `throughput.ts` saves and `plot-throughput.ts` reads
 * (`benchmarks/out/throughput.json` by default).
 */
import type { BenchResult } from '../baselines/lib/bench-result';
import type { GoalResult } from './goals';
import type { RssFigures } from './rss-tracker';

/** One full run of the throughput comparison. */
export interface ThroughputReport {
  /** When the run started (ISO 8601). */
  date: string;
  /** Short git commit of the tree measured. */
  commit: string;
  /** The machine: cores, load averages before and after, Node version, cbor-x native code. */
  machine: { cores: number; loadBefore: number[]; loadAfter: number[]; node: string; cborNative: boolean };
  /** Timing of the run. */
  options: { runs: number; warmupMs: number; measureMs: number; latencyCount: number };
  /** Every row (medians over runs), throughput rows first, then the latency rows. */
  rows: BenchResult[];
  /** The goals' ratios. */
  goals: GoalResult[];
  /** The broker-ts senders' RSS per run. */
  rss: Array<{ system: string; of: string; runs: RssFigures[] }>;
  /** broker-ts runs that failed (a stall, a crash); their rows are medians of the others. */
  failures?: Array<{ system: string; run: number; error: string }>;
}
