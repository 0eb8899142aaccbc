/**
 * Scale curves of broker-ts: how the cost of a published event grows with the number of
 * topic filters a peer has (10, 1,000, 10,000, 100,000), with the number of subscribing
 * peers and of cluster workers, and how data stores behave as they grow, each beside a
 * baseline measured in the same run.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/scale.ts [--quick] [--svg FILE]
 *       [--levels matcher,router,e2e,fanout,cluster,stores] [--store-keys 10000,100000]
 *       [--store-rows broker-ts/memory,Broker 1.4]
 *
 * The filter levels publish 4,096 distinct topics round-robin (more than the per-topic
 * caches of the router and the endpoint hold, so every lookup really matches):
 * 1. the matcher: `TopicFilter.matches` (radix tree) beside a linear scan of the same
 *    prefixes (the matcher broker-ts used before, and Broker's `prefix_matcher`), half of
 *    the topics matching;
 * 2. the core: `Router.peersFor` for a peer that advertised N filters, beside N = 10;
 * 3. end to end: two endpoints in this process peered over loopback TCP, the receiver
 *    subscribed to N topics, conn.log events published on the matching topics; events per
 *    second and per CPU-second of the process, beside N = 10.
 * 4. fan-out: one publisher to 1, 2, 5, 10, 20, 50 receivers, as processes (each an
 *    endpoint peered over TCP) and as worker-thread endpoints of the publishing process:
 *    events delivered per second and per CPU-second of all processes, beside one receiver.
 * 5. cluster: one manager process, N worker processes publishing to it as fast as
 *    backpressure allows: events per second at the manager and the manager's CPU per
 *    event, the model's input (the manager saturates a core at 1 / cost events/s).
 * 6. stores: a master holding 10 k and 100 k keys (1 M with `--store-keys 1000000`, which
 *    takes minutes on its own) in one process, a clone in another:
 *    clone attach and resync time, RSS and heap, put and get rates through the master, for
 *    each backend, beside Broker's Python bindings (Broker 1.4 from python3-broker, and
 *    the newest Broker's when built; a column is skipped, saying so, when absent).
 * --quick: shorter rounds and fewer points, no store resync (about a minute). --svg writes the curves as a
 * chart. --levels picks the levels; --store-keys the store sizes; --store-rows the store
 * rows (a system, or system/backend).
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir } from 'node:os';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { type BackendKind, Endpoint } from '@broker-ts/broker';
import { makeBackend, Router, TopicFilter } from '@broker-ts/broker/testing';

import { BenchChild } from './baselines/lib/bench-child';
import { makeConnEvent } from './lib/conn-event';
import { formatRate, type Measurement, measure, printTable } from './lib/harness';
import { storeKey, storeValue } from './scale/store-participant';
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
  const receiver = new Endpoint({ name: 'scale-receiver', logger, disableSsl: true });
  const sender = new Endpoint({ name: 'scale-sender', logger, disableSsl: true });
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

/** Receiver counts of the fan-out curve. */
const FANOUT_COUNTS = [1, 2, 5, 10, 20, 50];

/** Receivers as processes (each an endpoint peered over TCP) or as worker-thread endpoints of the publishing process. */
type FanoutMode = 'processes' | 'workers';

/** One point of the fan-out curve. */
interface FanoutPoint {
  mode: FanoutMode;
  receivers: number;
  /** Events delivered per second, summed over the receivers. */
  delivered: number;
  /** Events delivered per CPU-second of all processes (sender and receivers). */
  perCpu: number;
  /** Events published per second by the sender (processes only: the worker host counts deliveries). */
  published: number | null;
}

/** Counts and CPU of all processes at one moment. */
async function sampleAll(children: readonly BenchChild[]): Promise<{ counts: number[]; cpu: number }> {
  const samples = await Promise.all(children.map((c) => c.sample(60_000)));
  return { counts: samples.map((s) => s.count), cpu: samples.reduce((sum, s) => sum + s.cpuSeconds, 0) };
}

