/**
 * The benchmark harness: every script reports the median rate over several rounds with
 * the spread, measured here, and prints it with {@link printTable}. {@link measure} runs a
 * synchronous body for a fixed wall-clock budget per round, {@link measureAsync} an
 * asynchronous one, {@link measureRounds} times a whole asynchronous round of known size,
 * and {@link summarize} turns rates a script measured itself (at a receiver, per CPU
 * second, interleaved cases) into the same {@link Measurement}.
 * Every comparison script measures its baseline with the same harness in the same run.
 */
import { performance } from 'node:perf_hooks';
import { median } from '../baselines/lib/bench-result';

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
  return summarize(name, rates);
}

/**
 * The median, lowest and highest of rates measured in rounds.
 * @throws RangeError when there are no rates
 */
export function summarize(name: string, rates: readonly number[]): Measurement {
  return { name, opsPerSec: median(rates), min: Math.min(...rates), max: Math.max(...rates), rounds: rates.length };
}

/**
 * Measures an asynchronous body the way {@link measure} measures a synchronous one: each
 * round calls it one after the other until `roundMs` passed. `warmupMs` is the least time
 * spent on untimed calls first (at least one call).
 */
export async function measureAsync(name: string, body: () => Promise<void>, options: MeasureOptions = {}): Promise<Measurement> {
  const roundMs = options.roundMs ?? 500;
  const opsPerCall = options.opsPerCall ?? 1;
  const warmEnd = performance.now() + (options.warmupMs ?? 0);
  do await body();
  while (performance.now() < warmEnd);
  const rates: number[] = [];
  for (let r = 0; r < (options.rounds ?? 5); r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      await body();
      calls++;
      now = performance.now();
    }
    rates.push((calls * opsPerCall) / ((now - start) / 1000));
  }
  return summarize(name, rates);
}

/** Options of {@link measureRounds}. */
export interface RoundOptions {
  /** Timed rounds. */
  rounds: number;
  /** Untimed rounds first, to warm the JIT up (default 1). */
  warmups?: number;
}

/**
 * Times whole rounds of an asynchronous body that does `ops` operations per call. A round
 * that resolves to a number reports its own elapsed milliseconds, to leave its setup out.
 * @returns the median rate over the timed rounds and the spread
 */
export async function measureRounds(name: string, ops: number, round: () => Promise<void | number>, options: RoundOptions): Promise<Measurement> {
  for (let w = 0; w < (options.warmups ?? 1); w++) await round();
  const rates: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    const start = performance.now();
    const reported = await round();
    const elapsed = typeof reported === 'number' ? reported : performance.now() - start;
    rates.push(ops / (elapsed / 1000));
  }
  return summarize(name, rates);
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
