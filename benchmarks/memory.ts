/**
 * Memory of broker-ts under full load against the same processes idle, in one run: a
 * sender publishing the throughput benchmark's conn event at the highest rate its
 * publisher's credit allows to a receiver in another process (plain TCP), beside an idle
 * sender and receiver (the same programs, endpoints created and peered, nothing
 * published). Every second it reads RSS and V8 heap of all four; after the warm-up it
 * reports each loaded process's RSS and heap against its idle twin, fits a trend line to
 * the loaded series and says whether memory is flat, and prints the receiver's event rate
 * (so that memory is never bought with throughput unseen). Saves JSON.
 *
 * Then the same measurement of the raw Node baseline (`baselines/node/tcp-*.ts`: cbor-x
 * per message over one TCP connection, no broker; its idle twins connected and silent),
 * for as long: what any Node process doing the same work holds, loaded against idle. Its
 * figures are printed beside broker-ts's, with broker-ts's loaded RSS as a multiple of
 * the baseline's; the goals are judged on broker-ts.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/memory.ts [--minutes N]
 *       [--baseline-minutes N] [--warmup S] [--verbose] [--out FILE] [--commit HASH]
 *       [--from FILE]
 *
 * Defaults: 1 minute (the baseline as long), of which the first 10 s are warm-up. Goals:
 * loaded RSS (max after the warm-up) ≤ 1.5× idle; RSS and heap flat: no rise of more than
 * 5% of the mean over the window that persists into its second half (`memory/trend.ts`;
 * the heap judged on its lowest value per 10 s, the floor that a leak raises). Default
 * output: benchmarks/out/memory.json. Flags for the children's Node (e.g.
 * `--max-semi-space-size=4`) go in BENCH_NODE_FLAGS, for all of them. `--from FILE`
 * prints the figures and goals of a saved run again, measuring nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { BenchChild, type MemoryReading } from './baselines/lib/bench-child';
import { median } from './baselines/lib/bench-result';
import { fitTrend, floors, settledTrend, type Trend } from './memory/trend';
import { checkoutCommit } from './lib/git-commit';

const MiB = 1024 * 1024;

/** One process's series. */
interface Series {
  role: string;
  seconds: number[];
  readings: MemoryReading[];
}

/** One system's measurement: four series (loaded sender and receiver, then their idle twins). */
interface Phase {
  series: Series[];
  /** The loaded receiver's events per second after the warm-up. */
  eventsPerSec: number;
}

/** What a run saves (and `--from` reads back; runs saved before the baseline lack it). */
interface SavedRun {
  date: string;
  commit: string;
  machine: unknown;
  options: { seconds: number; warmupS: number; baselineSeconds?: number };
  eventsPerSec: number;
  rows: unknown[];
  goals: Array<{ goal: string; met: boolean }>;
  series: Series[];
  baseline?: Phase & { rows: unknown[] };
}

/** A system measured: how to start its receiver and its sender, loaded or idle. */
interface System {
  name: string;
  startPair(mode: 'load' | 'idle', verbose: boolean): Promise<{ receiver: BenchChild; sender: BenchChild }>;
}

/** broker-ts: the throughput benchmark's receiver, a sender that publishes or idles. */
const brokerTs: System = {
  name: 'broker-ts',
  async startPair(mode, verbose) {
    const receiver = BenchChild.spawnNode(`receiver-${mode}`, join(__dirname, 'throughput', 'bts-receiver.ts'), [], verbose);
    const port = await receiver.ready();
    const sender = BenchChild.spawnNode(`sender-${mode}`, join(__dirname, 'memory', 'mem-sender.ts'), [String(port), mode], verbose);
    await sender.ready(60_000);
    return { receiver, sender };
  },
};