/** Level 4: one publisher and `k` receivers, each its own endpoint. */
async function fanout(mode: FanoutMode, k: number, warmupMs: number, countMs: number): Promise<FanoutPoint> {
  const children: BenchChild[] = [];
  try {
    let receiving: number;
    if (mode === 'processes') {
      const receivers = Array.from({ length: k }, (_, i) => BenchChild.spawnNode(`receiver ${i}`, join(__dirname, 'throughput', 'bts-receiver.ts')));
      children.push(...receivers);
      const ports = await Promise.all(receivers.map((r) => r.ready(300_000)));
      const sender = BenchChild.spawnNode('sender', join(__dirname, 'scale', 'fanout-sender.ts'), ports.map(String));
      children.push(sender);
      await sender.ready(120_000);
      receiving = k;
    } else {
      const host = BenchChild.spawnNode('worker host', join(__dirname, 'scale', 'fanout-worker-host.ts'), [String(k)]);
      children.push(host);
      await host.ready(600_000);
      receiving = 1;
    }
    await sleep(warmupMs);
    const before = await sampleAll(children);
    const t0 = performance.now();
    await sleep(countMs);
    const after = await sampleAll(children);
    const seconds = (performance.now() - t0) / 1000;
    const delivered = after.counts.slice(0, receiving).reduce((sum, n, i) => sum + n - before.counts[i], 0);
    const published = mode === 'processes' ? (after.counts[k] - before.counts[k]) / seconds : null;
    if (delivered === 0) throw new Error(`nothing delivered to ${k} receivers (${mode})`);
    return { mode, receivers: k, delivered: delivered / seconds, perCpu: delivered / (after.cpu - before.cpu), published };
  } finally {
    // The sender first, so that the receivers' final check sees a complete last event.
    for (const c of children.reverse()) await c.stop(10_000);
  }
}

/** Level 4 for every receiver count and both modes, printed beside one receiver of the same mode. */
async function fanoutCurve(counts: readonly number[], warmupMs: number, countMs: number): Promise<FanoutPoint[]> {
  const points: FanoutPoint[] = [];
  for (const mode of ['processes', 'workers'] as const) {
    for (const k of counts) {
      const p = await fanout(mode, k, warmupMs, countMs);
      console.error(`fan-out: ${k} ${mode}: ${formatRate(p.delivered)} delivered, ${formatRate(p.perCpu)} per CPU-second`);
      points.push(p);
    }
  }
  console.log('\nfan-out: one publishing endpoint, N receiving endpoints (processes over TCP, or worker threads of the publishing process), conn.log events');
  console.log(
    `${'mode'.padEnd(9)}  ${'receivers'.padEnd(9)}  ${'published/s'.padStart(11)}  ${'delivered/s'.padStart(11)}  ${'deliv/CPU-s'.padStart(11)}  ${'x 1 /s'.padStart(7)}  ${'x 1 /CPU'.padStart(8)}`,
  );
  for (const p of points) {
    const base = points.find((b) => b.mode === p.mode && b.receivers === counts[0])!;
    console.log(
      `${p.mode.padEnd(9)}  ${String(p.receivers).padEnd(9)}  ${(p.published === null ? '-' : formatRate(p.published)).padStart(11)}  ${formatRate(p.delivered).padStart(11)}  ${formatRate(p.perCpu).padStart(11)}  ${(p.delivered / base.delivered).toFixed(2).padStart(7)}  ${(p.perCpu / base.perCpu).toFixed(2).padStart(8)}`,
    );
  }
  return points;
}

/** Worker counts of the cluster curve: up to what two cores can run side by side, then beyond. */
const CLUSTER_COUNTS = [1, 2, 3, 4, 6, 8];

