/**
 * The per-event goal of the performance work in one run: two broker-ts endpoints over
 * loopback TCP (the `throughput.ts` row "broker-ts TCP, 2 processes") against the
 * codec-only rate (Broker's binary encode + decode of a pooled conn event, as
 * `data-codec.ts` measures it), both per CPU-second, alternated round by round so that
 * the load of a shared machine hits both alike (the codec is measured before and after
 * each round's rows, and their mean is the round's yardstick), in a process of its own
 * started as the rows' processes are (`per-event/codec-rates.ts`). Each round gives one ratio
 * per row; the verdict is on the median ratio (goal ≥ 0.8).
 *
 * Two rows: the receiver counting decoded values (`Endpoint.subscribe`, the throughput
 * table's row), and the receiver counting undecoded messages (`Endpoint.subscribeLazy`,
 * which decodes a message's value when it is read: here only the last one, for the
 * check). The sender is the same: a fresh event, checked and encoded, per publication.
 *
 * Beside them, per round, the work one publication asks for in one thread (a fresh event
 * built, checked and encoded in one walk as the publish calls do, and decoded): the part
 * of the gap that is the application's and the facade's work rather than the transport's.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/per-event.ts
 * Options: --rounds N (5), --warmup S (1), --seconds S (3), --codec-ms MS (1000),
 * --tls (the TLS row instead of plain TCP), --out FILE, --commit HASH. The sender's
 * publisher holds 1024 messages, or `BENCH_PUBLISHER_CAPACITY` of the environment
 * (a publisher's default is 64).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { median } from './baselines/lib/bench-result';
import { measureThroughputOnce } from './baselines/lib/measure-throughput';
import { checkoutCommit } from './lib/git-commit';
import { brokerTsTcp } from './throughput/broker-ts-systems';
import { PUBLISHER_CAPACITY } from './throughput/publish-conn-events';

/** The goal: the TCP row at least this fraction of the codec-only rate. */
const GOAL = 0.8;

