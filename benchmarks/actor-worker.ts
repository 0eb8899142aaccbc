/**
 * Cross-worker throughput: actor messages from the main thread to an actor in a worker
 * thread, beside raw worker_threads baselines carrying the same payload, in the same run:
 * - raw `postMessage(object)`, one per message (structured clone);
 * - raw `postMessage(array of 100 objects)` (structured clone, batched);
 * - raw `postMessage(Uint8Array)` carrying 100 cbor-x encoded messages, as CBOR maps
 *   and with cbor-x records (the runtime's codec settings), batched.
 * Every case sends distinct message objects (`{ ...PAYLOAD, seq }`), built in the loop.
 * The receiver counts messages and reports when it has them all; the rate is messages
 * per second from the first send to that report.
 *
 * A last case sends from an actor in a second worker to the same sink: envelopes are
 * routed through the main thread (decoded and re-encoded there), the worker tree's path.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-worker.ts [--n=200000] [--rounds=5] [--warmup=3]
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import { Encoder } from 'cbor-x';
import pino from 'pino';
import { ActorSystem, type ActorContext, type ActorRef, type Behavior } from '@broker-ts/actor';
import { printTable, type Measurement } from './lib/harness';

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
parentPort.on('message', (m) => {
  if (m && m.expect !== undefined) { count = 0; target = m.expect; parentPort.postMessage('ready'); return; }
  if (m instanceof Uint8Array) count += maps.decode(m).length;
  else if (m && m.records instanceof Uint8Array) count += records.decode(m.records).length;
  else if (Array.isArray(m)) count += m.length;
  else count++;
  if (count === target) parentPort.postMessage('done');
});`;

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N = Number(args.get('n') ?? 200_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
const WARMUP = Number(args.get('warmup') ?? 3);
const BATCH = 100;
const RAW_BEST = `raw postMessage(Uint8Array of ${BATCH} cbor-x records)`;

const PAYLOAD = { type: 'm', topic: '/zeek/conn', seq: 1, ts: 1700000000.123, uid: 'CHhAvVGS1DHFjwGM9', orig: ['10.0.0.1', 49152], resp: ['10.0.0.2', 80], proto: 'tcp', bytes: [1234, 5678] };

function batchOf(start: number): unknown[] {
  const n = Math.min(BATCH, N - start);
  const out = new Array(n);
  for (let j = 0; j < n; j++) out[j] = { ...PAYLOAD, seq: start + j };
  return out;
}

async function measureAsync(name: string, body: () => Promise<void>): Promise<Measurement> {
  // JIT warm-up: the encoder and the send path need a few hundred thousand messages.
  for (let w = 0; w < WARMUP; w++) await body();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    await body();
    rates.push(N / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { name, opsPerSec: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds: rates.length };
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
  const perMessage = await measureAsync('raw postMessage(object), one per message', async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i++) worker.postMessage({ ...PAYLOAD, seq: i });
    await done;
  });
  const arrays = await measureAsync(`raw postMessage(${BATCH} objects)`, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage(batchOf(i));
    await done;
  });
  const mapsEnc = new Encoder({ useRecords: false, mapsAsObjects: true });
  const cborMaps = await measureAsync(`raw postMessage(Uint8Array of ${BATCH} cbor-x maps)`, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage(mapsEnc.encode(batchOf(i)).slice());
    await done;
  });
  const recEnc = new Encoder({ useRecords: true, mapsAsObjects: true });
  const cborRecords = await measureAsync(RAW_BEST, async () => {
    const { done } = await arm();
    for (let i = 0; i < N; i += BATCH) worker.postMessage({ records: recEnc.encode(batchOf(i)).slice() });
    await done;
  });
  await worker.terminate();
  return [perMessage, arrays, cborMaps, cborRecords];
}

async function actors(): Promise<Measurement[]> {
  const system = new ActorSystem({ name: 'bench', logger: pino({ level: 'warn' }) });
  const sink = await system.spawnWorker(__filename, { exportName: 'countingSink' });
  let finished: (() => void) | null = null;
  const notify = system.spawn(() => ({ done: () => finished!() }));
  const run = async (send: () => void): Promise<void> => {
    await system.request(sink, { type: 'expect', n: N, notify }, { timeout: 60_000 });
    const done = new Promise<void>((r) => (finished = r));
    send();
    await done;
  };
  const fromOutside = await measureAsync('actor: ref.tell from the main thread -> worker actor', () =>
    run(() => {
      for (let i = 0; i < N; i++) sink.tell({ ...PAYLOAD, seq: i });
    }),
  );
  const mainProducer = system.spawn((ctx) => ({
    go: () => {
      for (let i = 0; i < N; i++) ctx.send(sink, { ...PAYLOAD, seq: i });
    },
  }));
  const fromActor = await measureAsync('actor: main actor -> worker actor', () => run(() => mainProducer.tell({ type: 'go' })));
  const remoteProducer = await system.spawnWorker(__filename, { exportName: 'producer' });
  const workerToWorker = await measureAsync('actor: worker A actor -> worker B actor (via main)', () => run(() => remoteProducer.tell({ type: 'go', to: sink, n: N })));
  await system.shutdown();
  return [fromOutside, fromActor, workerToWorker];
}

async function main(): Promise<void> {
  console.log(`actor-worker: N=${N} messages of ${JSON.stringify(PAYLOAD).length} JSON bytes, ${ROUNDS} rounds, node ${process.version}`);
  const rows = [...(await raw()), ...(await actors())];
  printTable('main thread -> worker thread throughput (messages/s)', rows, RAW_BEST);
  const actor = rows[4].opsPerSec;
  const ratio = (i: number): string => (actor / rows[i].opsPerSec).toFixed(2);
  console.log(`\nactor path (ref.tell) vs raw per-message postMessage ${ratio(0)}x, vs raw batched structured clone ${ratio(1)}x, vs raw batched cbor-x maps ${ratio(2)}x, vs raw batched cbor-x records ${ratio(3)}x`);
}

if (isMainThread && require.main === module) void main();