/** One point of the cluster curve. */
interface ClusterPoint {
  workers: number;
  /** Events arriving at the manager per second. */
  atManager: number;
  /** The manager's CPU-seconds per event received. */
  managerCost: number;
  /** The manager's share of one core. */
  managerCpu: number;
}

/**
 * Level 6: a Zeek-like cluster, one manager endpoint (a process) that N worker processes
 * peer with and publish conn events to as fast as its backpressure lets them.
 */
async function cluster(n: number, warmupMs: number, countMs: number): Promise<ClusterPoint> {
  const manager = BenchChild.spawnNode('manager', join(__dirname, 'throughput', 'bts-receiver.ts'));
  const children: BenchChild[] = [manager];
  try {
    const port = await manager.ready(120_000);
    const workers = Array.from({ length: n }, (_, i) => BenchChild.spawnNode(`worker ${i}`, join(__dirname, 'scale', 'fanout-sender.ts'), [String(port)]));
    children.push(...workers);
    await Promise.all(workers.map((w) => w.ready(300_000)));
    await sleep(warmupMs);
    const before = await manager.sample(60_000);
    const t0 = performance.now();
    await sleep(countMs);
    const after = await manager.sample(60_000);
    const seconds = (performance.now() - t0) / 1000;
    const events = after.count - before.count;
    if (events === 0) throw new Error(`nothing arrived at the manager from ${n} workers`);
    const cpu = after.cpuSeconds - before.cpuSeconds;
    return { workers: n, atManager: events / seconds, managerCost: cpu / events, managerCpu: cpu / seconds };
  } finally {
    // The workers first, so that the manager's final check sees a complete last event.
    for (const c of children.reverse()) await c.stop(10_000);
  }
}

/** Level 6 for every worker count, with the model that extrapolates it. */
async function clusterCurve(counts: readonly number[], warmupMs: number, countMs: number): Promise<ClusterPoint[]> {
  const points: ClusterPoint[] = [];
  for (const n of counts) {
    const p = await cluster(n, warmupMs, countMs);
    console.error(`cluster: ${n} workers: ${formatRate(p.atManager)} at the manager, ${(p.managerCost * 1e6).toFixed(2)} µs CPU per event`);
    points.push(p);
  }
  const base = points[0];
  console.log('\ncluster: one manager process, N worker processes publishing conn.log events to it (each as fast as backpressure allows)');
  console.log(`${'workers'.padEnd(8)}  ${'at manager/s'.padStart(12)}  ${'x 1'.padStart(5)}  ${'manager CPU'.padStart(11)}  ${'µs CPU/event'.padStart(12)}  ${'1/cost /s'.padStart(10)}`);
  for (const p of points) {
    console.log(
      `${String(p.workers).padEnd(8)}  ${formatRate(p.atManager).padStart(12)}  ${(p.atManager / base.atManager).toFixed(2).padStart(5)}  ${`${(p.managerCpu * 100).toFixed(0)} %`.padStart(11)}  ${(p.managerCost * 1e6).toFixed(2).padStart(12)}  ${formatRate(1 / p.managerCost).padStart(10)}`,
    );
  }
  const cost = Math.max(...points.map((p) => p.managerCost));
  console.log(`model: the manager saturates one core at 1 / cost = ${formatRate(1 / cost)} (highest measured cost, ${(cost * 1e6).toFixed(2)} µs per event);`);
  for (const rate of [1_000, 10_000]) console.log(`  workers sending ${formatRate(rate)} each: N_max = ${Math.floor(1 / cost / rate)}`);
  return points;
}

/** Key counts of the store curve. */
const STORE_KEYS = [10_000, 100_000];
/** How long a clone may take to hold every key before the row says it did not. */
const CLONE_TIMEOUT_MS = 90_000;
/** How long a clone may take to catch up after its peering came back before the row says it did not. */
const RESYNC_TIMEOUT_MS = 20_000;
/** Debian's python3-broker lives in the system Python. */
const SYSTEM_PYTHON = '/usr/bin/python3';
/** The newest Broker's Python bindings, when built here (a second reference column). */
const NEWEST_BROKER_PYTHON = process.env.BROKER_NEWEST_PYTHONPATH ?? '/work/ref/build/python';

