/**
 * The throughput goals (docs/benchmarks.md), as ratios between rows of one run, and their check.
 */
import type { BenchResult } from '../baselines/lib/bench-result';

/** One goal checked against the rows of a run. */
export interface GoalResult {
  /** What is compared, e.g. `broker-ts TCP / Broker 1.4, msgs per CPU-s`. */
  name: string;
  /** The measured ratio. */
  ratio: number;
  /** `>=` : the ratio must reach `target`; `<=`: it must not exceed it. */
  direction: '>=' | '<=';
  /** The goal. */
  target: number;
  /** Whether the goal is met in this run. */
  met: boolean;
}

/** A goal between two rows, found by system name. */
export interface GoalSpec {
  name: string;
  subject: string;
  reference: string;
  metric: 'msgsPerSec' | 'msgsPerCpuSec' | 'latencyMedian';
  direction: '>=' | '<=';
  target: number;
}

/**
 * Computes each goal's ratio (subject / reference) and whether it is met.
 * @throws Error when a named row is missing
 */
export function checkGoals(rows: readonly BenchResult[], specs: readonly GoalSpec[]): GoalResult[] {
  const row = (system: string): BenchResult => {
    const r = rows.find((x) => x.system === system);
    if (r === undefined) throw new Error(`no row named ${system}`);
    return r;
  };
  const value = (r: BenchResult, metric: GoalSpec['metric']): number => {
    if (metric !== 'latencyMedian') return r[metric];
    if (r.latencyUs === undefined) throw new Error(`${r.system} has no latency`);
    return r.latencyUs.median;
  };
  return specs.map((s) => {
    const ratio = value(row(s.subject), s.metric) / value(row(s.reference), s.metric);
    return { name: s.name, ratio, direction: s.direction, target: s.target, met: s.direction === '>=' ? ratio >= s.target : ratio <= s.target };
  });
}

/** Formats goal results, one line each: `name  ratio  goal  met|NOT met`. */
export function formatGoals(goals: readonly GoalResult[]): string {
  const width = Math.max(...goals.map((g) => g.name.length));
  return goals
    .map((g) => `${g.name.padEnd(width)}  ${g.ratio.toFixed(2).padStart(6)}  (goal ${g.direction} ${g.target})  ${g.met ? 'met' : 'NOT met'}`)
    .join('\n');
}
