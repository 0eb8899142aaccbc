/**
 * Store memory: bytes per key of the memory backend and of a clone, beside the same keys
 * and values in a plain `Map<string, string>` (key text to the value's Broker binary
 * encoding as a latin1 string) measured in the same run: the baseline of what holding the
 * data costs in V8 at all. Keys are `key-<i>`, values `[count, "conn", 10.0.0.1, 80/tcp]`,
 * as in the store curve of `scale.ts`.
 *
 * Each case runs in a fresh Node process (`--expose-gc`), so that its memory is its own:
 * - `map`: the baseline;
 * - `backend`: a `MemoryBackend` filled by N puts;
 * - `master`: a master with a memory backend on an endpoint, filled by N puts through its
 *   `Store` (fire-and-forget in bursts of 8,192 closed by a query, as the store curve fills it);
 * - `clone`: a master holding N keys in a memory backend in another process (the store
 *   curve's participant), and a clone in this one, attached over TCP loopback until it
 *   is idle (the snapshot installed, every store event emitted).
 *
 * Columns: *heap B/key* and *RSS B/key*: growth of the heap in use and of the resident set
 * over the process before the data (master and clone: with the endpoint created), after two
 * forced collections; *loaded*: RSS and heap in use the moment the data was all there,
 * before any forced collection (what `scale.ts` reports); *peak*: the process's highest RSS.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/store-memory.ts [--keys 100000,1000000] [--cases map,backend,clone]
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { encodeBinary } from '@broker-ts/data';
import { Endpoint } from '@broker-ts/broker';
import { MemoryBackend } from '@broker-ts/broker/testing';
import { BenchChild } from './baselines/lib/bench-child';
import { checkoutCommit } from './lib/git-commit';
import { storeKey, storeValue } from './scale/store-participant';
import { quietLogger } from './throughput/quiet-logger';

/** The cases, in the order they are printed. */
const CASES = ['map', 'backend', 'master', 'clone'] as const;
type Case = (typeof CASES)[number];

/** What one case's process reports. */
interface Reading {
  heapPerKey: number;
  rssPerKey: number;
  loadedRss: number;
  loadedHeap: number;
  peakRss: number;
  ms: number;
}

/** How long a clone may take to attach before the case fails. */
const CLONE_TIMEOUT_MS = 600_000;

function collect(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage();
}

/** Sends one command to a store participant and waits for its answer. */
async function command(child: BenchChild, c: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = child.waitForLine(/^(result|failed) (.*)$/, CLONE_TIMEOUT_MS);
  child.send(JSON.stringify(c));
  const match = await answer;
  if (match[1] === 'failed') throw new Error(`${child.name}: ${match[2]}`);
  return JSON.parse(match[2]) as Record<string, unknown>;
}

/** Runs one case in this process; returns what it holds (kept alive until measured) and the time it took. */
async function build(which: Case, keys: number, ready: () => NodeJS.MemoryUsage): Promise<{ held: unknown; before: NodeJS.MemoryUsage; ms: number; done: () => Promise<void> }> {
  if (which === 'map') {
    const before = ready();
    const t0 = performance.now();
    const m = new Map<string, string>();
    for (let i = 0; i < keys; i++) m.set(storeKey(i), Buffer.from(encodeBinary(storeValue(i))).toString('latin1'));
    return { held: m, before, ms: performance.now() - t0, done: async () => {} };
  }
  if (which === 'backend') {
    const before = ready();
    const t0 = performance.now();
    const b = new MemoryBackend();
    for (let i = 0; i < keys; i++) b.put(storeKey(i), storeValue(i));
    return { held: b, before, ms: performance.now() - t0, done: async () => b.close() };
  }
  if (which === 'master') {
    const ep = new Endpoint({ name: 'store-memory-master', logger: quietLogger(), disableSsl: true });
    const before = ready();
    const t0 = performance.now();
    const store = await ep.attachMaster('scale', 'memory');
    for (let i = 0; i < keys; i++) {
      void store.put(storeKey(i), storeValue(i));
      if (i % 8192 === 8191) await store.exists('x');
    }
    if (!(await store.exists(storeKey(keys - 1)))) throw new Error('the master lacks the last key');
    return { held: store, before, ms: performance.now() - t0, done: () => ep.shutdown() };
  }
  const master = BenchChild.spawnNode('memory master', join(__dirname, 'scale', 'store-participant.ts'));
  const ep = new Endpoint({ name: 'store-memory-clone', logger: quietLogger(), disableSsl: true });
  try {
    const m = await command(master, { op: 'master', backend: 'memory', keys });
    const before = ready();
    const t0 = performance.now();
    if (!(await ep.peer('127.0.0.1', m.port as number))) throw new Error('cannot peer with the master');
    const store = await ep.attachClone('scale');
    if (!(await store.awaitIdle({ timeout: CLONE_TIMEOUT_MS }))) throw new Error('the clone did not become idle');
    if (!(await store.exists(storeKey(keys - 1)))) throw new Error('the clone lacks the last key');
    const ms = performance.now() - t0;
    return {
      held: store,
      before,
      ms,
      done: async () => {
        await ep.shutdown();
        master.send(JSON.stringify({ op: 'stop' }));
        await master.kill('SIGTERM', 10_000);
      },
    };
  } catch (error) {
    await ep.shutdown();
    await master.kill('SIGTERM', 10_000);
    throw error;
  }
}