/** A system whose store participants the curve runs. */
interface StoreSystem {
  name: string;
  backends: readonly BackendKind[];
  spawn(name: string): BenchChild;
}

/** One row of the store curve. */
interface StorePoint {
  system: string;
  backend: BackendKind;
  keys: number;
  /** Milliseconds until the master held every key (memory: N puts; files: opening a filled file). */
  fillMs: number;
  /** Master and clone: RSS and heap bytes once loaded, and RSS with the endpoint idle. */
  master: { rss: number; heap: number | null; idleRss: number };
  clone: { rss: number | null; heap: number | null; idleRss: number | null };
  /** Peering, attaching a clone, until it held the last key (null: the clone failed). */
  attachMs: number | null;
  /** Peering again after a lost peering, until the clone held a write made meanwhile (null: not in time, undefined: not measured). */
  resyncMs: number | null | undefined;
  /** The master's longest event-loop delay while the clone attached, ms (null: not reported). */
  masterLoopMs: number | null;
  /** The clone's longest event-loop delay while it attached (receiving and installing the snapshot), ms (null: not reported). */
  cloneLoopMs: number | null;
  put: number;
  get: number;
}

/** Sends one command to a store participant and waits for its answer. */
async function storeCommand(child: BenchChild, command: Record<string, unknown>, timeoutMs = 600_000): Promise<Record<string, any>> {
  const answer = child.waitForLine(/^(result|failed) (.*)$/, timeoutMs);
  child.send(JSON.stringify(command));
  const match = await answer;
  if (match[1] === 'failed') throw new Error(`${child.name}: ${JSON.stringify(command)}: ${match[2]}`);
  return JSON.parse(match[2]) as Record<string, any>;
}

/** Whether a Python with these bindings can import `broker`; the reason when not. */
function pythonBroker(pythonPath: string | undefined): string | undefined {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import broker'], { stdio: 'ignore', timeout: 30_000, env: pythonPath === undefined ? process.env : { ...process.env, PYTHONPATH: pythonPath } });
    return undefined;
  } catch {
    return pythonPath === undefined ? `${SYSTEM_PYTHON} cannot import broker (apt-get install -y python3-broker)` : `no Broker Python bindings at ${pythonPath}`;
  }
}

/** The systems of the store curve: broker-ts, and Broker's Python bindings where present. */
function storeSystems(): StoreSystem[] {
  const systems: StoreSystem[] = [
    { name: 'broker-ts', backends: ['memory', 'sqlite', 'lmdb'], spawn: (name) => BenchChild.spawnNode(name, join(__dirname, 'scale', 'store-participant.ts')) },
  ];
  const script = join(__dirname, 'scale', 'store-participant-broker.py');
  const references: Array<[string, string | undefined]> = [['Broker 1.4', undefined], ['Broker newest', NEWEST_BROKER_PYTHON]];
  for (const [name, pythonPath] of references) {
    const missing = pythonBroker(pythonPath);
    if (missing !== undefined) {
      console.log(`stores: no ${name} column: ${missing}`);
      continue;
    }
    const env: Record<string, string> = pythonPath === undefined ? {} : { PYTHONPATH: pythonPath };
    systems.push({ name, backends: ['memory', 'sqlite'], spawn: (child) => BenchChild.spawn({ name: child, command: SYSTEM_PYTHON, args: [script], env }) });
  }
  return systems;
}

/** A store file (or LMDB directory) holding `keys` entries, written once in one transaction. */
function filledStoreFile(dir: string, backend: BackendKind, keys: number): string {
  const file = join(dir, `filled-${keys}.${backend}`);
  const b = makeBackend(backend, { path: file });
  try {
    b.batch(() => {
      for (let i = 0; i < keys; i++) b.put(storeKey(i), storeValue(i));
    });
  } finally {
    b.close();
  }
  return file;
}

