/*
 * Streams between two actor systems connected over real TCP sockets (in this process):
 * batches and credit cross the transport as ordinary messages.
 */
import pino from 'pino';
import type { ActorRef } from '../actor-ref';
import { ActorSystem } from '../actor-system';
import type { AnyMessage } from '../message';
import { connectTcp, listenTcp } from '../net/tcp-network';
import { countingConsumer, type ConsumerReport, type CountingConsumerOptions } from './__fixtures__/counting-consumer';
import { pumpingProducer, type ProducerResult, type StartPumping } from './__fixtures__/pumping-producer';
import type { SourceOptions } from './stream-source';

const systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

function system(name: string): ActorSystem {
  const s = new ActorSystem({ name, nodeId: `${name}-${process.pid}-${systems.length}`, logger: pino({ level: 'silent' }) });
  systems.push(s);
  return s;
}

/** Connects `b` to `a` over TCP on loopback. */
async function connect(a: ActorSystem, b: ActorSystem): Promise<void> {
  // Streams between nodes we own: both trust each other.
  const port = await listenTcp(a, {}, { trusted: true });
  await connectTcp(b, '127.0.0.1', port, { trusted: true });
}

/** A consumer on `a` (registered as `sink`) and its report, seen by `b` through lookup. */
async function remoteConsumer(a: ActorSystem, b: ActorSystem, options: CountingConsumerOptions): Promise<{ ref: ActorRef; report: Promise<ConsumerReport> }> {
  let resolve!: (r: ConsumerReport) => void;
  const report = new Promise<ConsumerReport>((r) => (resolve = r));
  const reporter = a.spawn(() => ({ report: (m: AnyMessage) => resolve(m as ConsumerReport) }));
  a.spawn(countingConsumer, { args: [reporter, options], name: 'sink' });
  const ref = await b.lookup(a.nodeId, 'sink');
  if (ref === undefined) throw new Error('lookup failed');
  return { ref, report };
}

function startProducer(s: ActorSystem, to: ActorRef, count: number, options: SourceOptions): Promise<ProducerResult> {
  return new Promise<ProducerResult>((resolve) => {
    s.spawn(pumpingProducer, { args: [resolve] }).tell({ type: 'start', to, count, options } satisfies StartPumping);
  });
}

describe('streams over TCP', () => {
  test('under block every item crosses in order and the producer buffer stays within its capacity', async () => {
    const a = system('flow-a');
    const b = system('flow-b');
    await connect(a, b);
    const { ref, report } = await remoteConsumer(a, b, { highWatermark: 2048 });
    const produced = await startProducer(b, ref, 200_000, { capacity: 1000, policy: 'block', maxBatch: 256 });
    const got = await report;
    expect(produced.error).toBeUndefined();
    expect(produced.maxBuffered).toBeLessThanOrEqual(1000);
    expect(produced.dropped).toBe(0);
    expect(got).toMatchObject({ received: 200_000, inOrder: true, completed: true, error: null });
  });

  test('a slow remote consumer under disconnect cuts the stream with overflow on both sides', async () => {
    const a = system('flow-slow-a');
    const b = system('flow-slow-b');
    await connect(a, b);
    const { ref, report } = await remoteConsumer(a, b, { highWatermark: 16, everyMs: 50 });
    const produced = await startProducer(b, ref, 10_000, { capacity: 100, policy: 'disconnect' });
    expect(produced.error?.code).toBe('overflow');
    expect(produced.maxBuffered).toBeLessThanOrEqual(100);
    const got = await report;
    expect(got.error?.code).toBe('overflow');
    expect(got.received).toBeLessThanOrEqual(16);
  });

  test('a consumer whose node shuts down mid-stream ends the producer stream with consumer_down', async () => {
    const a = system('flow-gone-a');
    const b = system('flow-gone-b');
    await connect(a, b);
    const { ref } = await remoteConsumer(a, b, { highWatermark: 8, everyMs: 1000 });
    let flowing!: () => void;
    const started = new Promise<void>((r) => (flowing = r));
    const result = new Promise<ProducerResult>((resolve) => {
      b.spawn(pumpingProducer, { args: [resolve, flowing] }).tell({ type: 'start', to: ref, count: 1_000_000, options: { capacity: 64 } } satisfies StartPumping);
    });
    await started;
    await a.shutdown();
    const produced = await result;
    expect(produced.error?.code).toBe('consumer_down');
    expect(produced.sent).toBeLessThanOrEqual(8);
  });
});
