/**
 * Group commit: durable puts per second on a SQLite file with Broker's defaults
 * (synchronous FULL, journal DELETE: a transaction is on disk when it returns) and on LMDB
 * with a flush per commit, one transaction per put (the baseline, measured in the same
 * run) beside group commits, at the same durability.
 *
 * - backend, one transaction per put: `backend.put` (the baseline).
 * - backend, group commit: `backend.batch` of 512 puts (one transaction, one flush).
 * - master, acked one at a time: a master's `put(k, v, { ack: true })` awaited before the
 *   next (each put alone in its group commit).
 * - master, acked bursts: bursts of 2,048 acknowledged puts issued together; a burst ends
 *   when all are acknowledged, i.e. durable.
 *
 * Then the event loop during a burst: 30,000 fire-and-forget puts and an acknowledged one
 * on a SQLite master with the defaults, with a 1 ms interval timer on the same loop; the
 * largest gap between two of its calls, beside the time the same puts take one
 * transaction each (what the loop was blocked for before group commit).
 *
 * Every put writes the next of 10,000 keys in turn, a small Zeek-like record.
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/store-group-commit.ts [--quick]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { address, count, port, type Data, Endpoint, type BackendKind } from '@broker-ts/broker';
import { makeBackend } from '@broker-ts/broker/testing';
import { formatRate, measure, measureAsync, printTable, type Measurement } from './lib/harness';

const KEYS = 10_000;
const BATCH = 512;
const BURST = 2048;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ROUND_MS = quick ? 400 : 1000;

const keys: Data[] = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
/** A small Zeek-like record: what a cluster typically keeps in a store. */
const value = (i: number): Data => [count(i), 'conn', address('10.0.0.1'), port(80, 'tcp')];

/** Rounds of an asynchronous body; each call does `opsPerCall` operations. Median rate and spread. */
function measureStoreAsync(name: string, body: () => Promise<void>, opsPerCall: number): Promise<Measurement> {
  return measureAsync(name, body, { roundMs: ROUND_MS, rounds: ROUNDS, opsPerCall });
}

function backendCases(kind: BackendKind, file: (tag: string) => string): Measurement[] {
  const timing = { roundMs: ROUND_MS, rounds: ROUNDS, warmupMs: quick ? 100 : 300 };
  const out: Measurement[] = [];
  const single = makeBackend(kind, { path: file('single') });
  try {
    let i = 0;
    out.push(measure(`${kind} backend, one transaction per put`, () => single.put(keys[i++ % KEYS], value(i)), timing));
  } finally {
    single.close();
  }
  const grouped = makeBackend(kind, { path: file('grouped') });
  try {
    let i = 0;
    out.push(
      measure(
        `${kind} backend, group commit of ${BATCH}`,
        () =>
          grouped.batch(() => {
            for (let j = 0; j < BATCH; j++) grouped.put(keys[i++ % KEYS], value(i));
          }),
        { ...timing, opsPerCall: BATCH },
      ),
    );
  } finally {
    grouped.close();
  }
  return out;
}

async function masterCases(kind: BackendKind, file: (tag: string) => string): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const ep = new Endpoint({ name: `bench-${kind}` });
  try {
    const one = await ep.attachMaster(`one-${kind}`, kind, { path: file('master-one') });
    let i = 0;
    out.push(await measureStoreAsync(`${kind} master, acked one at a time`, () => one.put(keys[i++ % KEYS], value(i), { ack: true }), 1));
    const burst = await ep.attachMaster(`burst-${kind}`, kind, { path: file('master-burst') });
    let j = 0;
    out.push(
      await measureStoreAsync(
        `${kind} master, acked bursts of ${BURST}`,
        async () => {
          const acks: Promise<void>[] = [];
          for (let k = 0; k < BURST; k++) acks.push(burst.put(keys[j++ % KEYS], value(j), { ack: true }));
          await Promise.all(acks);
        },
        BURST,
      ),
    );
  } finally {
    await ep.shutdown();
  }
  return out;
}

/**
 * The largest gap between two calls of a 1 ms interval timer while a master writes 30,000
 * puts, counted from the end of the caller's own loop that issues them (that loop is the
 * caller's synchronous code, reported apart).
 */
async function eventLoopGap(file: string): Promise<{ gapMs: number; burstMs: number; issueMs: number }> {
  const ep = new Endpoint({ name: 'bench-gap' });
  try {
    const master = await ep.attachMaster('gap', 'sqlite', { path: file });
    let last = performance.now();
    let gap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 1);
    const start = performance.now();
    for (let i = 0; i < 30_000; i++) void master.put(keys[i % KEYS], value(i));
    const acked = master.put('last', count(30_000), { ack: true });
    const issued = performance.now();
    last = issued;
    await acked;
    const burstMs = performance.now() - start;
    clearInterval(timer);
    return { gapMs: gap, burstMs, issueMs: issued - start };
  } finally {
    await ep.shutdown();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-bench-group-commit-'));
  try {
    const sqliteFile = (tag: string): string => path.join(dir, `${tag}.sqlite`);
    const lmdbDir = (tag: string): string => path.join(dir, `${tag}.lmdb`);
    const sqlite = [...backendCases('sqlite', sqliteFile), ...(await masterCases('sqlite', sqliteFile))];
    const lmdb = [...backendCases('lmdb', lmdbDir), ...(await masterCases('lmdb', lmdbDir))];
    const { gapMs, burstMs, issueMs } = await eventLoopGap(sqliteFile('gap'));
    console.log(`store group commit, ${KEYS} keys, value [count, "conn", 10.0.0.1, 80/tcp], node ${process.version}, ${os.cpus().length} cores, ${ROUNDS} rounds of ${ROUND_MS} ms`);
    printTable('sqlite, Broker defaults (synchronous FULL, journal DELETE): durable puts/s', sqlite, 'sqlite backend, one transaction per put');
    printTable('lmdb, flush on each commit: durable puts/s', lmdb, 'lmdb backend, one transaction per put');
    const perPut = sqlite[0].opsPerSec;
    console.log(
      `\nevent loop, 30,000 puts + 1 acked on a SQLite master (defaults): burst ${(burstMs / 1000).toFixed(2)} s (${formatRate(30_001 / (burstMs / 1000))}), ` +
        `issuing loop ${issueMs.toFixed(0)} ms, then largest gap of a 1 ms timer ${gapMs.toFixed(1)} ms; one transaction per put would block ${(30_000 / perPut).toFixed(1)} s`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