/** One row: a master holding `keys` entries in one process, a clone in another. */
async function storeRow(system: StoreSystem, backend: BackendKind, keys: number, file: string | undefined, rateMs: number, resync: boolean): Promise<StorePoint> {
  const master = system.spawn(`${system.name} ${backend} master`);
  const clone = system.spawn(`${system.name} ${backend} clone`);
  try {
    const m = await storeCommand(master, { op: 'master', backend, keys, ...(file === undefined ? {} : { path: file }) });
    const rates = await storeCommand(master, { op: 'rates', keys, ms: rateMs });
    const masterMem = m.loaded;
    let c: Record<string, any>;
    await storeCommand(master, { op: 'loopDelay', reset: true });
    await storeCommand(clone, { op: 'loopDelay', reset: true });
    try {
      c = await storeCommand(clone, { op: 'clone', port: m.port, keys, timeoutMs: CLONE_TIMEOUT_MS });
    } catch (error) {
      console.log(`stores: ${system.name} ${backend} ${keys} keys: no clone (${String(error).split('\n')[0]})`);
      c = { attachMs: null, loaded: { rss: null, heap: null }, idle: { rss: null } };
    }
    const masterLoopMs = ((await storeCommand(master, { op: 'loopDelay' })).maxMs as number | null) ?? null;
    const cloneLoopMs = ((await storeCommand(clone, { op: 'loopDelay' })).maxMs as number | null) ?? null;
    let resyncMs: number | null | undefined = resync && c.attachMs !== null ? null : undefined;
    if (c.attachMs !== null && resync) try {
      await storeCommand(clone, { op: 'unpeer', port: m.port }, 60_000);
      await storeCommand(master, { op: 'update', key: 'after-loss' }, 60_000);
      resyncMs = (await storeCommand(clone, { op: 'repeer', port: m.port, key: 'after-loss', timeoutMs: RESYNC_TIMEOUT_MS })).resyncMs as number;
    } catch (error) {
      console.log(`stores: ${system.name} ${backend} ${keys} keys: no resync (${String(error).split('\n')[0]})`);
    }
    return {
      system: system.name,
      backend,
      keys,
      fillMs: m.fillMs,
      master: { rss: masterMem.rss, heap: masterMem.heap, idleRss: m.idle.rss },
      clone: { rss: c.loaded.rss, heap: c.loaded.heap, idleRss: c.idle.rss },
      attachMs: c.attachMs,
      resyncMs,
      masterLoopMs,
      cloneLoopMs,
      put: rates.put,
      get: rates.get,
    };
  } finally {
    for (const child of [clone, master]) {
      child.send(JSON.stringify({ op: 'stop' }));
      await child.kill('SIGTERM', 10_000);
    }
  }
}

/** Mebibytes. */
function mib(bytes: number | null): string {
  return bytes === null ? '-' : (bytes / 2 ** 20).toFixed(0);
}

