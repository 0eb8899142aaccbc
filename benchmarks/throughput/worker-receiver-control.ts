/**
 * The worker side of the broker-ts worker rows: counts the conn events its endpoint
 * receives into a shared counter the host posts (`{counter}` on `parentPort`), and on
 * `check` verifies the last event, shuts the endpoint down and answers
 * `{checked: null | failure}`.
 */
import { parentPort } from 'node:worker_threads';

import type { Endpoint } from '@broker-ts/broker';

import { ConnEventCounter } from './conn-event-counter';

/** What the host posts to the worker. */
export type HostMessage = { counter: SharedArrayBuffer } | 'check';

/** What the worker posts to the host. */
export type WorkerReport = { port: number } | { checked: string | null };

/** Serves the host's messages for `endpoint` (call once, in the worker). */
export function serveWorkerReceiver(endpoint: Endpoint): void {
  const port = parentPort!;
  let shared: BigInt64Array | undefined;
  const events = new ConnEventCounter(endpoint, (n) => {
    if (shared !== undefined) Atomics.store(shared, 0, BigInt(n));
  });
  port.on('message', (message: HostMessage) => {
    if (message !== 'check') {
      shared = new BigInt64Array(message.counter);
      Atomics.store(shared, 0, BigInt(events.received));
      return;
    }
    let failure: string | null = null;
    try {
      events.check();
    } catch (error) {
      failure = (error as Error).message;
    }
    void endpoint.shutdown().then(() => port.postMessage({ checked: failure } satisfies WorkerReport));
  });
}
