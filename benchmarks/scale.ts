/**
 * Scale curves of broker-ts: how the cost of a published event grows with the number of
 * topic filters a peer has (10, 1,000, 10,000, 100,000), each beside a baseline measured
 * in the same run.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/scale.ts [--quick] [--svg FILE]
 *       [--levels matcher,router,e2e]
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
 * --quick: shorter rounds. --svg writes the curves as a chart. --levels picks the levels.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { Endpoint } from '@broker-ts/broker';

import { Router } from '../packages/broker/src/router';
import { TopicFilter } from '../packages/broker/src/topic-filter';

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

/** The curves as a small log-log line chart of cost per lookup or event (ns). */
function renderSvg(series: ReadonlyArray<{ name: string; colour: string; points: CurvePoint[]; perCpu?: boolean }>, title: string): string {
  const W = 640;
  const H = 360;
  const left = 70;
  const right = 190;
  const top = 40;
  const bottom = 50;
  const cost = (p: CurvePoint, perCpu: boolean | undefined): number => 1e9 / (perCpu ? p.perCpu! : p.rate);
  const all = series.flatMap((s) => s.points.map((p) => cost(p, s.perCpu)));
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const xOf = (n: number): number => left + ((Math.log10(n) - 1) / 4) * (W - left - right);
  const yOf = (ns: number): number => H - bottom - ((Math.log10(ns) - lo) / Math.max(1, hi - lo)) * (H - top - bottom);
  const font = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold" ${font}>${title}</text>`);
  for (let e = lo; e <= hi; e++) {
    const y = yOf(10 ** e).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${W - right}" y2="${y}" stroke="#ddd"/>`);
    const label = e >= 6 ? `${10 ** (e - 6)} ms` : e >= 3 ? `${10 ** (e - 3)} µs` : `${10 ** e} ns`;
    out.push(`<text x="${left - 6}" y="${Number(y) + 4}" font-size="11" text-anchor="end" ${font}>${label}</text>`);
  }
  for (const n of FILTER_COUNTS) {
    const x = xOf(n).toFixed(1);
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${H - bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${H - bottom + 16}" font-size="11" text-anchor="middle" ${font}>${n.toLocaleString('en')}</text>`);
  }
  out.push(`<text x="${(left + W - right) / 2}" y="${H - 12}" font-size="12" text-anchor="middle" ${font}>topic filters on the peer (log scale)</text>`);
  out.push(`<text x="14" y="${(top + H - bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(top + H - bottom) / 2})" ${font}>cost per event (log scale)</text>`);
  series.forEach((s, i) => {
    const pts = s.points.map((p) => `${xOf(p.filters).toFixed(1)},${yOf(cost(p, s.perCpu)).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const pt of pts) out.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3" fill="${s.colour}"/>`);
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${W - right + 12}" y1="${ly}" x2="${W - right + 32}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<text x="${W - right + 36}" y="${ly + 4}" font-size="11" ${font}>${s.name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, svg: { type: 'string' }, levels: { type: 'string' } }, strict: true });
  const quick = values.quick === true;
  const levels = new Set((values.levels ?? 'matcher,router,e2e').split(','));
  console.log(`scale curves: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  const matcher = levels.has('matcher') ? matcherCurve(quick ? 150 : 400) : { radix: [], linear: [] };
  const router = levels.has('router') ? routerCurve(quick ? 150 : 400) : [];
  const e2e = levels.has('e2e') ? await endToEndCurve(quick ? 500 : 1500, quick ? 1500 : 4000) : [];
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (values.svg !== undefined) {
    const svg = renderSvg(
      [
        { name: 'matcher: linear scan', colour: '#ff7f0e', points: matcher.linear },
        { name: 'matcher: radix tree', colour: '#1f77b4', points: matcher.radix },
        { name: 'router: peersFor', colour: '#2ca02c', points: router },
        { name: 'end to end, CPU', colour: '#9467bd', points: e2e, perCpu: true },
      ],
      'broker-ts: cost per published event vs topic filters',
    );
    writeFileSync(values.svg, svg);
    console.error(`wrote ${values.svg}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
