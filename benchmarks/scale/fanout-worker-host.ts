/**
 * The worker-thread variant of the fan-out curve: one process whose main-thread endpoint
 * starts K worker endpoints (`Endpoint.spawnWorkerEndpoint`, peered over MessagePorts) and
 * publishes conn events through one `Publisher` to all of them. The control protocol's
 * count is the events delivered, summed over the workers (each counts into its own shared
 * counter); the process's CPU covers every thread. Prints `ready`.
 * Usage: fanout-worker-host.ts <K>
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { publishConnEvents, type SenderState, waitForEventsSubscription } from '../throughput/publish-conn-events';
import { quietLogger } from '../throughput/quiet-logger';
import type { HostMessage, WorkerReport } from '../throughput/worker-receiver-control';

async function main(): Promise<void> {
  const k = Number(process.argv[2]);
  if (!Number.isInteger(k) || k < 1) throw new Error('usage: fanout-worker-host.ts <K>');
  const ep = new Endpoint({ name: 'fanout-worker-host', logger: quietLogger(), disableSsl: true });
  const receiver = join(__dirname, '..', 'throughput', 'bts-worker-port-receiver.ts');
  const workers: Worker[] = [];
  // One at a time: K threads compiling their modules at once would only contend for the cores.
  for (let i = 0; i < k; i++) workers.push((await ep.spawnWorkerEndpoint(receiver, { name: `fanout-worker-${i}` })).worker);
  const counters = workers.map((worker) => {
    worker.on('error', (error) => {
      console.error(error);
      process.exit(1);
    });
    const counter = new SharedArrayBuffer(8);
    worker.postMessage({ counter } satisfies HostMessage);
    return new BigInt64Array(counter);
  });
  await waitForEventsSubscription(ep);
  const state: SenderState = { sent: 0, stopping: false };
  const sending = publishConnEvents(ep, state);
  serveControl({
    count: () => counters.reduce((sum, c) => sum + Number(Atomics.load(c, 0)), 0),
    onStop: async () => {
      state.stopping = true;
      await sending.catch(() => undefined);
      const failures = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<string | null>((resolve) => {
              worker.on('message', (report: WorkerReport) => {
                if ('checked' in report) resolve(report.checked);
              });
              worker.postMessage('check' satisfies HostMessage);
            }),
        ),
      );
      await ep.shutdown();
      const failure = failures.find((f) => f !== null);
      if (failure !== undefined) throw new Error(`worker: ${failure}`);
    },
  });
  announceReady();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
