/**
 * One side of the store curve of `benchmarks/scale.ts`, a broker-ts endpoint in its own
 * process, so that its memory is its own. Driven by JSON commands on stdin, one a line;
 * answers each with `result <json>` on stdout (`failed <message>` on error). The same
 * protocol is spoken by `store-participant-broker.py` (Broker's Python bindings).
 *
 * - `{"op":"master","backend":"memory"|"sqlite"|"lmdb","path"?:..,"keys":N}`: attach a
 *   master (a persistent backend's file is already filled by the runner; the memory
 *   backend is filled here with N puts), listen on loopback; answers the port, the fill
 *   time, and RSS and heap before (endpoint created) and after.
 * - `{"op":"rates","keys":N,"ms":T}` (master): puts overwriting random keys in bursts
 *   (each burst closed by a query answered behind it), then gets of random keys one at a
 *   time (each awaited, as Broker's Python `get`), about T ms each.
 * - `{"op":"clone","port":P,"keys":N,"timeoutMs":T}`: peer with the master, attach a clone, and time until
 *   it holds the last key (a clone installs the master's snapshot at once), failing after T ms.
 * - `{"op":"unpeer","port":P}` (clone), `{"op":"update","key":K}` (master: one put while
 *   the clone is away), `{"op":"repeer","port":P,"key":K,"timeoutMs":T}` (clone: peer again and
 *   time until the clone holds K, failing after T ms).
 * - `{"op":"loopDelay","reset"?:true}`: the longest event-loop delay since the last reset, ms
 *   (the runner resets it before a clone attaches and reads it after).
 * - `{"op":"stop"}`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { address, BrokerError, count, port, type Data, Endpoint, type BackendKind, type Store } from '@broker-ts/broker';

import { quietLogger } from '../throughput/quiet-logger';

/** The store's name on both sides. */
const STORE = 'scale';

/** Key number `i`. */
export function storeKey(i: number): string {
  return `key-${i}`;
}

/** The value stored under key `i`: a small Zeek-like record, as in `store-backends.ts`. */
export function storeValue(i: number): Data {
  return [count(i), 'conn', address('10.0.0.1'), port(80, 'tcp')];
}

/** Resident set size and JS heap in use, bytes. */
function memory(): { rss: number; heap: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** A small deterministic generator of key numbers below `n`. */
function randomKeys(n: number): () => number {
  let x = 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/**
 * Polls `store` until it holds `key`; resolves with the milliseconds since `t0`. A clone
 * without its master yet answers with a `BrokerError` (as Broker's clone), polled again.
 */
async function until(store: Store, key: string, t0: number, timeoutMs = 300_000): Promise<number> {
  for (;;) {
    let last: unknown;
    try {
      if (await store.exists(key)) return performance.now() - t0;
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      last = error;
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`store did not get ${key} within ${timeoutMs} ms (${String(last)})`);
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'scale-store', logger: quietLogger(), disableSsl: true });
  let store: Store | undefined;
  const idle = memory();
  // The longest turn of this process's event loop since the last reset (10 ms resolution).
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const commands: Record<string, (c: Record<string, unknown>) => Promise<unknown>> = {
    async master(c) {
      const keys = c.keys as number;
      const t0 = performance.now();
      const s = await ep.attachMaster(STORE, c.backend as BackendKind, c.path === undefined ? {} : { path: c.path as string });
      store = s;
      if (c.backend === 'memory') {
        for (let i = 0; i < keys; i++) {
          void s.put(storeKey(i), storeValue(i));
          if (i % 8192 === 8191) await s.exists('x');
        }
      }
      if (!(await s.exists(storeKey(keys - 1)))) throw new Error(`the master lacks ${storeKey(keys - 1)}`);
      const fillMs = performance.now() - t0;
      const port = await ep.listen('127.0.0.1', 0);
      return { port, fillMs, idle, loaded: memory() };
    },
    async rates(c) {
      const s = store!;
      const next = randomKeys(c.keys as number);
      const budget = c.ms as number;
      let puts = 0;
      let burst = 16;
      const p0 = performance.now();
      while (performance.now() - p0 < budget) {
        for (let j = 0; j < burst; j++) {
          const i = next();
          void s.put(storeKey(i), storeValue(i + puts));
        }
        await s.exists('x');
        puts += burst;
        if (performance.now() - p0 < budget / 4) burst = Math.min(burst * 2, 4096);
      }
      const putRate = puts / ((performance.now() - p0) / 1000);
      let gets = 0;
      const g0 = performance.now();
      while (performance.now() - g0 < budget) {
        for (let j = 0; j < 64; j++) if ((await s.get(storeKey(next()))) === undefined) throw new Error('a get missed');
        gets += 64;
      }
      return { put: putRate, get: gets / ((performance.now() - g0) / 1000) };
    },
    async clone(c) {
      const t0 = performance.now();
      if (!(await ep.peer('127.0.0.1', c.port as number))) throw new Error(`cannot peer with 127.0.0.1:${c.port}`);
      // Broker's defaults (resyncInterval 10 s), as in Broker's Python column. A clone asks
      // for a snapshot again every resyncInterval until one arrives and the master answers
      // each ask with a whole snapshot, so an interval shorter than a large snapshot takes
      // to arrive multiplies the work.
      store = await ep.attachClone(STORE);
      const attachMs = await until(store, storeKey((c.keys as number) - 1), t0, c.timeoutMs as number);
      return { attachMs, idle, loaded: memory() };
    },
    async loopDelay(c) {
      const maxMs = loop.max / 1e6;
      if (c.reset === true) loop.reset();
      return { maxMs };
    },
    async unpeer(c) {
      if (!(await ep.unpeer('127.0.0.1', c.port as number))) throw new Error('unpeer failed');
      // Wait until the peering is really gone, so that the master's update cannot reach the clone.
      while ((await ep.peers()).length > 0) await sleep(5);
      return {};
    },
    async update(c) {
      await store!.put(c.key as string, count(1));
      await store!.exists('x');
      return {};
    },
    async repeer(c) {
      const t0 = performance.now();
      if (!(await ep.peer('127.0.0.1', c.port as number))) throw new Error(`cannot peer again with 127.0.0.1:${c.port}`);
      return { resyncMs: await until(store!, c.key as string, t0, c.timeoutMs as number) };
    },
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const c = JSON.parse(line) as Record<string, unknown>;
    if (c.op === 'stop') break;
    try {
      process.stdout.write(`result ${JSON.stringify(await commands[c.op as string](c))}\n`);
    } catch (error) {
      process.stdout.write(`failed ${String(error).replace(/\n/g, ' ')}\n`);
    }
  }
  await ep.shutdown();
  process.exit(0);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
