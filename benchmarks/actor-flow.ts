/**
 * Items per second through flows (credit-based streams between two actors, items in
 * batches) beside baselines measured in the same run:
 * - locally: the same items as plain actor messages, one message per item, and a raw
 *   array push/shift loop (the floor of any in-process queue);
 * - to a worker thread: the same items as plain actor messages to an actor in the worker.
 * Every consumer touches every item (sums them) and the sum is checked.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/actor-flow.ts [items]
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { performance } from 'node:perf_hooks';
import { ActorSystem, startWorker, type ActorContext, type ActorRef, type AnyMessage, type Behavior } from '@broker-ts/actor';
import { FlowHost, withFlows, type SourceOptions, type Stream } from '@broker-ts/actor';
import { BoundedBuffer } from '@broker-ts/actor/internal';
import { measure, measureRounds, printTable, type Measurement } from './lib/harness';

const ITEMS = Number(process.argv[2] ?? 5_000_000);
const ROUNDS = 5;
/** Items a producer pushes (or sends) per turn before it lets other actors run. */
const CHUNK = 4096;

/** What a consumer reports once it has every item. */
interface Done {
  type: 'done';
  received: number;
  sum: number;
}

/** Consumer of one flow: sums the items, reports at completion. Also runs in workers. */
export function flowConsumer(ctx: ActorContext, report: ActorRef, window: number): Behavior {
  let received = 0;
  let sum = 0;
  const host = new FlowHost(ctx, {
    onOpen: () => ({
      highWatermark: window,
      onItems: (batch: number[]) => {
        for (let i = 0; i < batch.length; i++) sum += batch[i];
        received += batch.length;
      },
      onComplete: () => ctx.send(report, { type: 'done', received, sum } satisfies Done),
    }),
  });
  return withFlows(host, {});
}

/** Consumer of plain messages, one item each: sums them, reports after `items`. Also runs in workers. */
export function messageConsumer(ctx: ActorContext, report: ActorRef, items: number): Behavior {
  let received = 0;
  let sum = 0;
  return {
    item: (m: AnyMessage) => {
      sum += m.v as number;
      if (++received === items) ctx.send(report, { type: 'done', received, sum } satisfies Done);
    },
  };
}

/** Producer of one flow: pushes 0..items-1 as fast as the stream takes them, then closes. */
function flowProducer(ctx: ActorContext, to: ActorRef, items: number, options: SourceOptions): Behavior {
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
      s = host.open<number>(to, options);
      pump();
    },
    pump,
  });
}

/** Producer of plain messages: sends 0..items-1, one message each, CHUNK per turn. */
function messageProducer(ctx: ActorContext, to: ActorRef, items: number): Behavior {
  let next = 0;
  const pump = (): void => {
    const end = Math.min(items, next + CHUNK);
    for (; next < end; next++) ctx.send(to, { type: 'item', v: next });
    if (next < items) ctx.send(ctx.self, { type: 'pump' });
  };
  return { start: pump, pump };
}

/**
 * One timed round: spawns the consumer (not timed), then times from the producer's start
 * until the consumer reports every item.
 * @returns elapsed milliseconds
 */
async function round(system: ActorSystem, items: number, spawnConsumer: (report: ActorRef) => Promise<ActorRef>, producer: (to: ActorRef) => ActorRef): Promise<number> {
  let resolve!: (d: Done) => void;
  const done = new Promise<Done>((r) => (resolve = r));
  const reporter = system.spawn(() => ({ done: (m: AnyMessage) => resolve(m as Done) }));
  const consumer = await spawnConsumer(reporter);
  const start = performance.now();
  producer(consumer).tell({ type: 'start' });
  const d = await done;
  const elapsed = performance.now() - start;
  if (d.received !== items || d.sum !== (items * (items - 1)) / 2) throw new Error(`lost items: ${d.received} of ${items}`);
  system.stop(reporter);
  system.stop(consumer);
  return elapsed;
}

/** A warm-up and `ROUNDS` timed rounds, each timing itself without its setup; the median rate. */
function flowRounds(name: string, items: number, once: () => Promise<number>): Promise<Measurement> {
  return measureRounds(name, items, once, { rounds: ROUNDS });
}

async function main(): Promise<void> {
  // The worker node's exit at shutdown is logged as a lost node at warn level.
  process.env.BROKER_TS_LOG_LEVEL ??= 'error';
  console.log(`actor-flow: ${ITEMS} items per flow round, ${ROUNDS} rounds, node ${process.version}`);
  const system = new ActorSystem({ name: 'bench' });
  const local: Measurement[] = [];

  const q: number[] = [];
  local.push(
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
  local.push(
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
  const localMessages = 'actor messages, 1 item each (baseline)';
  local.push(
    await flowRounds(localMessages, plainItems, () =>
      round(system, plainItems, async (report) => system.spawn(messageConsumer, { args: [report, plainItems] }), (to) => system.spawn(messageProducer, { args: [to, plainItems] })),
    ),
  );
  for (const [maxBatch, window] of [
    [64, 256],
    [512, 2048],
    [1024, 8192],
  ]) {
    local.push(
      await flowRounds(`flow block, maxBatch ${maxBatch}, window ${window}`, ITEMS, () =>
        round(system, ITEMS, async (report) => system.spawn(flowConsumer, { args: [report, window] }), (to) =>
          system.spawn(flowProducer, { args: [to, ITEMS, { policy: 'block', capacity: 2 * window, maxBatch }] }),
        ),
      ),
    );
  }
  printTable('Local, items per second (median of rounds; ratio to one actor message per item)', local, localMessages);

  // Worker thread: consumers spawned from this very module in one worker node.
  const node = startWorker(system, { name: 'bench-worker' });
  const workerItems = Math.min(ITEMS, 2_000_000);
  const workerPlain = Math.min(ITEMS, 500_000);
  const worker: Measurement[] = [];
  const workerMessages = 'to worker: actor messages, 1 item each (baseline)';
  worker.push(
    await flowRounds(workerMessages, workerPlain, () =>
      round(system, workerPlain, (report) => node.spawn(__filename, { exportName: 'messageConsumer', args: [report, workerPlain] }), (to) =>
        system.spawn(messageProducer, { args: [to, workerPlain] }),
      ),
    ),
  );
  for (const [maxBatch, window] of [
    [256, 2048],
    [1024, 8192],
  ]) {
    worker.push(
      await flowRounds(`to worker: flow block, maxBatch ${maxBatch}, window ${window}`, workerItems, () =>
        round(system, workerItems, (report) => node.spawn(__filename, { exportName: 'flowConsumer', args: [report, window] }), (to) =>
          system.spawn(flowProducer, { args: [to, workerItems, { policy: 'block', capacity: 2 * window, maxBatch }] }),
        ),
      ),
    );
  }
  printTable('Main thread -> worker thread, items per second (ratio to one actor message per item)', worker, workerMessages);
  await system.shutdown();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
