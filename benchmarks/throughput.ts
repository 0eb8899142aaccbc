/**
 * broker-ts throughput beside its baselines, in one script and one run: the
 * conn.log event between two broker-ts processes over TCP (plain, as the baselines, and
 * with Broker's default TLS), between the main thread and a
 * worker thread (over the thread's MessagePort, and over TCP), and between two endpoints
 * in one thread; Broker 1.4 (C++), NATS, the
 * raw Node TCP limit and raw worker postMessage (per message and batched); round-trip
 * latency of broker-ts and Broker 1.4. Prints msgs/s and msgs per CPU-second for each,
 * the goals' ratios, and the broker-ts senders' RSS; saves everything as JSON for
 * `plot-throughput.ts`.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/throughput.ts [--quick] [--runs N]
 *       [--warmup S] [--seconds S] [--latency-count N] [--skip-setup] [--verbose]
 *       [--out FILE] [--commit HASH]
 *
 * Method: the baselines' (`docs/benchmarks.md`): fresh processes per run, warm-up,
 * counted window, medians of runs. --quick: 1 run, 1 s warm-up, 3 s counted, 100
 * round trips. Default output: benchmarks/out/throughput.json. --commit records the commit
 * measured when the tree is not a git checkout (a `git archive` export of HEAD, so that
 * nobody's uncommitted work is measured).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { BASELINES, type BaselineOptions } from './baselines/catalog';
import { codecNativeAcceleration } from './baselines/lib/event-codec';
import { measureThroughputOnce } from './baselines/lib/measure-throughput';
import { type BenchResult, medianResult } from './baselines/lib/bench-result';
import { formatResults } from './baselines/lib/print-results';
import { runSetup } from './baselines/lib/run-setup';
import { brokerTsInThread, brokerTsTcp, brokerTsWorker, type TrackedSystem } from './throughput/broker-ts-systems';
import { checkGoals, formatGoals, type GoalSpec } from './throughput/goals';
import { measureBrokerTsLatency } from './throughput/measure-broker-ts-latency';
import type { RssFigures } from './throughput/rss-tracker';
import type { ThroughputReport } from './throughput/throughput-report';

/** The command line, checked; exits with status 2 and the usage on bad input. */
function parseCommandLine(argv: string[]): { options: BaselineOptions; setup: boolean; out: string; commit?: string } {
  const usage = 'usage: throughput.ts [--quick] [--runs N] [--warmup S] [--seconds S] [--latency-count N] [--skip-setup] [--verbose] [--out FILE] [--commit HASH]';
  try {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        quick: { type: 'boolean' }, runs: { type: 'string' }, warmup: { type: 'string' }, seconds: { type: 'string' },
        'latency-count': { type: 'string' }, 'skip-setup': { type: 'boolean' }, verbose: { type: 'boolean' }, out: { type: 'string' },
        commit: { type: 'string' },
      },
    });
    const positive = (flag: string, text: string | undefined, fallback: number): number => {
      if (text === undefined) return fallback;
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} needs a positive number, got ${JSON.stringify(text)}`);
      return n;
    };
    const base = v.quick ? { runs: 1, warmupS: 1, seconds: 3, latencyCount: 100 } : { runs: 3, warmupS: 3, seconds: 10, latencyCount: 500 };
    return {
      options: {
        runs: Math.round(positive('runs', v.runs, base.runs)),
        warmupMs: positive('warmup', v.warmup, base.warmupS) * 1000,
        measureMs: positive('seconds', v.seconds, base.seconds) * 1000,
        latencyCount: Math.round(positive('latency-count', v['latency-count'], base.latencyCount)),
        verbose: v.verbose ?? false,
      },
      setup: !(v['skip-setup'] ?? false),
      out: v.out ?? join(__dirname, 'out', 'throughput.json'),
      commit: v.commit,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

function mib(x: number): string {
  return `${x.toFixed(0)} MiB`;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: __dirname }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { options, setup, out, commit: givenCommit } = parseCommandLine(process.argv.slice(2));
  if (setup) runSetup();
  options.log = (line) => console.error(line);
  const started = new Date();
  const measured = givenCommit ?? commit();
  const loadBefore = loadavg();
  console.error(
    `throughput: ${options.runs} run(s), ${options.warmupMs! / 1000} s warm-up, ${options.measureMs! / 1000} s counted; ` +
      `${cpus().length} cores, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; cbor-x native acceleration: ${codecNativeAcceleration}`,
  );

  const rows: BenchResult[] = [];
  const rss: Array<{ system: string; of: string; runs: RssFigures[] }> = [];
  const add = (row: BenchResult): BenchResult => {
    const clean: BenchResult = { system: row.system, msgsPerSec: row.msgsPerSec, msgsPerCpuSec: row.msgsPerCpuSec, ...(row.latencyUs ? { latencyUs: row.latencyUs } : {}) };
    rows.push(clean);
    console.error(`${row.system}: ${Math.round(row.msgsPerSec)} msgs/s, ${Math.round(row.msgsPerCpuSec)} msgs/CPU-s${row.latencyUs ? `, RTT median ${row.latencyUs.median.toFixed(0)} µs` : ''}`);
    return clean;
  };
  const failures: Array<{ system: string; run: number; error: string }> = [];
  // A broker-ts run that fails (e.g. a stall: nothing received in the window) is
  // reported and the row is the median of the runs that completed, so that one stall
  // neither aborts the whole comparison nor disappears from it.
  const brokerTs = async (system: TrackedSystem): Promise<BenchResult> => {
    const runs: BenchResult[] = [];
    for (let run = 1; run <= options.runs!; run++) {
      try {
        const r = await measureThroughputOnce(system, options);
        options.log?.(`${system.name}: run ${run}: ${Math.round(r.msgsPerSec)} msgs/s, ${Math.round(r.msgsPerCpuSec)} msgs/CPU-s`);
        runs.push(r);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        options.log?.(`${system.name}: run ${run} FAILED: ${message}`);
        failures.push({ system: system.name, run, error: message });
      }
    }
    const row = add(runs.length > 0 ? medianResult(runs) : { system: system.name, msgsPerSec: 0, msgsPerCpuSec: 0 });
    rss.push({ system: system.name, of: system.rssOf, runs: system.rss });
    return row;
  };

  const tcp = await brokerTs(brokerTsTcp(options.verbose));
  await brokerTs(brokerTsTcp(options.verbose, true));
  const worker = await brokerTs(brokerTsWorker('port', options.verbose));
  await brokerTs(brokerTsWorker('tcp', options.verbose));
  await brokerTs(brokerTsInThread(options.verbose));
  await brokerTs(brokerTsInThread(options.verbose, true));
  const broker14 = add(await BASELINES.broker14.measure(options));
  const nats = add(await BASELINES.nats.measure(options));
  const rawTcp = add(await BASELINES['raw-tcp'].measure(options));
  const postPer = add(await BASELINES['worker-per-message'].measure(options));
  const postBatched = add(await BASELINES['worker-batched'].measure(options));
  const btsLatency = add(await measureBrokerTsLatency({ runs: options.runs, count: options.latencyCount, verbose: options.verbose }));
  const b14Latency = add(await BASELINES['broker14-latency'].measure(options));
  const b14LatencyTuned = add(await BASELINES['broker14-latency-tuned'].measure(options));

  const spec = (name: string, subject: BenchResult, reference: BenchResult, metric: GoalSpec['metric'], direction: GoalSpec['direction'], target: number): GoalSpec => ({
    name, subject: subject.system, reference: reference.system, metric, direction, target,
  });
  const goals = checkGoals(rows, [
    spec('broker-ts TCP / Broker 1.4, msgs per CPU-s', tcp, broker14, 'msgsPerCpuSec', '>=', 7),
    spec('broker-ts TCP / NATS, msgs per CPU-s', tcp, nats, 'msgsPerCpuSec', '>=', 1.5),
    spec('broker-ts TCP / raw Node TCP, msgs per CPU-s', tcp, rawTcp, 'msgsPerCpuSec', '>=', 0.8),
    spec('broker-ts TCP / raw Node TCP, msgs/s', tcp, rawTcp, 'msgsPerSec', '>=', 0.8),
    spec('broker-ts worker (port) / postMessage per message, msgs per CPU-s', worker, postPer, 'msgsPerCpuSec', '>=', 0.7),
    spec('broker-ts worker (port) / postMessage per message, msgs/s', worker, postPer, 'msgsPerSec', '>=', 0.7),
    spec('broker-ts worker (port) / postMessage batched, msgs per CPU-s', worker, postBatched, 'msgsPerCpuSec', '>=', 0.7),
    spec('broker-ts worker (port) / postMessage batched, msgs/s', worker, postBatched, 'msgsPerSec', '>=', 0.7),
    spec('broker-ts RTT median / Broker 1.4 RTT median', btsLatency, b14Latency, 'latencyMedian', '<=', 1),
    spec('broker-ts RTT median / Broker 1.4 tuned RTT median', btsLatency, b14LatencyTuned, 'latencyMedian', '<=', 1),
  ]);

  console.log(`\nThroughput of the conn.log event (${options.runs} run(s), medians; ratio columns against ${broker14.system})\n`);
  console.log(formatResults(rows, broker14.system));
  console.log('\nGoals, ratios in this run:\n');
  console.log(formatGoals(goals));
  if (failures.length > 0) {
    console.log('\nFailed broker-ts runs (rows are medians of the other runs):\n');
    for (const f of failures) console.log(`${f.system}, run ${f.run}: ${f.error}`);
  }
  console.log('\nbroker-ts sender RSS over the counted window (start → end, max), per run:\n');
  for (const r of rss) {
    console.log(`${r.system} [${r.of}]: ${r.runs.map((f) => `${mib(f.startMiB)} → ${mib(f.endMiB)} (max ${mib(f.maxMiB)})`).join('; ')}`);
  }

  const report: ThroughputReport = {
    date: started.toISOString(),
    commit: measured,
    machine: { cores: cpus().length, loadBefore, loadAfter: loadavg(), node: process.version, cborNative: codecNativeAcceleration },
    options: { runs: options.runs!, warmupMs: options.warmupMs!, measureMs: options.measureMs!, latencyCount: options.latencyCount! },
    rows,
    goals,
    rss,
    failures,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`saved ${out}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
