/**
 * Scale curves of broker-ts: how the cost of a published event grows with the number of
 * topic filters a peer has (10, 1,000, 10,000, 100,000) and with the number of
 * subscribing peers, each beside a baseline measured in the same run.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/scale.ts [--quick] [--svg FILE]
 *       [--levels matcher,router,e2e,fanout]
 *
 * Three levels, all with 4,096 distinct topics published round-robin (more than the
 * per-topic caches of the router and the endpoint hold, so every lookup really matches):
 * 1. the matcher: `TopicFilter.matches` (radix tree) beside a linear scan of the same
 *    prefixes (the matcher broker-ts used before, and Broker's `prefix_matcher`), half of
 *    the topics matching;
 * 2. the core: `Router.peersFor` for a peer that advertised N filters, beside N = 10;
 * 3. end to end: two endpoints in this process peered over loopback TCP, the receiver
 *    subscribed to N topics, conn.log events published on the matching topics; events per
 *    second and per CPU-second of the process, beside N = 10.
 * 4. fan-out: one publishing process to 1, 2, 5, 10, 20 receiving processes (each an
 *    endpoint peered with the publisher): events delivered per second and per CPU-second
 *    of all processes, beside one receiver.
 * --quick: shorter rounds. --svg writes the curves as a chart. --levels picks the levels.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { Endpoint } from '@broker-ts/broker';
import { Router, TopicFilter } from '@broker-ts/broker/testing';

import { BenchChild } from './baselines/lib/bench-child';
import { makeConnEvent } from './lib/conn-event';
import { formatRate, type Measurement, measure, printTable } from './lib/harness';
import { quietLogger } from './throughput/quiet-logger';

/** Filter counts of the curve. */
const FILTER_COUNTS = [10, 1_000, 10_000, 100_000];
/** Distinct topics published round-robin. */
const TOPIC_COUNT = 4096;

/** The N filters of a peer: `/zeek/scale/<i>/`. */
function filters(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `/zeek/scale/${i}/`);
}

/** Topics spread over the filters, each matching one of them. */
function matchingTopics(n: number): string[] {
  return Array.from({ length: TOPIC_COUNT }, (_, j) => `/zeek/scale/${(j * 7919) % n}/event/${j}`);
}

/** Half matching topics, half near misses that share the filters' stem. */
function mixedTopics(n: number): string[] {
  const hits = matchingTopics(n);
  return hits.map((t, j) => (j % 2 === 0 ? t : `/zeek/scale/${j}x/event`));
}

/** The matcher before the radix tree: a scan of every prefix. */
function linearMatches(prefixes: readonly string[], topic: string): boolean {
  for (const p of prefixes) if (topic.startsWith(p)) return true;
  return false;
}

/** A body that looks up the next topic of a round-robin list. */
function roundRobin(topics: readonly string[], lookup: (topic: string) => unknown): () => void {
  let i = 0;
  let sink = 0;
  return () => {
    if (lookup(topics[i]) !== false) sink++;
    i = (i + 1) % topics.length;
    if (sink < 0) throw new Error('unreachable');
  };
}

/** One point of a curve. */
interface CurvePoint {
  filters: number;
  /** Lookups or events per second. */
  rate: number;
  /** Events per CPU-second (end to end only). */
  perCpu?: number;
}

/** Level 1: the matcher, radix tree beside a linear scan. */
function matcherCurve(roundMs: number): { radix: CurvePoint[]; linear: CurvePoint[] } {
  const radix: CurvePoint[] = [];
  const linear: CurvePoint[] = [];
  for (const n of FILTER_COUNTS) {
    const prefixes = filters(n);
    const filter = new TopicFilter(prefixes);
    const sorted = filter.toArray();
    const topics = mixedTopics(n);
    // Same answers, or the comparison means nothing.
    for (const t of topics) if (filter.matches(t) !== linearMatches(sorted, t)) throw new Error(`matchers disagree on ${t}`);
    const rows: Measurement[] = [
      measure('linear scan (before)', roundRobin(topics, (t) => linearMatches(sorted, t)), { roundMs, rounds: 3, warmupMs: 100 }),
      measure('radix tree (TopicFilter)', roundRobin(topics, (t) => filter.matches(t)), { roundMs, rounds: 3, warmupMs: 100 }),
    ];
    printTable(`matcher, ${n.toLocaleString('en')} filters: lookups per second`, rows, 'linear scan (before)');
    linear.push({ filters: n, rate: rows[0].opsPerSec });
    radix.push({ filters: n, rate: rows[1].opsPerSec });
  }
  return { radix, linear };
}

