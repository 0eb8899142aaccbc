/**
 * Data stores through endpoints: put and get operations per second on each backend, on
 * the master and through a clone, printed side by side, with the backend called directly
 * (no actors, no network) as the baseline measured in the same run.
 *
 * - master: a `Store` frontend of the master on its own endpoint, measured before any
 *   clone exists (no replication in these figures). A round issues its puts
 *   (fire-and-forget, as in Broker) and ends when a query queued behind them answers, so
 *   every put was applied to the backend.
 * - clone: a clone on a second endpoint peered with the master's over TCP loopback, in
 *   this process. A round issues its puts and ends when `awaitIdle` says the master
 *   acknowledged every one and the replica shows them (so the figure includes the trip
 *   to the master and back, and up to one 100 ms store tick per round). Rounds have 1,000 to
 *   4,000 puts (a clone holds at most 4,096 unacknowledged writes).
 * - get: batches of 256 concurrent `get`s; a clone answers from its replica.
 * - direct: the backend's own synchronous put/get (the baseline).
 *
 * Every put writes the next of 10,000 keys in turn; every get reads a written key.
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/store-clone.ts [--quick]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { address, count, port, type Data, Endpoint, type BackendKind, type Store } from '@broker-ts/broker';
import { makeBackend } from '@broker-ts/broker/testing';
import { measure, measureRounds, printTable, type Measurement } from './lib/harness';

const KEYS = 10_000;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ROUND_MS = quick ? 300 : 800;
const GET_BATCH = 256;
const CLONE_WINDOW = 4000;
/** Fewest puts per clone round, so that the wait for the acknowledging tick (<= 100 ms) weighs little. */
const CLONE_MIN = 1000;

interface Case {
  name: string;
  kind: BackendKind;
  options: (dir: string, tag: string) => Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'memory', kind: 'memory', options: () => ({}) },
  { name: 'sqlite (FULL, DELETE)', kind: 'sqlite', options: (dir, tag) => ({ path: path.join(dir, `${tag}-default.sqlite`) }) },
  { name: 'sqlite (OFF, WAL)', kind: 'sqlite', options: (dir, tag) => ({ path: path.join(dir, `${tag}-off-wal.sqlite`), synchronous: 'off', journalMode: 'wal' }) },
  { name: 'lmdb', kind: 'lmdb', options: (dir, tag) => ({ path: path.join(dir, `${tag}-lmdb`) }) },
  { name: 'lmdb (noSync)', kind: 'lmdb', options: (dir, tag) => ({ path: path.join(dir, `${tag}-lmdb-nosync`), noSync: true }) },
];

const keys: Data[] = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
/** A small Zeek-like record, as in benchmarks/store-backends.ts. */
const value = (i: number): Data => [count(i), 'conn', address('10.0.0.1'), port(80, 'tcp')];

/**
 * Measures an asynchronous round body. Rounds double in size until one takes at least
 * half of ROUND_MS (or reaches `maxPerRound`), are then sized to about ROUND_MS, and
 * ROUNDS rounds are timed.
 * @param run - does `n` operations and resolves when they are complete
 */
async function measureAsync(name: string, run: (n: number) => Promise<void>, maxPerRound: number, minPerRound = 64): Promise<Measurement> {
  let n = minPerRound;
  let took = 0;
  for (;;) {
    const t0 = performance.now();
    await run(n);
    took = performance.now() - t0;
    if (took >= ROUND_MS / 2 || n >= maxPerRound) break;
    n = Math.min(maxPerRound, n * 2);
  }
  n = Math.max(minPerRound, Math.min(maxPerRound, Math.round((n * ROUND_MS) / Math.max(took, 1))));
  const m = await measureRounds(name, n, () => run(n), { rounds: ROUNDS, warmups: 0 });
  process.stderr.write(`${name}: ${Math.round(m.opsPerSec)} ops/s (${n} per round)\n`);
  return m;
}

/** Puts through a store frontend; `settle` resolves once they are complete. */
function putRounds(store: Store, settle: () => Promise<unknown>): (n: number) => Promise<void> {
  let i = 0;
  return async (n) => {
    for (let j = 0; j < n; j++, i++) void store.put(keys[i % KEYS], value(i));
    await settle();
  };
}

/** Gets through a store frontend, GET_BATCH at a time. */
function getRounds(store: Store): (n: number) => Promise<void> {
  let i = 0;
  return async (n) => {
    for (let done = 0; done < n; done += GET_BATCH) {
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < Math.min(GET_BATCH, n - done); j++, i++) batch.push(store.get(keys[i % KEYS]));
      await Promise.all(batch);
    }
  };
}

async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-bench-store-clone-'));
  const puts: Measurement[] = [];
  const gets: Measurement[] = [];
  try {
    for (const c of cases) {
      // Baseline: the backend alone.
      const backend = makeBackend(c.kind, c.options(dir, 'direct'));
      try {
        let i = 0;
        const timing = { roundMs: ROUND_MS, rounds: ROUNDS, warmupMs: 100 };
        puts.push(measure(`${c.name}: direct`, () => backend.put(keys[i % KEYS], value(i++)), timing));
        for (let k = i; k < KEYS; k++) backend.put(keys[k], value(k));
        let j = 0;
        gets.push(measure(`${c.name}: direct`, () => backend.get(keys[j++ % KEYS]), timing));
      } finally {
        backend.close();
      }

      const masterEp = new Endpoint({ name: 'bench-master' });
      const cloneEp = new Endpoint({ name: 'bench-clone' });
      try {
        // The master alone first: its figures do not include replication.
        const master = await masterEp.attachMaster('bench', c.kind, c.options(dir, 'endpoint'));
        puts.push(await measureAsync(`${c.name}: master`, putRounds(master, () => master.exists('x')), 200_000));
        for (let k = 0; k < KEYS; k++) void master.put(keys[k], value(k)); // every key exists from here on
        await master.exists('x');
        gets.push(await measureAsync(`${c.name}: master`, getRounds(master), 500_000));
        // Then a clone on a second endpoint; it starts from a snapshot of every key.
        const listenPort = await masterEp.listen();
        if (!(await cloneEp.peer('127.0.0.1', listenPort))) throw new Error('peering failed');
        const clone = await cloneEp.attachClone('bench', { resyncInterval: 100 });
        if (!(await clone.awaitIdle({ timeout: 60_000 }))) throw new Error('clone did not connect');
        gets.push(await measureAsync(`${c.name}: clone`, getRounds(clone), 500_000));
        puts.push(await measureAsync(`${c.name}: clone`, putRounds(clone, () => clone.awaitIdle({ timeout: 120_000 })), CLONE_WINDOW, CLONE_MIN));
      } finally {
        await Promise.all([masterEp.shutdown(), cloneEp.shutdown()]);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`data stores through endpoints, ${KEYS} keys, value [count, "conn", 10.0.0.1, 80/tcp], node ${process.version}, ${os.cpus().length} cores, ${ROUNDS} rounds of ~${ROUND_MS} ms`);
  console.log('master: frontend on the master endpoint; clone: frontend on a second endpoint peered over TCP loopback (same process); direct: the backend alone (baseline)');
  printTable('put (ops/s)', puts, 'memory: direct');
  printTable('get (ops/s)', gets, 'memory: direct');
}

run().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
