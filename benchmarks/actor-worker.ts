/**
 * Cross-worker throughput: actor messages from the main thread to an actor in a worker
 * thread, beside raw worker_threads baselines carrying the same payload, in the same run:
 * - raw `postMessage(object)`, one per message (structured clone);
 * - raw `postMessage(array of 100 objects)` (structured clone, batched);
 * - raw `postMessage(Uint8Array)` carrying 100 cbor-x encoded messages, as CBOR maps
 *   and with cbor-x records (the runtime's codec settings), batched. The 100 messages are
 *   written as a CBOR sequence (a tagless cbor-x extension, read with `decodeMultiple`),
 *   as the runtime writes its batches: encoded as one array of 100, cbor-x's value
 *   encoder can fall into a slow mode of V8's (docs/actor-runtime.md, "Codec"), and
 *   these baselines swung between 0.4 and 3 M/s from run to run. As sequences they
 *   still read 0.4 M/s in one of eight runs (benchmarks/RESULTS.md): the main thread's
 *   rate, printed for them too, tells whether the sending side was the slow one.
 * Every case sends distinct message objects (`{ ...PAYLOAD, seq }`), built in the loop.
 * The receiver counts messages and reports when it has them all; the rate is messages
 * per second from the first send to that report.
 *
 * Worker → worker: an actor in a second worker sends to the same sink, once with
 * `directSiblings: false` (batches relayed as bytes by the main thread) and once over the
 * direct sibling channel (the default: the main thread introduces the two workers on the
 * first relayed batch). Baseline: a raw worker posting Uint8Arrays of 100 cbor-x records
 * over a MessageChannel straight to the raw sink worker.
 * Each actor case has its own fresh sink thread and runs before the raw cases: cases
 * sharing a thread inherited each other's JIT state and swung by up to 3x. The sending
 * side cannot be made fresh the same way; the first case is measured once more at the
 * end (a fresh sink again), after the thread encoded every other case's messages.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-worker.ts [--n=200000] [--rounds=5] [--warmup=3] [--warmup-actors=8]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isMainThread, MessageChannel, Worker } from 'node:worker_threads';
import { Encoder } from 'cbor-x';
import pino from 'pino';
import { ActorSystem, spawnWorker, type ActorContext, type ActorRef, type Behavior } from '@broker-ts/actor';
import { CborItems } from './lib/cbor-items';
import { measureRounds, printTable, type Measurement } from './lib/harness';

/** The worker-side actor: counts `m` messages and tells `notify` when `target` arrived. */
export function countingSink(ctx: ActorContext): Behavior {
  let count = 0;
  let target = -1;
  let notify: ActorRef | null = null;
  return {
    expect: (m) => {
      count = 0;
      target = m.n as number;
      notify = m.notify as ActorRef;
      return true;
    },
    m: () => {
      if (++count === target) ctx.send(notify!, { type: 'done', count });
    },
  };
}

/** The worker-side producer: sends `n` messages to `to` (another worker's actor). */
export function producer(ctx: ActorContext): Behavior {
  return {
    go: (m) => {
      const to = m.to as ActorRef;
      const n = m.n as number;
      for (let i = 0; i < n; i++) ctx.send(to, { ...PAYLOAD, seq: i });
      return true;
    },
  };
}