/** The child's side: measures one case and prints it as `reading <json>`. */
async function child(which: Case, keys: number): Promise<void> {
  const { held, before, ms, done } = await build(which, keys, collect);
  const loaded = process.memoryUsage();
  const after = collect();
  const reading: Reading = {
    heapPerKey: (after.heapUsed - before.heapUsed) / keys,
    rssPerKey: (after.rss - before.rss) / keys,
    loadedRss: loaded.rss,
    loadedHeap: loaded.heapUsed,
    peakRss: process.resourceUsage().maxRSS * 1024,
    ms,
  };
  if (held === undefined) throw new Error('nothing held');
  await done();
  process.stdout.write(`reading ${JSON.stringify(reading)}\n`);
}

function runChild(which: Case, keys: number): Promise<Reading> {
  const args = ['--expose-gc', '--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), __filename, '--child', which, String(keys)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24, timeout: CLONE_TIMEOUT_MS + 120_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('reading '));
      if (error !== null || line === undefined) reject(new Error(`${which} ${keys}: ${error?.message ?? 'no reading'}\n${stderr}`));
      else resolve(JSON.parse(line.slice('reading '.length)) as Reading);
    });
  });
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const c = process.argv.indexOf('--child');
  if (c >= 0) return child(process.argv[c + 1] as Case, Number(process.argv[c + 2]));
  const sizes = (option('--keys') ?? '100000,1000000').split(',').map(Number);
  const cases = (option('--cases') ?? CASES.join(',')).split(',') as Case[];
  console.log(`store memory, commit ${checkoutCommit()}, keys ${sizes.join(', ')}`);
  console.log(`${'case'.padEnd(8)} ${'keys'.padStart(9)}  ${'heap B/key'.padStart(10)}  ${'RSS B/key'.padStart(9)}  ${'x map'.padStart(5)}  ${'loaded MiB'.padStart(10)}  ${'(heap)'.padStart(6)}  ${'peak MiB'.padStart(8)}  ${'ms'.padStart(7)}`);
  for (const keys of sizes) {
    let base: number | undefined;
    for (const which of cases) {
      const r = await runChild(which, keys);
      if (which === 'map') base = r.heapPerKey;
      const ratio = base === undefined ? '-' : (r.heapPerKey / base).toFixed(1);
      console.log(
        `${which.padEnd(8)} ${keys.toLocaleString('en').padStart(9)}  ${r.heapPerKey.toFixed(0).padStart(10)}  ${r.rssPerKey.toFixed(0).padStart(9)}  ${ratio.padStart(5)}  ${mib(r.loadedRss).padStart(10)}  ${mib(r.loadedHeap).padStart(6)}  ${mib(r.peakRss).padStart(8)}  ${r.ms.toFixed(0).padStart(7)}`,
      );
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