/** Level 5: stores of 10 k to 1 M keys, broker-ts beside Broker's Python bindings. */
async function storeCurve(sizes: readonly number[], rateMs: number, resync: boolean, only: ReadonlySet<string> | null = null): Promise<StorePoint[]> {
  const systems = storeSystems()
    .filter((s) => only === null || only.has(s.name) || s.backends.some((b) => only.has(`${s.name}/${b}`)))
    .map((s) => (only === null || only.has(s.name) ? s : { ...s, backends: s.backends.filter((b) => only.has(`${s.name}/${b}`)) }));
  const points: StorePoint[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'broker-ts-scale-store-'));
  try {
    for (const keys of sizes) {
      const files = new Map<BackendKind, string>();
      for (const backend of ['sqlite', 'lmdb'] as const) {
        if (!systems.some((s) => s.backends.includes(backend))) continue;
        const t0 = performance.now();
        files.set(backend, filledStoreFile(dir, backend, keys));
        console.error(`stores: ${backend} file with ${keys} keys written in ${(performance.now() - t0).toFixed(0)} ms`);
      }
      for (const system of systems) {
        for (const backend of system.backends) {
          let file: string | undefined;
          const filled = files.get(backend);
          if (filled !== undefined) {
            // Each master gets its own copy: the put rates change the file.
            file = `${filled}-${system.name.replace(/\W+/g, '-')}`;
            cpSync(filled, file, { recursive: true });
          }
          const p = await storeRow(system, backend, keys, file, rateMs, resync);
          console.error(`stores: ${p.system} ${p.backend} ${keys}: attach ${p.attachMs?.toFixed(0)} ms, resync ${p.resyncMs?.toFixed(0)} ms, put ${formatRate(p.put)}, get ${formatRate(p.get)}`);
          points.push(p);
          if (file !== undefined) rmSync(file, { recursive: true, force: true });
        }
      }
      for (const f of files.values()) rmSync(f, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nstores: a master holding N keys (own process), a clone attaching in another; put/get through the master');
  console.log('(persistent files written beforehand in one transaction; fill = until the master held them all; SQLite with Broker\'s defaults, FULL and DELETE journal)');
  console.log(
    `${'system'.padEnd(14)} ${'backend'.padEnd(7)} ${'keys'.padStart(9)}  ${'fill ms'.padStart(8)}  ${'attach ms'.padStart(9)}  ${'resync ms'.padStart(9)}  ${'loop ms'.padStart(7)}  ${'clone loop'.padStart(10)}  ${'master MiB'.padStart(10)}  ${'(heap)'.padStart(6)}  ${'clone MiB'.padStart(9)}  ${'(heap)'.padStart(6)}  ${'idle MiB'.padStart(8)}  ${'put/s'.padStart(9)}  ${'get/s'.padStart(9)}`,
  );
  for (const p of points) {
    console.log(
      `${p.system.padEnd(14)} ${p.backend.padEnd(7)} ${p.keys.toLocaleString('en').padStart(9)}  ${p.fillMs.toFixed(0).padStart(8)}  ${(p.attachMs === null ? 'fails' : p.attachMs.toFixed(0)).padStart(9)}  ${(p.resyncMs === undefined ? '-' : p.resyncMs === null ? `>${RESYNC_TIMEOUT_MS}` : p.resyncMs.toFixed(0)).padStart(9)}  ${(p.masterLoopMs === null ? '-' : p.masterLoopMs.toFixed(0)).padStart(7)}  ${(p.cloneLoopMs === null ? '-' : p.cloneLoopMs.toFixed(0)).padStart(10)}  ${mib(p.master.rss).padStart(10)}  ${mib(p.master.heap).padStart(6)}  ${mib(p.clone.rss).padStart(9)}  ${mib(p.clone.heap).padStart(6)}  ${mib(p.master.idleRss).padStart(8)}  ${formatRate(p.put).padStart(9)}  ${formatRate(p.get).padStart(9)}`,
    );
  }
  return points;
}

/** One line of a chart. */
interface Series {
  name: string;
  colour: string;
  points: ReadonlyArray<{ x: number; y: number }>;
}

/** One panel of the chart: log-scaled x, log-scaled y. */
interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: readonly number[];
  series: readonly Series[];
  formatY(y: number): string;
}

const PANEL_W = 680;
const PANEL_H = 330;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Draws one panel at vertical offset `top`. */
function renderPanel(panel: Panel, top: number): string {
  const left = 80;
  const right = 210;
  const pTop = top + 40;
  const pBottom = top + PANEL_H - 50;
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y));
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const x0 = Math.log10(Math.min(...panel.xs));
  const x1 = Math.log10(Math.max(...panel.xs));
  const xOf = (x: number): number => left + ((Math.log10(x) - x0) / (x1 - x0)) * (PANEL_W - left - right);
  const yOf = (y: number): number => pBottom - ((Math.log10(y) - lo) / (hi - lo)) * (pBottom - pTop);
  const out: string[] = [`<text x="10" y="${top + 22}" font-size="15" font-weight="bold" ${FONT}>${panel.title}</text>`];
  for (let e = lo; e <= hi; e++) {
    const y = yOf(10 ** e).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${PANEL_W - right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${Number(y) + 4}" font-size="11" text-anchor="end" ${FONT}>${panel.formatY(10 ** e)}</text>`);
  }
  for (const v of panel.xs) {
    const x = xOf(v).toFixed(1);
    out.push(`<line x1="${x}" y1="${pTop}" x2="${x}" y2="${pBottom}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${pBottom + 16}" font-size="11" text-anchor="middle" ${FONT}>${v.toLocaleString('en')}</text>`);
  }
  const midY = (pTop + pBottom) / 2;
  out.push(`<text x="${(left + PANEL_W - right) / 2}" y="${pBottom + 36}" font-size="12" text-anchor="middle" ${FONT}>${panel.xLabel}</text>`);
  out.push(`<text x="16" y="${midY}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${midY})" ${FONT}>${panel.yLabel}</text>`);
  panel.series.forEach((s, i) => {
    const pts = s.points.map((p) => [xOf(p.x).toFixed(1), yOf(p.y).toFixed(1)]);
    out.push(`<polyline points="${pts.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const [cx, cy] of pts) out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.colour}"/>`);
    const ly = pTop + 10 + i * 20;
    out.push(`<line x1="${PANEL_W - right + 12}" y1="${ly}" x2="${PANEL_W - right + 32}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<text x="${PANEL_W - right + 36}" y="${ly + 4}" font-size="11" ${FONT}>${s.name}</text>`);
  });
  return out.join('\n');
}

