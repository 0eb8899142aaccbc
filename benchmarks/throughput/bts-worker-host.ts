/**
 * broker-ts between the main thread and a worker thread (one process): the worker runs
 * a receiving endpoint (`bts-worker-receiver.ts`), the main thread a sending endpoint
 * that publishes conn events through a `Publisher`. broker-ts has no MessagePort
 * peering between endpoints yet, so the two endpoints peer over loopback TCP inside the
 * process. The process's CPU covers both threads. Prints `ready`; speaks the control
 * protocol.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { publishConnEvents, type SenderState, waitForEventsSubscription } from './publish-conn-events';
import { quietLogger } from './quiet-logger';

/** What the worker posts to the main thread. */
export type WorkerReport = { port: number } | { checked: string | null };

async function main(): Promise<void> {
  const counter = new SharedArrayBuffer(8);
  const worker = new Worker(join(__dirname, 'bts-worker-receiver.ts'), {
    workerData: { counter },
    execArgv: ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs')],
  });
  worker.on('error', (error) => {
    console.error(error);
    process.exit(1);
  });
  let onChecked: ((failure: string | null) => void) | undefined;
  const port = await new Promise<number>((resolve) => {
    worker.on('message', (report: WorkerReport) => {
      if ('port' in report) resolve(report.port);
      else onChecked?.(report.checked);
    });
  });
  const ep = new Endpoint({ name: 'bts-worker-main', logger: quietLogger() });
  if (!(await ep.peer('127.0.0.1', port))) throw new Error(`cannot peer with the worker at 127.0.0.1:${port}`);
  await waitForEventsSubscription(ep);
  const state: SenderState = { sent: 0, stopping: false };
  const sending = publishConnEvents(ep, state);
  const received = new BigInt64Array(counter);
  serveControl({
    count: () => Number(Atomics.load(received, 0)),
    onStop: async () => {
      state.stopping = true;
      await sending.catch(() => undefined);
      const failure = await new Promise<string | null>((resolve) => {
        onChecked = resolve;
        worker.postMessage('check');
      });
      await ep.shutdown();
      await worker.terminate();
      if (failure !== null) throw new Error(`worker: ${failure}`);
    },
  });
  announceReady();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