/** Level 2: the router's peer lookup for a peer with N filters. */
function routerCurve(roundMs: number): CurvePoint[] {
  const points: CurvePoint[] = [];
  const rows: Measurement[] = [];
  for (const n of FILTER_COUNTS) {
    const router = new Router({ self: 'A', forward: true, ttl: 20 });
    router.addPeer('B', filters(n));
    router.addPeer('C', ['/elsewhere/']);
    const topics = mixedTopics(n);
    const m = measure(`${n.toLocaleString('en')} filters`, roundRobin(topics, (t) => router.peersFor(t).length > 0), { roundMs, rounds: 3, warmupMs: 100 });
    rows.push(m);
    points.push({ filters: n, rate: m.opsPerSec });
  }
  printTable('router: peersFor, a peer with N filters (4,096 distinct topics, half matching)', rows, '10 filters');
  return points;
}

/** Events in flight between the sending and the receiving endpoint at most. */
const WINDOW = 4096;

/** Level 3: one end-to-end point: events per second and per CPU-second for N filters. */
async function endToEnd(n: number, warmupMs: number, countMs: number): Promise<CurvePoint> {
  const logger = process.env.SCALE_VERBOSE ? undefined : quietLogger();
  const receiver = new Endpoint({ name: 'scale-receiver', logger });
  const sender = new Endpoint({ name: 'scale-sender', logger });
  try {
    let received = 0;
    receiver.subscribe(filters(n), () => {
      received++;
    });
    const port = await receiver.listen('127.0.0.1', 0);
    if (!(await sender.peer('127.0.0.1', port))) throw new Error(`cannot peer with 127.0.0.1:${port}`);
    const deadline = Date.now() + 60_000;
    while ((await sender.peerSubscriptions()).length < n) {
      if (Date.now() > deadline) throw new Error(`the receiver's ${n} filters did not arrive within 60 s`);
      await sleep(20);
    }
    const topics = matchingTopics(n);
    let sent = 0;
    let stop = false;
    const sending = (async () => {
      while (!stop) {
        while (sent - received < WINDOW) {
          sender.publish(topics[sent % TOPIC_COUNT], makeConnEvent(sent));
          sent++;
        }
        await yieldToLoop();
      }
    })();
    await sleep(warmupMs);
    const r0 = received;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(countMs);
    const cpu = process.cpuUsage(c0);
    const seconds = (performance.now() - t0) / 1000;
    const events = received - r0;
    stop = true;
    await sending;
    if (events === 0) throw new Error(`no event arrived with ${n} filters`);
    return { filters: n, rate: events / seconds, perCpu: events / ((cpu.user + cpu.system) / 1e6) };
  } finally {
    await Promise.all([sender.shutdown(), receiver.shutdown()]);
  }
}

/** Level 3 for every N, printed beside N = 10. */
async function endToEndCurve(warmupMs: number, countMs: number): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  for (const n of FILTER_COUNTS) points.push(await endToEnd(n, warmupMs, countMs));
  const base = points[0];
  console.log('\nend to end: two endpoints over loopback TCP, receiver subscribed to N topics, conn.log events');
  console.log(`${'filters'.padEnd(9)}  ${'events/s'.padStart(10)}  ${'events/CPU-s'.padStart(12)}  ${'x N=10 /s'.padStart(9)}  ${'x N=10 /CPU'.padStart(11)}`);
  for (const p of points) {
    console.log(
      `${p.filters.toLocaleString('en').padEnd(9)}  ${formatRate(p.rate).padStart(10)}  ${formatRate(p.perCpu!).padStart(12)}  ${(p.rate / base.rate).toFixed(2).padStart(9)}  ${(p.perCpu! / base.perCpu!).toFixed(2).padStart(11)}`,
    );
  }
  return points;
}

/** Receiver counts of the fan-out curve. */
const FANOUT_COUNTS = [1, 2, 5, 10, 20];

/** One point of the fan-out curve. */
interface FanoutPoint {
  receivers: number;
  /** Events delivered per second, summed over the receivers. */
  delivered: number;
  /** Events delivered per CPU-second of all processes (sender and receivers). */
  perCpu: number;
  /** Events published per second by the sender. */
  published: number;
}

