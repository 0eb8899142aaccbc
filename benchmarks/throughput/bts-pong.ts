/**
 * broker-ts round-trip latency, echoing side: listens on loopback and publishes every
 * value it receives on `/benchmark/ping` back on `/benchmark/pong` (as `broker14-pong`).
 * Prints `ready <port>`; speaks the control protocol.
 */
import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';
import { LATENCY_TOPICS } from './latency-topics';

async function main(): Promise<void> {
  const ep = new Endpoint({ name: 'bts-pong', logger: quietLogger(), ...peeringTransport() });
  let echoed = 0;
  ep.subscribe(LATENCY_TOPICS.ping, (_topic, value) => {
    ep.publish(LATENCY_TOPICS.pong, value);
    echoed++;
  });
  const port = await ep.listen('127.0.0.1', 0);
  serveControl({ count: () => echoed, onStop: () => ep.shutdown() });
  announceReady(port);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
