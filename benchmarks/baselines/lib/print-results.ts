/**
 * Prints benchmark rows as an aligned table, with each row's ratios to a reference row.
 */
import { BenchResult } from './bench-result';

function rate(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

function micros(x: number | undefined): string {
  if (x === undefined) return '';
  return x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(0)} µs`;
}

/**
 * Formats `rows` as a table: msgs/s, msgs per CPU-second, latency, and the ratios of
 * both rates to the row named `reference` when it is present (left blank for latency
 * rows against a throughput reference).
 * @returns the table, one line per row after a header
 */
export function formatResults(rows: readonly BenchResult[], reference?: string): string {
  const ref = rows.find((r) => r.system === reference);
  const header = ['system', 'msgs/s', 'msgs/CPU-s', 'RTT median', 'RTT p99', ...(ref ? [`x ref msgs/s`, `x ref /CPU-s`] : [])];
  const table = rows.map((r) => [
    r.system,
    rate(r.msgsPerSec),
    rate(r.msgsPerCpuSec),
    micros(r.latencyUs?.median),
    micros(r.latencyUs?.p99),
    // A ping/pong row's rate is round trips, not comparable with a throughput reference.
    ...(ref ? (r.latencyUs && !ref.latencyUs ? ['', ''] : [(r.msgsPerSec / ref.msgsPerSec).toFixed(2), (r.msgsPerCpuSec / ref.msgsPerCpuSec).toFixed(2)]) : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...table.map(line)].join('\n');
}