/** The raw Node baseline: cbor-x per message over one TCP connection, no broker. */
const rawNode: System = {
  name: 'raw Node TCP, cbor-x per message',
  async startPair(mode, verbose) {
    const node = join(__dirname, 'baselines', 'node');
    const receiver = BenchChild.spawnNode(`raw-receiver-${mode}`, join(node, 'tcp-receiver.ts'), [], verbose);
    const port = await receiver.ready();
    const sender = BenchChild.spawnNode(`raw-sender-${mode}`, join(node, 'tcp-sender.ts'), [String(port), String(64 * 1024), ...(mode === 'idle' ? ['idle'] : [])], verbose);
    await sender.ready(60_000);
    return { receiver, sender };
  },
};

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Samples a system's four processes every second for `totalS` seconds; the warm-up is not kept. */
async function measure(system: System, totalS: number, warmupS: number, verbose: boolean): Promise<Phase> {
  console.error(`memory: ${system.name}, ${totalS} s`);
  const idle = await system.startPair('idle', verbose);
  const load = await system.startPair('load', verbose);
  const children: Array<[string, BenchChild]> = [
    ['sender (load)', load.sender], ['receiver (load)', load.receiver], ['sender (idle)', idle.sender], ['receiver (idle)', idle.receiver],
  ];
  const series: Series[] = children.map(([role]) => ({ role, seconds: [], readings: [] }));
  const t0 = performance.now();
  let counted: { t: number; n: number } | undefined;
  let last: { t: number; n: number } = { t: 0, n: 0 };
  try {
    for (let tick = 1; ; tick++) {
      await sleep(Math.max(0, t0 + tick * 1000 - performance.now()));
      const t = (performance.now() - t0) / 1000;
      const readings = await Promise.all(children.map(([, c]) => c.memory()));
      const received = (await load.receiver.sample()).count;
      if (t < warmupS) continue;
      counted ??= { t, n: received };
      last = { t, n: received };
      readings.forEach((r, i) => {
        series[i].seconds.push(t);
        series[i].readings.push(r);
      });
      if (tick % 10 === 0 || verbose) {
        const detail = (r: MemoryReading) => `RSS ${mib(r.rss)} (heap ${mib(r.heapUsed)} of ${mib(r.heapTotal)}, external ${mib(r.external)}, array buffers ${mib(r.arrayBuffers)})`;
        console.error(`${t.toFixed(0)} s: sender ${detail(readings[0])}; receiver ${detail(readings[1])}; idle RSS ${mib(readings[2].rss)} / ${mib(readings[3].rss)}`);
      }
      if (t >= totalS) break;
    }
  } finally {
    // The idle receivers have nothing to check at the end: they are ended by a signal.
    await Promise.all(children.map(([role, c]) => (role.includes('idle') ? c.kill() : c.stop()).catch((e: Error) => console.error(e.message))));
  }
  const eventsPerSec = counted && last.t > counted.t ? (last.n - counted.n) / (last.t - counted.t) : 0;
  return { series, eventsPerSec };
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      minutes: { type: 'string', default: '1' }, 'baseline-minutes': { type: 'string' }, warmup: { type: 'string', default: '10' },
      verbose: { type: 'boolean', default: false }, out: { type: 'string', default: join(__dirname, 'out', 'memory.json') }, commit: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (v.from !== undefined) {
    // A saved run, judged again (the verdict's rules may have changed since).
    const saved = JSON.parse(readFileSync(v.from, 'utf8')) as SavedRun;
    console.error(`memory: the run of ${saved.date} (commit ${saved.commit}) from ${v.from}`);
    report({ series: saved.series, eventsPerSec: saved.eventsPerSec }, saved.baseline, saved.options);
    return;
  }
  const totalS = Number(v.minutes) * 60;
  const baselineS = Number(v['baseline-minutes'] ?? v.minutes) * 60;
  const warmupS = Number(v.warmup);
  // The heap's floors are taken per 10 s and the verdict reads the second half of them.
  if (!(Math.min(totalS, baselineS) >= warmupS + 40) || !(warmupS >= 0)) throw new Error('--minutes and --baseline-minutes must leave at least 40 s after --warmup');
  const started = new Date();
  const loadBefore = loadavg();
  console.error(`memory: ${cpus().length} cores, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; first ${warmupS} s of each phase warm-up; node flags: ${process.env.BENCH_NODE_FLAGS ?? '(none)'}`);
  const phase = await measure(brokerTs, totalS, warmupS, v.verbose!);
  const baseline = await measure(rawNode, baselineS, warmupS, v.verbose!);
  const options = { seconds: totalS, warmupS, baselineSeconds: baselineS };
  const { rows, goals, baselineRows } = report(phase, baseline, options);
  const loadAfter = loadavg();
  mkdirSync(dirname(v.out!), { recursive: true });
  const saved: SavedRun = {
    date: started.toISOString(), commit: v.commit ?? checkoutCommit(), machine: { cores: cpus().length, loadBefore, loadAfter, node: process.version, nodeFlags: process.env.BENCH_NODE_FLAGS ?? '' },
    options, eventsPerSec: phase.eventsPerSec, rows, goals, series: phase.series, baseline: { ...baseline, rows: baselineRows },
  };
  writeFileSync(v.out!, `${JSON.stringify(saved, null, 2)}\n`);
  console.error(`load after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; saved ${v.out}`);
}

/** A loaded process's figures against its idle twin. */
interface Row {
  role: string;
  rss: Stat;
  heap: Stat;
  idleRss: number;
  idleHeap: number;
  rssRatioMax: number;
  rssRatioMedian: number;
  loadedParts: Parts;
  idleParts: Parts;
}

interface Stat {
  median: number;
  max: number;
  whole: Trend;
  trend: Trend;
}

/** Medians of where the memory lies: the V8 heap's reserved size and memory outside it. */
interface Parts {
  heapTotal: number;
  youngGeneration: number;
  external: number;
}

