/*
 * Streams between the main thread and an actor in a real worker thread: batches and
 * credit cross the MessagePort as ordinary messages; a crashing worker ends the stream.
 */
import * as path from 'node:path';
import pino from 'pino';
import type { ActorRef } from '../actor-ref';
import { ActorSystem } from '../actor-system';
import type { AnyMessage } from '../message';
import { spawnWorker } from '../worker/start-worker';
import type { ConsumerReport, CountingConsumerOptions } from './__fixtures__/counting-consumer';
import { pumpingProducer, type ProducerResult, type StartPumping } from './__fixtures__/pumping-producer';
import type { SourceOptions } from './stream-source';

const CONSUMER_MODULE = path.join(__dirname, '__fixtures__', 'counting-consumer.ts');

let system: ActorSystem;
beforeEach(() => {
  system = new ActorSystem({ name: 'flow-worker-test', logger: pino({ level: 'silent' }) });
});
afterEach(() => system.shutdown());

/** Spawns the counting consumer in a dedicated worker; its report comes to the main thread. */
async function consumerInWorker(options: CountingConsumerOptions): Promise<{ ref: ActorRef; report: Promise<ConsumerReport> }> {
  let resolve!: (r: ConsumerReport) => void;
  const report = new Promise<ConsumerReport>((r) => (resolve = r));
  const reporter = system.spawn(() => ({ report: (m: AnyMessage) => resolve(m as ConsumerReport) }));
  const ref = await spawnWorker(system, CONSUMER_MODULE, { exportName: 'countingConsumer', args: [reporter, options] });
  return { ref, report };
}

function produce(to: ActorRef, count: number, options: SourceOptions): Promise<ProducerResult> {
  return new Promise<ProducerResult>((resolve) => {
    system.spawn(pumpingProducer, { args: [resolve] }).tell({ type: 'start', to, count, options } satisfies StartPumping);
  });
}

describe('streams to a worker thread', () => {
  test('under block every item reaches the worker in order and the producer buffer stays within its capacity', async () => {
    const { ref, report } = await consumerInWorker({ highWatermark: 2048 });
    const produced = await produce(ref, 100_000, { capacity: 500, policy: 'block', maxBatch: 256 });
    expect(produced.error).toBeUndefined();
    expect(produced.maxBuffered).toBeLessThanOrEqual(500);
    expect(produced.dropped).toBe(0);
    await expect(report).resolves.toMatchObject({ received: 100_000, inOrder: true, completed: true, error: null });
  });

  test('a worker that crashes mid-stream ends the producer stream with consumer_down', async () => {
    const { ref } = await consumerInWorker({ highWatermark: 64, exitAfter: 1000 });
    const produced = await produce(ref, 1_000_000, { capacity: 256, policy: 'block' });
    expect(produced.error?.code).toBe('consumer_down');
    expect(produced.error?.message).toMatch(/unreachable/);
    expect(produced.sent).toBeGreaterThanOrEqual(1000);
    expect(produced.sent).toBeLessThan(1_000_000);
  });
});