/** Counts and CPU of all processes at one moment. */
async function sampleAll(children: readonly BenchChild[]): Promise<{ counts: number[]; cpu: number }> {
  const samples = await Promise.all(children.map((c) => c.sample(60_000)));
  return { counts: samples.map((s) => s.count), cpu: samples.reduce((sum, s) => sum + s.cpuSeconds, 0) };
}

/** Level 4: one publisher process, `k` receiver processes, each its own endpoint. */
async function fanout(k: number, warmupMs: number, countMs: number): Promise<FanoutPoint> {
  const receivers = Array.from({ length: k }, (_, i) => BenchChild.spawnNode(`receiver ${i}`, join(__dirname, 'throughput', 'bts-receiver.ts')));
  const children: BenchChild[] = [...receivers];
  try {
    const ports = await Promise.all(receivers.map((r) => r.ready(120_000)));
    const sender = BenchChild.spawnNode('sender', join(__dirname, 'scale', 'fanout-sender.ts'), ports.map(String));
    children.push(sender);
    await sender.ready(120_000);
    await sleep(warmupMs);
    const before = await sampleAll(children);
    const t0 = performance.now();
    await sleep(countMs);
    const after = await sampleAll(children);
    const seconds = (performance.now() - t0) / 1000;
    const delivered = after.counts.slice(0, k).reduce((sum, n, i) => sum + n - before.counts[i], 0);
    const published = after.counts[k] - before.counts[k];
    if (delivered === 0) throw new Error(`nothing delivered to ${k} receivers`);
    return { receivers: k, delivered: delivered / seconds, perCpu: delivered / (after.cpu - before.cpu), published: published / seconds };
  } finally {
    // The sender first, so that the receivers' final check sees a complete last event.
    for (const c of children.reverse()) await c.stop(10_000);
  }
}

/** Level 4 for every receiver count, printed beside one receiver. */
async function fanoutCurve(warmupMs: number, countMs: number): Promise<FanoutPoint[]> {
  const points: FanoutPoint[] = [];
  for (const k of FANOUT_COUNTS) points.push(await fanout(k, warmupMs, countMs));
  const base = points[0];
  console.log('\nfan-out: one publishing process, N receiving processes (each an endpoint peered with it), conn.log events');
  console.log(
    `${'receivers'.padEnd(9)}  ${'published/s'.padStart(11)}  ${'delivered/s'.padStart(11)}  ${'deliv/CPU-s'.padStart(11)}  ${'x 1 /s'.padStart(7)}  ${'x 1 /CPU'.padStart(8)}`,
  );
  for (const p of points) {
    console.log(
      `${String(p.receivers).padEnd(9)}  ${formatRate(p.published).padStart(11)}  ${formatRate(p.delivered).padStart(11)}  ${formatRate(p.perCpu).padStart(11)}  ${(p.delivered / base.delivered).toFixed(2).padStart(7)}  ${(p.perCpu / base.perCpu).toFixed(2).padStart(8)}`,
    );
  }
  return points;
}

/** One line of a chart. */
interface Series {
  name: string;
  colour: string;
  points: ReadonlyArray<{ x: number; y: number }>;
}

/** One panel of the chart: log-scaled x, log-scaled y. */
interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: readonly number[];
  series: readonly Series[];
  formatY(y: number): string;
}

const PANEL_W = 680;
const PANEL_H = 330;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Draws one panel at vertical offset `top`. */
function renderPanel(panel: Panel, top: number): string {
  const left = 80;
  const right = 210;
  const pTop = top + 40;
  const pBottom = top + PANEL_H - 50;
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y));
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const x0 = Math.log10(Math.min(...panel.xs));
  const x1 = Math.log10(Math.max(...panel.xs));
  const xOf = (x: number): number => left + ((Math.log10(x) - x0) / (x1 - x0)) * (PANEL_W - left - right);
  const yOf = (y: number): number => pBottom - ((Math.log10(y) - lo) / (hi - lo)) * (pBottom - pTop);
  const out: string[] = [`<text x="10" y="${top + 22}" font-size="15" font-weight="bold" ${FONT}>${panel.title}</text>`];
  for (let e = lo; e <= hi; e++) {
    const y = yOf(10 ** e).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${PANEL_W - right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${Number(y) + 4}" font-size="11" text-anchor="end" ${FONT}>${panel.formatY(10 ** e)}</text>`);
  }
  for (const v of panel.xs) {
    const x = xOf(v).toFixed(1);
    out.push(`<line x1="${x}" y1="${pTop}" x2="${x}" y2="${pBottom}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${pBottom + 16}" font-size="11" text-anchor="middle" ${FONT}>${v.toLocaleString('en')}</text>`);
  }
  const midY = (pTop + pBottom) / 2;
  out.push(`<text x="${(left + PANEL_W - right) / 2}" y="${pBottom + 36}" font-size="12" text-anchor="middle" ${FONT}>${panel.xLabel}</text>`);
  out.push(`<text x="16" y="${midY}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${midY})" ${FONT}>${panel.yLabel}</text>`);
  panel.series.forEach((s, i) => {
    const pts = s.points.map((p) => [xOf(p.x).toFixed(1), yOf(p.y).toFixed(1)]);
    out.push(`<polyline points="${pts.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const [cx, cy] of pts) out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.colour}"/>`);
    const ly = pTop + 10 + i * 20;
    out.push(`<line x1="${PANEL_W - right + 12}" y1="${ly}" x2="${PANEL_W - right + 32}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<text x="${PANEL_W - right + 36}" y="${ly + 4}" font-size="11" ${FONT}>${s.name}</text>`);
  });
  return out.join('\n');
}

