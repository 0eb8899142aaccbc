/**
 * Round-trip latency with one message in flight: broker-ts between two processes over
 * plain TCP and between the main thread and a worker-thread endpoint, beside the newest
 * Broker's own `broker-node` ping/pong and raw Node TCP with cbor-x, in one run. Every
 * run measures each row once, the rows interleaved; a row's figures are the medians of
 * its runs' median, p90 and p99, with the CPU both sides of a Node row spent per round
 * trip (all threads, warm-up included). Prints the table and the goals (broker-ts
 * median ≤ the newest Broker's, p99 ≤ 1 ms) and saves JSON.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/latency.ts [--runs N] [--count N]
 *       [--warmup N] [--shape broker-node:<bytes>|conn-event] [--only NAME] [--verbose]
 *       [--out FILE] [--commit HASH]
 *
 * Defaults: 3 runs of 5000 round trips after 20,000 of warm-up: the steady state of a
 * long-running process. V8 goes on optimising a broker-ts message's path in background
 * threads for the first several thousand round trips, and on two cores those compile
 * jobs delay round trips: after 2000 the medians have settled but the p99 is still
 * 0.7–1.4 ms, after 20,000 it is 0.2 ms (benchmarks/RESULTS.md, latency). `--warmup
 * 2000` shows that early phase, `--warmup 0 --count 500` a cold start,
 * Broker's ping shape `["ping", id, ""]` (`--shape conn-event`: the throughput benchmark's event, without
 * the newest Broker's row). Default output: benchmarks/out/latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { median } from './baselines/lib/bench-result';
import { formatPingShape, parsePingShape } from './latency/ping-message';
import { brokerTsTcp, brokerTsWorker, type LatencySystem, newestBroker, rawNodeTcp, type RunOptions, type RunResult } from './latency/systems';
import { checkoutCommit } from './lib/git-commit';

/** A row: the medians over the runs, and every run. */
interface LatencyRow {
  system: string;
  medianUs: number;
  p90Us: number;
  p99Us: number;
  /** CPU microseconds per round trip, both sides (median over the runs), when measured. */
  cpuUsPerTrip?: number;
  runs: RunResult[];
}

function micros(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(0)} µs`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      runs: { type: 'string', default: '3' }, count: { type: 'string', default: '5000' }, warmup: { type: 'string', default: '20000' },
      shape: { type: 'string', default: 'broker-node:0' }, only: { type: 'string' }, verbose: { type: 'boolean', default: false },
      out: { type: 'string', default: join(__dirname, 'out', 'latency.json') }, commit: { type: 'string' },
    },
  });
  const runs = Number(v.runs);
  const options: RunOptions = { count: Number(v.count), warmup: Number(v.warmup), shape: parsePingShape(v.shape!), verbose: v.verbose! };
  const systems: LatencySystem[] = [brokerTsTcp, brokerTsWorker];
  const broker = newestBroker();
  if ('reason' in broker) console.error(`newest Broker: not measured: ${broker.reason}`);
  else if (options.shape.kind !== 'broker-node') console.error('newest Broker: not measured: broker-node sends only its own ping shape');
  else systems.push(broker);
  systems.push(rawNodeTcp);
  const chosen = v.only === undefined ? systems : systems.filter((s) => s.name.includes(v.only!));
  const started = new Date();
  const loadBefore = loadavg();
  console.error(`latency: ${runs} run(s) of ${options.count} round trips after ${options.warmup}, shape ${formatPingShape(options.shape)}; ${cpus().length} cores, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

  const results = new Map<string, RunResult[]>(chosen.map((s) => [s.name, []]));
  for (let run = 1; run <= runs; run++) {
    for (const system of chosen) {
      const r = await system.run(options);
      console.error(`${system.name}: run ${run}: median ${r.median.toFixed(0)} µs, p90 ${r.p90.toFixed(0)} µs, p99 ${r.p99.toFixed(0)} µs${r.cpuUsPerTrip === undefined ? '' : `, CPU ${r.cpuUsPerTrip.toFixed(0)} µs per round trip`}`);
      results.get(system.name)!.push(r);
    }
  }
  const rows: LatencyRow[] = chosen.map((s) => {
    const rs = results.get(s.name)!;
    const cpu = rs.flatMap((r) => (r.cpuUsPerTrip === undefined ? [] : [r.cpuUsPerTrip]));
    return {
      system: s.name, medianUs: median(rs.map((r) => r.median)), p90Us: median(rs.map((r) => r.p90)), p99Us: median(rs.map((r) => r.p99)),
      ...(cpu.length > 0 ? { cpuUsPerTrip: median(cpu) } : {}), runs: rs,
    };
  });
  const reference = rows.find((r) => r.system.startsWith('newest Broker'));
  const width = Math.max(...rows.map((r) => r.system.length));
  console.log(`\nRound trips, one in flight (${runs} run(s) of ${options.count}; medians over the runs)\n`);
  console.log(`${'system'.padEnd(width)}  ${'median'.padStart(9)}  ${'p90'.padStart(9)}  ${'p99'.padStart(9)}  ${'CPU/trip'.padStart(9)}${reference ? '  median x newest Broker' : ''}`);
  for (const r of rows) {
    const ratio = reference ? `  ${(r.medianUs / reference.medianUs).toFixed(2)}`.padStart(24) : '';
    console.log(`${r.system.padEnd(width)}  ${micros(r.medianUs).padStart(9)}  ${micros(r.p90Us).padStart(9)}  ${micros(r.p99Us).padStart(9)}  ${(r.cpuUsPerTrip === undefined ? '' : micros(r.cpuUsPerTrip)).padStart(9)}${ratio}`);
  }
  const goals: Array<{ goal: string; met: boolean }> = [];
  for (const r of rows.filter((row) => row.system.startsWith('broker-ts'))) {
    if (reference) goals.push({ goal: `${r.system}: median ${micros(r.medianUs)} ≤ newest Broker ${micros(reference.medianUs)}`, met: r.medianUs <= reference.medianUs });
    goals.push({ goal: `${r.system}: p99 ${micros(r.p99Us)} ≤ 1 ms`, met: r.p99Us <= 1000 });
  }
  console.log('\nGoals in this run:\n');
  for (const g of goals) console.log(`${g.met ? 'met    ' : 'NOT MET'}  ${g.goal}`);
  const out = v.out!;
  mkdirSync(dirname(out), { recursive: true });
  const loadAfter = loadavg();
  writeFileSync(out, `${JSON.stringify({ date: started.toISOString(), commit: v.commit ?? checkoutCommit(), machine: { cores: cpus().length, loadBefore, loadAfter, node: process.version }, options: { runs, ...options }, rows, goals }, null, 2)}\n`);
  console.error(`load after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; saved ${out}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
