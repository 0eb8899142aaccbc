/**
 * broker-ts over TCP, receiving process: an endpoint listening on loopback that counts
 * the conn events a peer publishes (undecoded with `--lazy`, see `conn-event-counter.ts`).
 * Prints `ready <port>`; speaks the baselines' control protocol (`baselines/lib/bench-child.ts`).
 */
import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { ConnEventCounter, LAZY_FLAG } from './conn-event-counter';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'bts-receiver', logger: quietLogger(), ...peeringTransport() });
  const counter = new ConnEventCounter(ep, undefined, process.argv.includes(LAZY_FLAG));
  const port = await ep.listen('127.0.0.1', 0);
  serveControl({
    count: () => counter.received,
    onStop: async () => {
      counter.check();
      await ep.shutdown();
    },
  });
  announceReady(port);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
