/**
 * The worker of the TCP variant of `bts-worker-host.ts`: a receiving endpoint listening
 * on loopback; posts `{port}` once listening.
 */
import { parentPort } from 'node:worker_threads';

import { Endpoint } from '@broker-ts/broker';

import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';
import { serveWorkerReceiver, type WorkerReport } from './worker-receiver-control';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'bts-worker-receiver', logger: quietLogger(), ...peeringTransport() });
  serveWorkerReceiver(ep);
  parentPort!.postMessage({ port: await ep.listen('127.0.0.1', 0) } satisfies WorkerReport);
}

void main();
