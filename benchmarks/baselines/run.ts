/**
 * Measures the baselines broker-ts is compared with and prints them as a table.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/baselines/run.ts [options] [ids...]
 *
 * Options: --quick (1 run, 1 s warm-up, 3 s counted, 100 round trips), --runs N,
 * --warmup SECONDS, --seconds SECONDS, --latency-count N, --all (every baseline),
 * --list, --skip-setup, --verbose, --reference ID (ratios against that row;
 * default broker14). Ids select baselines (see --list); default: the default set.
 */
import { BASELINES, BaselineOptions } from './catalog';
import { BenchResult } from './lib/bench-result';
import { codecNativeAcceleration } from './lib/event-codec';
import { formatResults } from './lib/print-results';
import { runSetup } from './lib/run-setup';

function usage(message: string): never {
  console.error(`${message}\nusage: run.ts [--quick] [--runs N] [--warmup S] [--seconds S] [--latency-count N] [--all] [--list] [--skip-setup] [--verbose] [--reference ID] [ids...]`);
  process.exit(2);
}

function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0) usage(`${flag} needs a positive number`);
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: BaselineOptions = { runs: 3, warmupMs: 3000, measureMs: 10_000, latencyCount: 500 };
  const ids: string[] = [];
  let all = false;
  let setup = true;
  let reference = 'broker14';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') Object.assign(options, { runs: 1, warmupMs: 1000, measureMs: 3000, latencyCount: 100 });
    else if (a === '--runs') options.runs = Math.round(positiveNumber(a, args[++i]));
    else if (a === '--warmup') options.warmupMs = positiveNumber(a, args[++i]) * 1000;
    else if (a === '--seconds') options.measureMs = positiveNumber(a, args[++i]) * 1000;
    else if (a === '--latency-count') options.latencyCount = Math.round(positiveNumber(a, args[++i]));
    else if (a === '--all') all = true;
    else if (a === '--skip-setup') setup = false;
    else if (a === '--verbose') options.verbose = true;
    else if (a === '--reference') reference = args[++i] ?? usage('--reference needs an id');
    else if (a === '--list') {
      for (const [id, b] of Object.entries(BASELINES)) console.log(`${id.padEnd(24)}${b.byDefault ? '*' : ' '} ${b.description}`);
      console.log('(* = in the default set)');
      return;
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (a in BASELINES) ids.push(a);
    else usage(`unknown baseline ${a} (see --list)`);
  }
  const selected = ids.length > 0 ? ids : Object.keys(BASELINES).filter((id) => all || BASELINES[id].byDefault);
  if (setup) runSetup();
  options.log = (line) => console.error(line);
  console.error(
    `baselines: ${selected.join(', ')}; ${options.runs} run(s), ${options.warmupMs! / 1000} s warm-up, ${options.measureMs! / 1000} s counted; cbor-x native acceleration: ${codecNativeAcceleration}`,
  );
  const rows: BenchResult[] = [];
  const referenceName: { name?: string } = {};
  for (const id of selected) {
    const row = await BASELINES[id].measure(options);
    if (id === reference) referenceName.name = row.system;
    console.error(`${id}: ${Math.round(row.msgsPerSec)} msgs/s, ${Math.round(row.msgsPerCpuSec)} msgs/CPU-s${row.latencyUs ? `, RTT median ${row.latencyUs.median.toFixed(0)} µs` : ''}`);
    rows.push({ system: row.system, msgsPerSec: row.msgsPerSec, msgsPerCpuSec: row.msgsPerCpuSec, ...(row.latencyUs ? { latencyUs: row.latencyUs } : {}) });
  }
  console.log(formatResults(rows, referenceName.name));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
