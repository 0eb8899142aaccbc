/**
 * broker-ts between the main thread and a worker thread (one process): the worker runs
 * a receiving endpoint, the main thread a sending endpoint that publishes conn events
 * through a `Publisher`. `port`: the worker is started by `Endpoint.spawnWorkerEndpoint`
 * and the two endpoints peer over a MessagePort; `tcp`: a plain worker whose endpoint
 * listens on loopback and the main endpoint peers with it over TCP. The process's CPU
 * covers both threads. Prints `ready`; speaks the control protocol.
 * Usage: bts-worker-host.ts port|tcp
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { publishConnEvents, type SenderState, waitForEventsSubscription } from './publish-conn-events';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';
import type { HostMessage, WorkerReport } from './worker-receiver-control';

/** Starts the worker and peers `ep` with its endpoint; resolves with the thread. */
async function startWorker(ep: Endpoint, mode: 'port' | 'tcp'): Promise<Worker> {
  if (mode === 'port') return (await ep.spawnWorkerEndpoint(join(__dirname, 'bts-worker-port-receiver.ts'), { name: 'bts-worker' })).worker;
  const worker = new Worker(join(__dirname, 'bts-worker-receiver.ts'), {
    execArgv: ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs')],
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (report: WorkerReport) => {
      if ('port' in report) resolve(report.port);
    });
  });
  if (!(await ep.peer('127.0.0.1', port))) throw new Error(`cannot peer with the worker at 127.0.0.1:${port}`);
  return worker;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'port' && mode !== 'tcp') throw new Error(`mode must be port or tcp, got ${mode}`);
  const ep = new Endpoint({ name: 'bts-worker-main', logger: quietLogger(), ...peeringTransport() });
  const worker = await startWorker(ep, mode);
  worker.on('error', (error) => {
    console.error(error);
    process.exit(1);
  });
  const counter = new SharedArrayBuffer(8);
  worker.postMessage({ counter } satisfies HostMessage);
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
        worker.on('message', (report: WorkerReport) => {
          if ('checked' in report) resolve(report.checked);
        });
        worker.postMessage('check' satisfies HostMessage);
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
