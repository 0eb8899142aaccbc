/**
 * Draws the throughput comparison as an SVG bar chart: one panel of msgs/s, one of msgs
 * per CPU-second (with the goals of benchmarks/RESULTS.md drawn as dashed lines), one of round-trip
 * latency; one bar per system, coloured by family, each labelled with its value.
 */
import type { BenchResult } from '../baselines/lib/bench-result';
import type { ThroughputReport } from './throughput-report';

const WIDTH = 1000;
const LABEL_WIDTH = 420;
const BAR_AREA = 450;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 18;
const PANEL_TOP = 46;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Colours by family of system (name prefix). */
const FAMILIES: ReadonlyArray<{ prefix: string; colour: string; legend: string }> = [
  { prefix: 'broker-ts', colour: '#1f77b4', legend: 'broker-ts' },
  { prefix: 'Broker 1.4', colour: '#ff7f0e', legend: 'Broker 1.4 (C++)' },
  { prefix: 'NATS', colour: '#2ca02c', legend: 'NATS' },
  { prefix: 'Node', colour: '#7f7f7f', legend: 'raw Node limits' },
];

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function colourOf(system: string): string {
  return FAMILIES.find((f) => system.startsWith(f.prefix))?.colour ?? '#9467bd';
}

function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

function formatMicros(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(0)} µs`;
}

/** A vertical dashed line across a panel, e.g. a goal. */
interface Marker {
  value: number;
  label: string;
}

/** Draws one panel; returns its SVG and height. */
function panel(top: number, title: string, rows: ReadonlyArray<{ system: string; value: number }>, format: (x: number) => string, markers: Marker[] = []): { svg: string; height: number } {
  const max = Math.max(...rows.map((r) => r.value), ...markers.map((m) => m.value)) * 1.05;
  const x = (v: number): number => LABEL_WIDTH + (v / max) * BAR_AREA;
  const parts: string[] = [`<text x="10" y="${top + 18}" font-size="16" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`];
  const bodyTop = top + 30;
  const bodyHeight = rows.length * ROW_HEIGHT;
  markers.forEach((m, i) => {
    const mx = x(m.value).toFixed(1);
    parts.push(`<line x1="${mx}" y1="${bodyTop - 4}" x2="${mx}" y2="${bodyTop + bodyHeight}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,4"/>`);
    parts.push(`<text x="${mx}" y="${bodyTop + bodyHeight + 14 + i * 14}" font-size="11" fill="#d62728" text-anchor="middle" ${FONT}>${escapeXml(m.label)}</text>`);
  });
  rows.forEach((r, i) => {
    const y = bodyTop + i * ROW_HEIGHT;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 14}" font-size="12" text-anchor="end" ${FONT}>${escapeXml(r.system)}</text>`);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${Math.max(1, x(r.value) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${colourOf(r.system)}"/>`);
    parts.push(`<text x="${(x(r.value) + 6).toFixed(1)}" y="${y + 14}" font-size="12" stroke="white" stroke-width="3" paint-order="stroke" ${FONT}>${escapeXml(format(r.value))}</text>`);
  });
  return { svg: parts.join('\n'), height: 30 + bodyHeight + 14 + markers.length * 14 + 16 };
}

function find(rows: readonly BenchResult[], prefix: string): BenchResult | undefined {
  return rows.find((r) => r.system.startsWith(prefix));
}

/**
 * Renders a report as a standalone SVG document.
 * @param report - the saved results of `throughput.ts`
 */
export function renderThroughputSvg(report: ThroughputReport): string {
  // A row some of whose runs failed (a stall) says so in its label.
  const failed = (system: string): number => (report.failures ?? []).filter((f) => f.system === system).length;
  const label = (r: BenchResult): BenchResult => (failed(r.system) > 0 ? { ...r, system: `${r.system} [${failed(r.system)} run(s) failed]` } : r);
  const throughput = report.rows.filter((r) => r.latencyUs === undefined).map(label);
  const latency = report.rows.filter((r) => r.latencyUs !== undefined);
  const broker14 = find(throughput, 'Broker 1.4');
  const nats = find(throughput, 'NATS');
  const raw = find(throughput, 'Node raw TCP');
  const goals: Marker[] = [];
  if (broker14) goals.push({ value: broker14.msgsPerCpuSec * 7, label: 'goal: 7× Broker 1.4' });
  if (nats) goals.push({ value: nats.msgsPerCpuSec * 1.5, label: 'goal: 1.5× NATS' });
  if (raw) goals.push({ value: raw.msgsPerCpuSec * 0.8, label: 'goal: 80% of raw TCP' });
  const sections: string[] = [];
  let top = PANEL_TOP;
  const add = (p: { svg: string; height: number }): void => {
    sections.push(p.svg);
    top += p.height;
  };
  add(panel(top, 'Messages per second (conn.log event, received and decoded)', throughput.map((r) => ({ system: r.system, value: r.msgsPerSec })), formatRate));
  add(panel(top, 'Messages per CPU-second (sender + receiver (+ server) CPU)', throughput.map((r) => ({ system: r.system, value: r.msgsPerCpuSec })), formatRate, goals));
  if (latency.length > 0) {
    add(panel(top, 'Round-trip latency, one message in flight (median; lower is better)', latency.map((r) => ({ system: r.system, value: r.latencyUs!.median })), formatMicros));
  }
  const legendY = top + 10;
  const legend = FAMILIES.map(
    (f, i) =>
      `<rect x="${10 + i * 200}" y="${legendY}" width="14" height="14" fill="${f.colour}"/><text x="${30 + i * 200}" y="${legendY + 12}" font-size="12" ${FONT}>${escapeXml(f.legend)}</text>`,
  ).join('\n');
  const load = report.machine.loadBefore.map((l) => l.toFixed(1)).join(' ');
  const subtitle = `${report.date.slice(0, 16).replace('T', ' ')} UTC, commit ${report.commit}, ${report.machine.cores} cores (load ${load}), Node ${report.machine.node}; ` +
    `medians of ${report.options.runs} run(s) of ${report.options.measureMs / 1000} s`;
  const height = legendY + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="18" font-weight="bold" ${FONT}>broker-ts throughput beside Broker 1.4, NATS and raw Node (one run)</text>`,
    `<text x="10" y="40" font-size="11" fill="#555" ${FONT}>${escapeXml(subtitle)}</text>`,
    ...sections,
    legend,
    '</svg>',
    '',
  ].join('\n');
}
