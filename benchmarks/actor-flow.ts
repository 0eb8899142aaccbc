/**
 * Items per second through a local flow (credit-based stream between two actors, items
 * in batches) beside two baselines measured in the same run: the same items as plain
 * local actor messages, one message per item, and a raw array push/shift loop (the
 * floor of any in-process queue).
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-flow.ts [items]
 */
import { performance } from 'node:perf_hooks';
import { ActorSystem, type ActorContext, type ActorRef } from '@broker-ts/actor';
// The flow exports are listed in packages/actor/src/flow/index.ts until the package index re-exports them.
import { BoundedBuffer, FlowHost, withFlows, type OverflowPolicy, type Stream } from '../packages/actor/src/flow';
import { measure, printTable, type Measurement } from './lib/harness';

const ITEMS = Number(process.argv[2] ?? 5_000_000);
const ROUNDS = 5;
/** Items a producer pushes per turn before it lets other actors run. */
const CHUNK = 4096;

/** Runs one async case `ROUNDS` times and reports the median rate. */
async function measureAsync(name: string, items: number, once: () => Promise<void>): Promise<Measurement> {
  await once(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await once();
    rates.push(items / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { name, opsPerSec: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds: rates.length };
}

function newSystem(): ActorSystem {
  return new ActorSystem({ name: 'bench' });
}

/** Streams `items` numbers from one actor to another through a flow. */
async function flowOnce(items: number, opts: { policy: OverflowPolicy; capacity: number; maxBatch: number; window: number }): Promise<void> {
  const system = newSystem();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let received = 0;
  let sum = 0;
  const consumer = system.spawn((ctx) => {
    const host = new FlowHost(ctx, {
      onOpen: () => ({
        highWatermark: opts.window,
        onItems: (batch: number[]) => {
          // Touch every item, as a real consumer would.
          for (let i = 0; i < batch.length; i++) sum += batch[i];
          received += batch.length;
        },
        onComplete: () => finished(),
      }),
    });
    return withFlows(host, {});
  });
  system.spawn(
    (ctx: ActorContext, to: ActorRef) => {
      const host = new FlowHost(ctx);
      let s: Stream<number>;
      let next = 0;
      const pump = (): void => {
        const end = Math.min(items, next + CHUNK);
        while (next < end && s.push(next)) next++;
        if (next === items) s.close();
        else if (s.freeCapacity > 0) ctx.send(ctx.self, { type: 'pump' });
        else void s.ready().then(() => ctx.self.tell({ type: 'pump' }));
      };
      return withFlows(host, {
        start: () => {
          s = host.open<number>(to, { policy: opts.policy, capacity: opts.capacity, maxBatch: opts.maxBatch });
          pump();
        },
        pump,
      });
    },
    { args: [consumer] },
  ).tell({ type: 'start' });
  await done;
  if (received !== items || sum !== (items * (items - 1)) / 2) throw new Error(`flow lost items: ${received} of ${items}`);
  await system.shutdown();
}

/** Sends `items` numbers from one actor to another as one plain message each. */
async function messagesOnce(items: number): Promise<void> {
  const system = newSystem();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let received = 0;
  let sum = 0;
  const consumer = system.spawn<{ type: 'item'; v: number }>(() => ({
    item: (m) => {
      sum += m.v;
      if (++received === items) finished();
    },
  }));
  system.spawn(
    (ctx: ActorContext, to: ActorRef) => {
      let next = 0;
      const pump = (): void => {
        const end = Math.min(items, next + CHUNK);
        for (; next < end; next++) ctx.send(to, { type: 'item', v: next });
        if (next < items) ctx.send(ctx.self, { type: 'pump' });
      };
      return { pump };
    },
    { args: [consumer] },
  ).tell({ type: 'pump' });
  await done;
  if (sum !== (items * (items - 1)) / 2) throw new Error('plain messages lost items');
  await system.shutdown();
}

async function main(): Promise<void> {
  console.log(`actor-flow: ${ITEMS} items per round, ${ROUNDS} rounds, node ${process.version}`);
  const rows: Measurement[] = [];

  const q: number[] = [];
  rows.push(
    measure(
      'raw array push/shift (1000 per call)',
      () => {
        for (let i = 0; i < 1000; i++) q.push(i);
        for (let i = 0; i < 1000; i++) q.shift();
      },
      { opsPerCall: 1000, rounds: ROUNDS },
    ),
  );
  const bb = new BoundedBuffer<number>(1024, 'block');
  rows.push(
    measure(
      'BoundedBuffer push + take(1000)',
      () => {
        for (let i = 0; i < 1000; i++) bb.push(i);
        bb.take(1000);
      },
      { opsPerCall: 1000, rounds: ROUNDS },
    ),
  );

  const plainItems = Math.min(ITEMS, 1_000_000);
  rows.push(await measureAsync('actor messages, 1 item each (baseline)', plainItems, () => messagesOnce(plainItems)));
  for (const [maxBatch, window] of [
    [64, 256],
    [512, 2048],
    [1024, 8192],
  ]) {
    rows.push(
      await measureAsync(`flow block, maxBatch ${maxBatch}, window ${window}`, ITEMS, () => flowOnce(ITEMS, { policy: 'block', capacity: 2 * window, maxBatch, window })),
    );
  }

  printTable('Items per second (median of rounds; ratio to one actor message per item)', rows, 'actor messages, 1 item each (baseline)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
