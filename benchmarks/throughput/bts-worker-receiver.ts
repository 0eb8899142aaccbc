/**
 * The worker side of `bts-worker-host.ts`: a receiving endpoint listening on loopback,
 * counting conn events into shared memory. Posts `{port}` once listening; on `check`,
 * verifies the last event, answers `{checked: null | failure}` and shuts its endpoint down.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { Endpoint } from '@broker-ts/broker';

import { ConnEventCounter } from './conn-event-counter';
import { quietLogger } from './quiet-logger';

const { counter } = workerData as { counter: SharedArrayBuffer };
const shared = new BigInt64Array(counter);
const port = parentPort!;

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'bts-worker-receiver', logger: quietLogger() });
  const events = new ConnEventCounter(ep, (n) => Atomics.store(shared, 0, BigInt(n)));
  port.on('message', (message: 'check') => {
    if (message !== 'check') return;
    let failure: string | null = null;
    try {
      events.check();
    } catch (error) {
      failure = (error as Error).message;
    }
    void ep.shutdown().then(() => port.postMessage({ checked: failure }));
  });
  port.postMessage({ port: await ep.listen('127.0.0.1', 0) });
}

void main();