const RAW_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Encoder } = require(workerData.cbor);
const maps = new Encoder({ useRecords: false, mapsAsObjects: true });
const records = new Encoder({ useRecords: true, mapsAsObjects: true });
let count = 0, target = -1;
const onData = (m) => {
  if (m && m.attach !== undefined) { m.attach.on('message', onData); return; }
  if (m && m.expect !== undefined) { count = 0; target = m.expect; parentPort.postMessage('ready'); return; }
  if (m instanceof Uint8Array) count += maps.decodeMultiple(m).length;
  else if (m && m.records instanceof Uint8Array) count += records.decodeMultiple(m.records).length;
  else if (Array.isArray(m)) count += m.length;
  else count++;
  if (count === target) parentPort.postMessage('done');
};
parentPort.on('message', onData);`;

const RAW_PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Encoder, addExtension } = require(workerData.cbor);
// benchmarks/lib/cbor-items.ts, for eval code.
class CborItems { constructor(items) { this.items = items; } }
addExtension({ Class: CborItems, tag: undefined, encode(batch, encode) { for (const item of batch.items) encode(item); } });
const records = new Encoder({ useRecords: true, mapsAsObjects: true });
let port = null;
parentPort.on('message', (m) => {
  if (m.port !== undefined) { port = m.port; return; }
  const n = m.go, batch = workerData.batch, payload = workerData.payload;
  for (let i = 0; i < n; i += batch) {
    const k = Math.min(batch, n - i), out = new Array(k);
    for (let j = 0; j < k; j++) out[j] = { ...payload, seq: i + j };
    port.postMessage({ records: records.encode(new CborItems(out)).slice() });
  }
});`;

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N = Number(args.get('n') ?? 200_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
const WARMUP = Number(args.get('warmup') ?? 3);
// A fresh worker thread needs about a million messages before its send or receive path is
// optimized (the rate jumps 2-3x after 4-5 runs of 200k): every actor case warms longer.
const WARMUP_ACTORS = Number(args.get('warmup-actors') ?? 8);
const BATCH = 100;
const RAW_BEST = `raw postMessage(Uint8Array of ${BATCH} cbor-x records)`;
const RAW_W2W = `raw worker -> worker over a MessageChannel (Uint8Array of ${BATCH} cbor-x records)`;

const PAYLOAD = { type: 'm', topic: '/zeek/conn', seq: 1, ts: 1700000000.123, uid: 'CHhAvVGS1DHFjwGM9', orig: ['10.0.0.1', 49152], resp: ['10.0.0.2', 80], proto: 'tcp', bytes: [1234, 5678] };

function batchOf(start: number): unknown[] {
  const n = Math.min(BATCH, N - start);
  const out = new Array(n);
  for (let j = 0; j < n; j++) out[j] = { ...PAYLOAD, seq: start + j };
  return out;
}

/** {@link batchOf} as a raw baseline's cbor-x batch. */
function itemsOf(start: number): CborItems {
  return new CborItems(batchOf(start));
}

/**
 * CPU time of this process's main thread so far, in ms (Linux: its line in /proc, 10 ms
 * ticks). `process.cpuUsage()` would add the worker threads.
 */
function mainThreadCpuMs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

/** Messages per CPU-second of the main thread in each case sent from it, by case name. */
const mainCpu = new Map<string, number>();

/**
 * {@link measureAsync} for a case sent from the main thread, also recording the main
 * thread's messages per CPU-second (median of the timed rounds) in {@link mainCpu}: the
 * rate of a case is that of its slower thread, and this tells which one it was.
 */
async function measureMain(name: string, body: () => Promise<void>, warmup = WARMUP): Promise<Measurement> {
  const perCall: number[] = [];
  const m = await measureAsync(
    name,
    async () => {
      const before = mainThreadCpuMs();
      await body();
      perCall.push(N / ((mainThreadCpuMs() - before) / 1000));
    },
    warmup,
  );
  const timed = perCall.slice(-ROUNDS).sort((a, b) => a - b);
  mainCpu.set(name, timed[timed.length >> 1]);
  return m;
}

function measureAsync(name: string, body: () => Promise<void>, warmup = WARMUP): Promise<Measurement> {
  return measureRounds(name, N, body, { rounds: ROUNDS, warmups: warmup });
}

function once(worker: Worker, what: string): Promise<void> {
  return new Promise((resolve) => {
    const l = (m: unknown): void => {
      if (m === what) {
        worker.off('message', l);
        resolve();
      }
    };
    worker.on('message', l);
  });
}

async function raw(): Promise<Measurement[]> {
  const worker = new Worker(RAW_WORKER, { eval: true, workerData: { cbor: require.resolve('cbor-x') } });
  // Resolves (once the worker is armed) to an object holding the completion promise;
  // returning the promise itself from an async function would wait for it.
  const arm = async (): Promise<{ done: Promise<void> }> => {
    const ready = once(worker, 'ready');
    worker.postMessage({ expect: N });
    await ready;
    return { done: once(worker, 'done') };
  };
  const perMessage = await measureMain('raw postMessage(object), one per message', async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i++) worker.postMessage({ ...PAYLOAD, seq: i });
    await done;
  });
  const arrays = await measureMain(`raw postMessage(${BATCH} objects)`, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage(batchOf(i));
    await done;
  });
  const mapsEnc = new Encoder({ useRecords: false, mapsAsObjects: true });
  const cborMaps = await measureMain(`raw postMessage(Uint8Array of ${BATCH} cbor-x maps)`, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage(mapsEnc.encode(itemsOf(i)).slice());
    await done;
  });
  const recEnc = new Encoder({ useRecords: true, mapsAsObjects: true });
  const cborRecords = await measureMain(RAW_BEST, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage({ records: recEnc.encode(itemsOf(i)).slice() });
    await done;
  });
  const producerWorker = new Worker(RAW_PRODUCER, { eval: true, workerData: { cbor: require.resolve('cbor-x'), batch: BATCH, payload: PAYLOAD } });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ attach: port1 }, [port1]);
  producerWorker.postMessage({ port: port2 }, [port2]);
  const workerToWorker = await measureAsync(RAW_W2W, async () => {
    const { done } = await arm();
    producerWorker.postMessage({ go: N });
    await done;
  });
  await Promise.all([worker.terminate(), producerWorker.terminate()]);
  return [perMessage, arrays, cborMaps, cborRecords, workerToWorker];
}