/** The sender's and the receiver's rows of a phase. */
function rowsOf(series: Series[]): Row[] {
  // RSS is judged on its samples; the heap in use on its floors (lowest per 10 s).
  const stat = (s: Series, pick: (r: MemoryReading) => number, floorWindowS?: number): Stat => {
    const xs = s.readings.map(pick);
    const judged = floorWindowS === undefined ? { seconds: s.seconds, values: xs } : floors(s.seconds, xs, floorWindowS);
    return { median: median(xs), max: Math.max(...xs), whole: fitTrend(judged.seconds, judged.values), trend: settledTrend(judged.seconds, judged.values) };
  };
  const parts = (x: Series): Parts => ({
    heapTotal: median(x.readings.map((r) => r.heapTotal)),
    youngGeneration: median(x.readings.map((r) => r.youngGeneration ?? 0)),
    external: median(x.readings.map((r) => r.external)),
  });
  return series.slice(0, 2).map((s, i) => {
    const twin = series[i + 2];
    const rss = stat(s, (r) => r.rss);
    const idleRss = median(twin.readings.map((r) => r.rss));
    return {
      role: s.role.replace(' (load)', ''), rss, heap: stat(s, (r) => r.heapUsed, 10), idleRss, idleHeap: median(twin.readings.map((r) => r.heapUsed)),
      rssRatioMax: rss.max / idleRss, rssRatioMedian: rss.median / idleRss, loadedParts: parts(s), idleParts: parts(twin),
    };
  });
}

/** Prints a phase's rows. */
function printRows(rows: Row[]): void {
  const slope = (t: Trend) => `${t.bytesPerMinute >= 0 ? '+' : ''}${mib(t.bytesPerMinute)}/min`;
  const trend = (x: Stat) => `${slope(x.whole)} over the window, ${slope(x.trend)} in its second half (${x.trend.flat ? 'flat' : 'NOT flat'})`;
  for (const r of rows) {
    const pad = ' '.repeat(r.role.length);
    console.log(`${r.role}: RSS idle ${mib(r.idleRss)}, loaded median ${mib(r.rss.median)} max ${mib(r.rss.max)} (${r.rssRatioMedian.toFixed(2)}x / ${r.rssRatioMax.toFixed(2)}x idle), trend ${trend(r.rss)}`);
    console.log(`${pad}  heap used idle ${mib(r.idleHeap)}, loaded median ${mib(r.heap.median)} max ${mib(r.heap.max)}, floor trend ${trend(r.heap)}`);
    console.log(`${pad}  medians idle → loaded: heap total ${mib(r.idleParts.heapTotal)} → ${mib(r.loadedParts.heapTotal)} (young generation ${mib(r.idleParts.youngGeneration)} → ${mib(r.loadedParts.youngGeneration)}), external ${mib(r.idleParts.external)} → ${mib(r.loadedParts.external)}`);
  }
}

/** Prints the figures of broker-ts and of the baseline (when measured) and broker-ts's goals; returns them. */
function report(phase: Phase, baseline: Phase | undefined, options: SavedRun['options']): { rows: Row[]; goals: Array<{ goal: string; met: boolean }>; baselineRows: Row[] } {
  const { seconds: totalS, warmupS } = options;
  const rows = rowsOf(phase.series);
  console.log(`\nMemory under full load vs idle (${totalS - warmupS} s after ${warmupS} s warm-up; receiver ${(phase.eventsPerSec / 1000).toFixed(1)} k events/s)\n`);
  printRows(rows);
  const baselineRows = baseline === undefined ? [] : rowsOf(baseline.series);
  if (baseline !== undefined) {
    const s = options.baselineSeconds ?? totalS;
    console.log(`\nBaseline: ${rawNode.name} (${s - warmupS} s after ${warmupS} s warm-up; receiver ${(baseline.eventsPerSec / 1000).toFixed(1)} k events/s)\n`);
    printRows(baselineRows);
    console.log('\nbroker-ts against the baseline (loaded RSS, median / max; loaded minus idle, medians):\n');
    rows.forEach((r, i) => {
      const b = baselineRows[i];
      console.log(`${r.role}: ${(r.rss.median / b.rss.median).toFixed(2)}x / ${(r.rss.max / b.rss.max).toFixed(2)}x; rise ${mib(r.rss.median - r.idleRss)} against ${mib(b.rss.median - b.idleRss)}`);
    });
  }
  const goals = rows.flatMap((r) => [
    { goal: `${r.role} RSS max ${r.rssRatioMax.toFixed(2)}x idle ≤ 1.5x`, met: r.rssRatioMax <= 1.5 },
    { goal: `${r.role} RSS and heap flat`, met: r.rss.trend.flat && r.heap.trend.flat },
  ]);
  console.log('\nGoals in this run (broker-ts):\n');
  for (const g of goals) console.log(`${g.met ? 'met    ' : 'NOT MET'}  ${g.goal}`);
  if (baselineRows.length > 0) {
    console.log('\nThe baseline by the same rules (not a goal):\n');
    for (const r of baselineRows) console.log(`${r.rssRatioMax <= 1.5 ? 'within ' : 'above  '}  ${r.role} RSS max ${r.rssRatioMax.toFixed(2)}x idle, 1.5x`);
  }
  return { rows, goals, baselineRows };
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
