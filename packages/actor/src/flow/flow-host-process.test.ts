/*
 * Streams to an actor in another process over real TCP: a child process hosts the
 * consumer; killing it mid-stream ends the producer's stream with consumer_down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import pino from 'pino';
import type { ActorRef } from '../actor-ref';
import { ActorSystem } from '../actor-system';
import type { AnyMessage } from '../message';
import { connectTcp } from '../net/tcp-network';
import type { ConsumerReport, CountingConsumerOptions } from './__fixtures__/counting-consumer';
import { pumpingProducer, type ProducerResult, type StartPumping } from './__fixtures__/pumping-producer';

const CHILD = path.join(__dirname, '__fixtures__', 'flow-node-process.ts');

interface Child {
  proc: ChildProcess;
  port: number;
  node: string;
  exited: Promise<unknown>;
}

/** Starts the child node and resolves on its `ready` line (rejects if it exits first). */
async function startChild(): Promise<Child> {
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<unknown>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const { port, node } = await new Promise<{ port: number; node: string }>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\d+) (\S+)$/m.exec(out);
      if (m) resolve({ port: Number(m[1]), node: m[2] });
    });
    void exited.then((how) => reject(new Error(`child exited (${String(how)}) before it was ready: ${err}`)));
  });
  return { proc, port, node, exited };
}

let system: ActorSystem;
let child: Child | undefined;
beforeEach(() => {
  system = new ActorSystem({ name: 'flow-parent', logger: pino({ level: 'silent' }) });
});
afterEach(async () => {
  await system.shutdown();
  if (child !== undefined) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
    child.proc.stdin?.destroy();
    child.proc.stdout?.destroy();
    child.proc.stderr?.destroy();
    child = undefined;
  }
});

/** Starts the child, connects, and has it spawn a consumer that reports to this process. */
async function remoteConsumer(options: CountingConsumerOptions): Promise<{ ref: ActorRef; report: Promise<ConsumerReport> }> {
  child = await startChild();
  await connectTcp(system, '127.0.0.1', child.port, { trusted: true });
  const consumers = await system.lookup(child.node, 'consumers');
  if (consumers === undefined) throw new Error('no consumers actor in the child');
  let resolve!: (r: ConsumerReport) => void;
  const report = new Promise<ConsumerReport>((r) => (resolve = r));
  const reporter = system.spawn(() => ({ report: (m: AnyMessage) => resolve(m as ConsumerReport) }));
  const ref = await system.request<ActorRef>(consumers, { type: 'spawn', report: reporter, options });
  return { ref, report };
}

describe('streams to another process', () => {
  test('under block every item reaches the child process in order', async () => {
    const { ref, report } = await remoteConsumer({ highWatermark: 4096 });
    const produced = await new Promise<ProducerResult>((resolve) => {
      system.spawn(pumpingProducer, { args: [resolve] }).tell({ type: 'start', to: ref, count: 200_000, options: { capacity: 2048, maxBatch: 512 } } satisfies StartPumping);
    });
    expect(produced.error).toBeUndefined();
    expect(produced.maxBuffered).toBeLessThanOrEqual(2048);
    await expect(report).resolves.toMatchObject({ received: 200_000, inOrder: true, completed: true, error: null });
  });

  test('killing the consumer process mid-stream ends the producer stream with consumer_down', async () => {
    const { ref } = await remoteConsumer({ highWatermark: 8, everyMs: 1000 });
    let flowing!: () => void;
    const started = new Promise<void>((r) => (flowing = r));
    const result = new Promise<ProducerResult>((resolve) => {
      system.spawn(pumpingProducer, { args: [resolve, flowing] }).tell({ type: 'start', to: ref, count: 1_000_000, options: { capacity: 64 } } satisfies StartPumping);
    });
    await started;
    child!.proc.kill('SIGKILL');
    const produced = await result;
    expect(produced.error?.code).toBe('consumer_down');
    expect(produced.error?.message).toMatch(/unreachable/);
    expect(produced.maxBuffered).toBeLessThanOrEqual(64);
  });
});