function parseCommandLine(argv: string[]): { rounds: number; warmupMs: number; measureMs: number; codecMs: number; tls: boolean; out: string; commit?: string } {
  const usage = 'usage: per-event.ts [--rounds N] [--warmup S] [--seconds S] [--codec-ms MS] [--tls] [--out FILE] [--commit HASH]';
  try {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        rounds: { type: 'string' }, warmup: { type: 'string' }, seconds: { type: 'string' }, 'codec-ms': { type: 'string' },
        tls: { type: 'boolean' }, out: { type: 'string' }, commit: { type: 'string' },
      },
    });
    const positive = (flag: string, text: string | undefined, fallback: number): number => {
      if (text === undefined) return fallback;
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} needs a positive number, got ${JSON.stringify(text)}`);
      return n;
    };
    return {
      rounds: Math.round(positive('rounds', v.rounds, 5)),
      warmupMs: positive('warmup', v.warmup, 1) * 1000,
      measureMs: positive('seconds', v.seconds, 3) * 1000,
      codecMs: positive('codec-ms', v['codec-ms'], 1000),
      tls: v.tls ?? false,
      out: v.out ?? join(__dirname, 'out', 'per-event.json'),
      commit: v.commit,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/**
 * The codec-only and one-publication rates, measured in a fresh process started as the
 * rows' processes are (`per-event/codec-rates.ts`).
 */
function codecRates(ms: number): { codec: number; publication: number } {
  const out = execFileSync(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), join(__dirname, 'per-event', 'codec-rates.ts'), String(ms)], { encoding: 'utf8' });
  const m = /^codec ([\d.e+]+) publication ([\d.e+]+)$/m.exec(out);
  if (m === null) throw new Error(`codec-rates.ts printed ${JSON.stringify(out)}`);
  return { codec: Number(m[1]), publication: Number(m[2]) };
}

function k(x: number): string {
  return `${(x / 1000).toFixed(1)} k`;
}

interface Round {
  load: number;
  codecOnly: number;
  publication: number;
  /** Per row: msgs per CPU-second, msgs per second, ratio to the codec-only rate. */
  rows: Array<{ perCpu: number; perSec: number; ratio: number }>;
}

async function main(): Promise<void> {
  const options = parseCommandLine(process.argv.slice(2));
  const systems = [brokerTsTcp(false, options.tls), brokerTsTcp(false, options.tls, true)];
  console.error(`per-event: ${options.rounds} rounds of ${systems.map((x) => x.name).join(' and ')} (${options.warmupMs / 1000} s warm-up, ${options.measureMs / 1000} s counted) against the codec alone (${options.codecMs} ms)`);
  const rounds: Round[] = [];
  for (let r = 1; r <= options.rounds; r++) {
    const load = loadavg()[0];
    // The codec alone before and after the rows; the round's yardstick is their mean.
    const before = codecRates(options.codecMs);
    const measured = [];
    for (const system of systems) measured.push(await measureThroughputOnce(system, { warmupMs: options.warmupMs, measureMs: options.measureMs }));
    const after = codecRates(options.codecMs);
    const codec = (before.codec + after.codec) / 2;
    const pub = (before.publication + after.publication) / 2;
    const rows: Round['rows'] = measured.map((row) => ({ perCpu: row.msgsPerCpuSec, perSec: row.msgsPerSec, ratio: row.msgsPerCpuSec / codec }));
    rounds.push({ load, codecOnly: codec, publication: pub, rows });
    console.error(`round ${r}: load ${load.toFixed(2)}, codec ${k(codec)}/CPU-s, one publication in one thread ${k(pub)}/CPU-s, ${systems.map((x, i) => `${x.name} ${k(rows[i].perCpu)}/CPU-s (${k(rows[i].perSec)}/s): ${rows[i].ratio.toFixed(2)}x`).join('; ')}`);
  }

  const col = (text: string, width: number): string => text.padStart(width);
  const header = `${'round'.padEnd(6)}${col('load', 6)}${col('codec /CPU-s', 14)}${col('one publication', 17)}${systems.map((_, i) => `${col(`row ${i + 1} /CPU-s`, 15)}${col('msgs/s', 10)}${col('ratio', 7)}`).join('')}`;
  const lines = rounds.map(
    (x, i) => `${String(i + 1).padEnd(6)}${col(x.load.toFixed(2), 6)}${col(k(x.codecOnly), 14)}${col(k(x.publication), 17)}${x.rows.map((row) => `${col(k(row.perCpu), 15)}${col(k(row.perSec), 10)}${col(row.ratio.toFixed(2), 7)}`).join('')}`,
  );
  const ratios = systems.map((_, i) => median(rounds.map((x) => x.rows[i].ratio)));
  const publicationRatio = median(rounds.map((x) => x.publication / x.codecOnly));
  console.log(`Per-event cost: broker-ts over TCP against Broker's binary encode + decode alone, per CPU-second\n`);
  console.log(systems.map((x, i) => `row ${i + 1}: ${x.name}`).join('\n'));
  console.log(`codec: encode + decode of a pooled event; one publication: build + check and encode + decode, in one thread`);
  console.log(`the sender's publisher capacity: ${PUBLISHER_CAPACITY}${process.env.BENCH_PUBLISHER_CAPACITY ? ' (BENCH_PUBLISHER_CAPACITY)' : ''}\n`);
  console.log([header, ...lines].join('\n'));
  console.log(`\none publication in one thread / codec only: median ${publicationRatio.toFixed(2)}x`);
  systems.forEach((x, i) => console.log(`${ratios[i] >= GOAL ? 'met    ' : 'NOT MET'}  ${x.name} / codec only, per CPU-second: median ${ratios[i].toFixed(2)}x ≥ ${GOAL}x`));

  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify({ date: new Date().toISOString(), commit: options.commit ?? checkoutCommit(), systems: systems.map((x) => x.name), options, rounds, ratios, publicationRatio, goal: GOAL }, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
