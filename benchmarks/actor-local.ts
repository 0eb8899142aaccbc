/**
 * Local actor messaging beside raw JS baselines, measured in the same run:
 * - throughput: messages/s from one actor to another, vs a plain function call, an
 *   EventEmitter and a queueMicrotask loop delivering the same message;
 * - latency: request/response round trip (µs) from outside an actor and between two
 *   actors, vs an awaited promise and a setImmediate hop.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-local.ts [--n=200000] [--rounds=5]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { ActorSystem, type ActorRef } from '@broker-ts/actor';
import { formatRate, measureRounds, printTable, type Measurement } from './lib/harness';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N = Number(args.get('n') ?? 200_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
const LAT_N = Number(args.get('latency-n') ?? 20_000);

const MSG = { type: 'm', topic: '/zeek/conn', seq: 1, payload: [1, 'two', 3.5] };

/** Runs an async body `ROUNDS` times (after one warm-up) and reports the median rate. */
function measureAsync(name: string, ops: number, body: () => Promise<void>): Promise<Measurement> {
  return measureRounds(name, ops, body, { rounds: ROUNDS });
}

async function throughput(system: ActorSystem): Promise<Measurement[]> {
  let count = 0;
  const consume = (_m: unknown): void => void count++;
  const plain = await measureAsync('plain function call', N, async () => {
    count = 0;
    for (let i = 0; i < N; i++) consume(MSG);
  });

  const emitter = new EventEmitter();
  emitter.on('m', consume);
  const ee = await measureAsync('EventEmitter.emit', N, async () => {
    count = 0;
    for (let i = 0; i < N; i++) emitter.emit('m', MSG);
  });

  const micro = await measureAsync('queueMicrotask per message', N, () => {
    count = 0;
    return new Promise<void>((resolve) => {
      const task = (): void => {
        if (++count === N) resolve();
      };
      for (let i = 0; i < N; i++) queueMicrotask(task);
    });
  });

  let done: (() => void) | null = null;
  let received = 0;
  const consumer = system.spawn(() => ({
    m: () => {
      if (++received === N) done!();
    },
  }));
  const producer = system.spawn((ctx, to: ActorRef) => ({
    go: () => {
      for (let i = 0; i < N; i++) ctx.send(to, MSG);
    },
  }), { args: [consumer] });
  const actors = await measureAsync('actor -> actor send', N, () => {
    received = 0;
    return new Promise<void>((resolve) => {
      done = resolve;
      producer.tell({ type: 'go' });
    });
  });

  // A producer that sends in slices, so that the consumer's mailbox stays short (steady state).
  const sliced = system.spawn((ctx, to: ActorRef) => {
    let left = 0;
    return {
      go: () => {
        left = N;
        ctx.send(ctx.self, { type: 'more' });
      },
      more: () => {
        const k = Math.min(256, left);
        for (let i = 0; i < k; i++) ctx.send(to, MSG);
        left -= k;
        if (left > 0) ctx.send(ctx.self, { type: 'more' });
      },
    };
  }, { args: [consumer] });
  const steady = await measureAsync('actor -> actor send, 256 per turn', N, () => {
    received = 0;
    return new Promise<void>((resolve) => {
      done = resolve;
      sliced.tell({ type: 'go' });
    });
  });
  return [plain, ee, micro, actors, steady];
}

async function latency(system: ActorSystem): Promise<Measurement[]> {
  const promise = await measureAsync('await Promise.resolve()', LAT_N, async () => {
    for (let i = 0; i < LAT_N; i++) await Promise.resolve(i);
  });
  const immediate = await measureAsync('await setImmediate hop', LAT_N, async () => {
    for (let i = 0; i < LAT_N; i++) await new Promise((r) => setImmediate(r));
  });
  const echo = system.spawn(() => ({ ping: (m) => m.n }));
  const outside = await measureAsync('system.request round trip', LAT_N, async () => {
    for (let i = 0; i < LAT_N; i++) await system.request(echo, { type: 'ping', n: i }, { timeout: Infinity });
  });
  const client = system.spawn((ctx) => ({
    run: async () => {
      for (let i = 0; i < LAT_N; i++) await ctx.request(echo, { type: 'ping', n: i }, { timeout: Infinity });
      return true;
    },
  }));
  const inside = await measureAsync('ctx.request round trip (actor -> actor)', LAT_N, async () => {
    await system.request(client, { type: 'run' }, { timeout: Infinity });
  });
  return [promise, immediate, outside, inside];
}

function printLatency(rows: Measurement[]): void {
  console.log('\nrequest/response latency (median of rounds)');
  for (const r of rows) console.log(`${r.name.padEnd(42)} ${(1e6 / r.opsPerSec).toFixed(2).padStart(8)} µs  (${formatRate(r.opsPerSec)})`);
}

async function main(): Promise<void> {
  const system = new ActorSystem({ name: 'bench', logger: pino({ level: 'warn' }) });
  console.log(`actor-local: N=${N} messages, ${ROUNDS} rounds, node ${process.version}`);
  const tp = await throughput(system);
  printTable('local send throughput (messages/s)', tp, 'queueMicrotask per message');
  const lat = await latency(system);
  printLatency(lat);
  printTable('request/response rate', lat, 'await setImmediate hop');
  await system.shutdown();
}

void main();