async function actors(): Promise<Measurement[]> {
  const system = new ActorSystem({ name: 'bench', logger: pino({ level: 'warn' }, pino.destination(2)) });
  let finished: (() => void) | null = null;
  const notify = system.spawn(() => ({ done: () => finished!() }));
  // Each case gets a fresh sink thread, so that no case inherits another's JIT state.
  const freshSink = (): Promise<ActorRef> => spawnWorker(system, __filename, { exportName: 'countingSink' });
  const run = async (sink: ActorRef, send: () => void): Promise<void> => {
    await system.request(sink, { type: 'expect', n: N, notify }, { timeout: 60_000 });
    const done = new Promise<void>((r) => (finished = r));
    send();
    await done;
  };
  /** `ref.tell` from outside any actor, on the main thread, to a fresh sink. */
  const tellFromMain = async (name: string): Promise<Measurement> => {
    const sink = await freshSink();
    const send = (): void => {
      for (let i = 0; i < N; i++) sink.tell({ ...PAYLOAD, seq: i });
    };
    return measureMain(name, () => run(sink, send), WARMUP_ACTORS);
  };
  const fromOutside = await tellFromMain('actor: ref.tell from the main thread -> worker actor');
  const sink2 = await freshSink();
  const mainProducer = system.spawn((ctx) => ({
    go: () => {
      for (let i = 0; i < N; i++) ctx.send(sink2, { ...PAYLOAD, seq: i });
    },
  }));
  const fromActor = await measureMain('actor: main actor -> worker actor', () => run(sink2, () => mainProducer.tell({ type: 'go' })), WARMUP_ACTORS);
  const sink3 = await freshSink();
  const relayedProducer = await spawnWorker(system, __filename, { exportName: 'producer', directSiblings: false });
  const viaMain = await measureAsync('actor: worker A actor -> worker B actor (relayed by main)', () => run(sink3, () => relayedProducer.tell({ type: 'go', to: sink3, n: N })), WARMUP_ACTORS);
  const sink4 = await freshSink();
  const directProducer = await spawnWorker(system, __filename, { exportName: 'producer' });
  const forwardedBefore = system.router.forwardedBatches;
  const direct = await measureAsync('actor: worker A actor -> worker B actor (direct channel)', () => run(sink4, () => directProducer.tell({ type: 'go', to: sink4, n: N })), WARMUP_ACTORS);
  const relayed = system.router.forwardedBatches - forwardedBefore;
  console.log(`direct-channel case: ${relayed} batches crossed the main thread over ${WARMUP_ACTORS + ROUNDS} runs of ${N} messages (before the introduction)`);
  // The first case again, on a fresh sink, after the thread encoded every other case's
  // messages (and the spawns' system messages).
  const again = await tellFromMain('actor: ref.tell from the main thread -> worker actor, again after the cases above');
  await system.shutdown();
  return [fromOutside, fromActor, viaMain, direct, again];
}

async function main(): Promise<void> {
  console.log(`actor-worker: N=${N} messages of ${JSON.stringify(PAYLOAD).length} JSON bytes, ${ROUNDS} rounds, node ${process.version}`);
  // Actor cases first: the raw cases run other cbor-x encoders in this thread, and the
  // JIT code they leave behind slowed the runtime's encoder here by about 3x.
  const actorRows = await actors();
  const rows = [...(await raw()), ...actorRows];
  printTable('main thread -> worker thread throughput (messages/s)', rows, RAW_BEST);
  console.log('\nthe main thread in the cases sent from it (median of the timed rounds; a case runs at the rate of its slower thread):');
  const width = Math.max(...[...mainCpu.keys()].map((k) => k.length));
  for (const [name, rate] of mainCpu) console.log(`  ${name.padEnd(width)}  ${(rate / 1e6).toFixed(2)} M msgs per main-thread CPU-second`);
  const actor = rows[5].opsPerSec;
  const ratio = (i: number): string => (actor / rows[i].opsPerSec).toFixed(2);
  console.log(`\nactor path (ref.tell) vs raw per-message postMessage ${ratio(0)}x, vs raw batched structured clone ${ratio(1)}x, vs raw batched cbor-x maps ${ratio(2)}x, vs raw batched cbor-x records ${ratio(3)}x`);
  const w2w = (i: number): string => (rows[i].opsPerSec / rows[4].opsPerSec).toFixed(2);
  console.log(`worker -> worker vs its raw baseline (${RAW_W2W}): relayed by main ${w2w(7)}x, direct channel ${w2w(8)}x`);
  console.log(`ref.tell again after the other actor cases: ${(rows[9].opsPerSec / actor).toFixed(2)}x its first run, ${(rows[9].opsPerSec / rows[3].opsPerSec).toFixed(2)}x raw batched cbor-x records`);
}

if (isMainThread && require.main === module) void main();