/** The panels stacked into one SVG document. */
function renderSvg(panels: readonly Panel[]): string {
  const height = PANEL_H * panels.length;
  const body = panels.map((p, i) => renderPanel(p, i * PANEL_H));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL_W}" height="${height}" viewBox="0 0 ${PANEL_W} ${height}">\n<rect width="${PANEL_W}" height="${height}" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}

/** Nanoseconds, microseconds or milliseconds. */
function formatNs(ns: number): string {
  if (ns >= 1e6) return `${ns / 1e6} ms`;
  if (ns >= 1e3) return `${ns / 1e3} µs`;
  return `${ns} ns`;
}

/** Cost per lookup or event, in nanoseconds, from a rate. */
function costSeries(name: string, colour: string, points: readonly CurvePoint[], perCpu = false): Series {
  return { name, colour, points: points.map((p) => ({ x: p.filters, y: 1e9 / (perCpu ? p.perCpu! : p.rate) })) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, svg: { type: 'string' }, levels: { type: 'string' } }, strict: true });
  const quick = values.quick === true;
  const levels = new Set((values.levels ?? 'matcher,router,e2e,fanout').split(','));
  console.log(`scale curves: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  const matcher = levels.has('matcher') ? matcherCurve(quick ? 150 : 400) : { radix: [], linear: [] };
  const router = levels.has('router') ? routerCurve(quick ? 150 : 400) : [];
  const e2e = levels.has('e2e') ? await endToEndCurve(quick ? 500 : 1500, quick ? 1500 : 4000) : [];
  const fan = levels.has('fanout') ? await fanoutCurve(quick ? 1000 : 3000, quick ? 2000 : 5000) : [];
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (values.svg !== undefined) {
    const panels: Panel[] = [];
    const costs = [
      costSeries('matcher: linear scan', '#ff7f0e', matcher.linear),
      costSeries('matcher: radix tree', '#1f77b4', matcher.radix),
      costSeries('router: peersFor', '#2ca02c', router),
      costSeries('end to end, CPU', '#9467bd', e2e, true),
    ].filter((c) => c.points.length > 0);
    if (costs.length > 0) {
      panels.push({ title: 'Cost per published event vs topic filters on the peer', xLabel: 'topic filters (log scale)', yLabel: 'cost per event (log scale)', xs: FILTER_COUNTS, series: costs, formatY: formatNs });
    }
    if (fan.length > 0) {
      panels.push({
        title: 'Fan-out: one publisher, N subscribing processes',
        xLabel: 'subscribing processes (log scale)',
        yLabel: 'events (log scale)',
        xs: FANOUT_COUNTS,
        series: [
          { name: 'delivered per second', colour: '#1f77b4', points: fan.map((p) => ({ x: p.receivers, y: p.delivered })) },
          { name: 'delivered per CPU-second', colour: '#9467bd', points: fan.map((p) => ({ x: p.receivers, y: p.perCpu })) },
          { name: 'published per second', colour: '#7f7f7f', points: fan.map((p) => ({ x: p.receivers, y: p.published })) },
        ],
        formatY: (y) => formatRate(y).replace('/s', ''),
      });
    }
    const svg = renderSvg(panels);
    writeFileSync(values.svg, svg);
    console.error(`wrote ${values.svg}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
