/**
 * Small benchmark harness: runs a body repeatedly for a fixed wall-clock budget after a
 * warm-up, and reports operations per second with the spread over several rounds.
 * Every comparison script measures its baseline with the same harness in the same run.
 */
import { performance } from 'node:perf_hooks';

/** One measured case. */
export interface Measurement {
  /** Display name of the case. */
  name: string;
  /** Median operations per second over the rounds. */
  opsPerSec: number;
  /** Lowest and highest rounds, operations per second. */
  min: number;
  max: number;
  /** Rounds measured. */
  rounds: number;
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Milliseconds per round (default 500). */
  roundMs?: number;
  /** Number of measured rounds (default 5). */
  rounds?: number;
  /** Warm-up milliseconds before the first round (default 300). */
  warmupMs?: number;
  /** Operations done by one call of the body (default 1). */
  opsPerCall?: number;
}

/**
 * Measures a synchronous body.
 * @param name - display name of the case
 * @param body - the work; called repeatedly
 * @returns the median rate and spread
 */
export function measure(name: string, body: () => void, options: MeasureOptions = {}): Measurement {
  const roundMs = options.roundMs ?? 500;
  const roundsWanted = options.rounds ?? 5;
  const opsPerCall = options.opsPerCall ?? 1;
  const warmEnd = performance.now() + (options.warmupMs ?? 300);
  while (performance.now() < warmEnd) for (let i = 0; i < 64; i++) body();
  const rates: number[] = [];
  for (let r = 0; r < roundsWanted; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    const end = start + roundMs;
    while (now < end) {
      for (let i = 0; i < 64; i++) body();
      calls += 64;
      now = performance.now();
    }
    rates.push((calls * opsPerCall) / ((now - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { name, opsPerSec: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds: rates.length };
}

/** Formats a rate as `1.23 M/s`, `456 k/s` or `789 /s`. */
export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`;
  return `${perSec.toFixed(0)} /s`;
}

/**
 * Prints measurements as an aligned table, each with its ratio to the baseline row.
 * @param rows - the measurements
 * @param baseline - name of the row that is the baseline (ratio 1.00)
 */
export function printTable(title: string, rows: Measurement[], baseline?: string): void {
  const base = rows.find((r) => r.name === baseline);
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(width)}  ${'median'.padStart(11)}  ${'min..max'.padStart(23)}${base ? '  vs baseline' : ''}`);
  for (const r of rows) {
    const spread = `${formatRate(r.min)}..${formatRate(r.max)}`;
    const ratio = base ? `  ${(r.opsPerSec / base.opsPerSec).toFixed(2)}x` : '';
    console.log(`${r.name.padEnd(width)}  ${formatRate(r.opsPerSec).padStart(11)}  ${spread.padStart(23)}${ratio}`);
  }
}
