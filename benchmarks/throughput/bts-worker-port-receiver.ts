/**
 * The worker of the MessagePort variant of `bts-worker-host.ts`, started by
 * `Endpoint.spawnWorkerEndpoint`: a receiving endpoint peered with the main thread's
 * over the thread's MessagePort (`peerParent`).
 */
import { Endpoint } from '@broker-ts/broker';

import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';
import { serveWorkerReceiver } from './worker-receiver-control';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'bts-worker-port-receiver', logger: quietLogger(), ...peeringTransport() });
  serveWorkerReceiver(ep);
  if (!(await ep.peerParent())) throw new Error('peerParent failed');
}

void main();