/** The panels stacked into one SVG document. */
function renderSvg(panels: readonly Panel[]): string {
  const height = PANEL_H * panels.length;
  const body = panels.map((p, i) => renderPanel(p, i * PANEL_H));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL_W}" height="${height}" viewBox="0 0 ${PANEL_W} ${height}">\n<rect width="${PANEL_W}" height="${height}" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}

/** Nanoseconds, microseconds or milliseconds. */
function formatNs(ns: number): string {
  if (ns >= 1e6) return `${ns / 1e6} ms`;
  if (ns >= 1e3) return `${ns / 1e3} µs`;
  return `${ns} ns`;
}

/** Cost per lookup or event, in nanoseconds, from a rate. */
function costSeries(name: string, colour: string, points: readonly CurvePoint[], perCpu = false): Series {
  return { name, colour, points: points.map((p) => ({ x: p.filters, y: 1e9 / (perCpu ? p.perCpu! : p.rate) })) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, svg: { type: 'string' }, levels: { type: 'string' }, 'store-keys': { type: 'string' }, 'store-rows': { type: 'string' } }, strict: true });
  const quick = values.quick === true;
  const levels = new Set((values.levels ?? 'matcher,router,e2e,fanout,cluster,stores').split(','));
  console.log(`scale curves: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  const matcher = levels.has('matcher') ? matcherCurve(quick ? 150 : 400) : { radix: [], linear: [] };
  const router = levels.has('router') ? routerCurve(quick ? 150 : 400) : [];
  const e2e = levels.has('e2e') ? await endToEndCurve(quick ? 500 : 1500, quick ? 1500 : 4000) : [];
  const fan = levels.has('fanout') ? await fanoutCurve(quick ? [1, 5] : FANOUT_COUNTS, quick ? 1000 : 2000, quick ? 1500 : 3000) : [];
  const clus = levels.has('cluster') ? await clusterCurve(quick ? [1, 2] : CLUSTER_COUNTS, quick ? 1000 : 2000, quick ? 1500 : 3000) : [];
  const stores = levels.has('stores') ? await storeCurve(values['store-keys']?.split(',').map(Number) ?? (quick ? STORE_KEYS.slice(0, 1) : STORE_KEYS), quick ? 300 : 1000, !quick, values['store-rows'] === undefined ? null : new Set(values['store-rows'].split(','))) : [];
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (values.svg !== undefined) {
    const panels: Panel[] = [];
    const costs = [
      costSeries('matcher: linear scan', '#ff7f0e', matcher.linear),
      costSeries('matcher: radix tree', '#1f77b4', matcher.radix),
      costSeries('router: peersFor', '#2ca02c', router),
      costSeries('end to end, CPU', '#9467bd', e2e, true),
    ].filter((c) => c.points.length > 0);
    if (costs.length > 0) {
      panels.push({ title: 'Cost per published event vs topic filters on the peer', xLabel: 'topic filters (log scale)', yLabel: 'cost per event (log scale)', xs: FILTER_COUNTS, series: costs, formatY: formatNs });
    }
    if (fan.length > 0) {
      const of = (mode: FanoutMode, y: (p: FanoutPoint) => number | null): Array<{ x: number; y: number }> =>
        fan.filter((p) => p.mode === mode && y(p) !== null).map((p) => ({ x: p.receivers, y: y(p)! }));
      panels.push({
        title: 'Fan-out: one publisher, N subscribing endpoints',
        xLabel: 'subscribing endpoints (log scale)',
        yLabel: 'events (log scale)',
        xs: [...new Set(fan.map((p) => p.receivers))],
        series: [
          { name: 'processes: delivered/s', colour: '#1f77b4', points: of('processes', (p) => p.delivered) },
          { name: 'processes: per CPU-s', colour: '#9467bd', points: of('processes', (p) => p.perCpu) },
          { name: 'processes: published/s', colour: '#7f7f7f', points: of('processes', (p) => p.published) },
          { name: 'workers: delivered/s', colour: '#2ca02c', points: of('workers', (p) => p.delivered) },
          { name: 'workers: per CPU-s', colour: '#d62728', points: of('workers', (p) => p.perCpu) },
        ].filter((series) => series.points.length > 0),
        formatY: (y) => formatRate(y).replace('/s', ''),
      });
    }
    if (clus.length > 0) {
      panels.push({
        title: 'Cluster: one manager, N workers publishing to it',
        xLabel: 'workers (log scale)',
        yLabel: 'events per second (log scale)',
        xs: clus.map((p) => p.workers),
        series: [
          { name: 'at the manager', colour: '#1f77b4', points: clus.map((p) => ({ x: p.workers, y: p.atManager })) },
          { name: 'model: 1 / manager cost', colour: '#7f7f7f', points: clus.map((p) => ({ x: p.workers, y: 1 / p.managerCost })) },
        ],
        formatY: (y) => formatRate(y).replace('/s', ''),
      });
    }
    if (stores.length > 0) {
      const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
      const combos = [...new Set(stores.map((p) => `${p.system} ${p.backend}`))];
      panels.push({
        title: 'Stores: clone attach time vs keys held by the master',
        xLabel: 'keys (log scale)',
        yLabel: 'peer + attach until the clone holds them all (log)',
        xs: [...new Set(stores.map((p) => p.keys))],
        series: combos
          .map((name, i) => ({ name, colour: colours[i % colours.length], points: stores.filter((p) => `${p.system} ${p.backend}` === name && p.attachMs !== null).map((p) => ({ x: p.keys, y: p.attachMs! * 1e6 })) }))
          .filter((series) => series.points.length > 0),
        formatY: formatNs,
      });
    }
    const svg = renderSvg(panels);
    writeFileSync(values.svg, svg);
    console.error(`wrote ${values.svg}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
