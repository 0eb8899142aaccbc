/**
 * The publishing process of the fan-out curve: peers with every receiver given on the
 * command line, then publishes conn events through one `Publisher` (backpressure, no ack
 * window) to all of them. Prints `ready` once peered; speaks the control protocol
 * (`baselines/lib/bench-child.ts`). Usage: fanout-sender.ts <port>...
 */
import { Endpoint } from '@broker-ts/broker';

import { runConnEventSender } from '../throughput/publish-conn-events';
import { quietLogger } from '../throughput/quiet-logger';

async function main(): Promise<void> {
  const ports = process.argv.slice(2).map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0)) throw new Error('usage: fanout-sender.ts <port>...');
  const ep = new Endpoint({ name: 'fanout-sender', logger: quietLogger(), disableSsl: true });
  // The handshake carries each receiver's filter: once peered, every receiver gets events.
  const peered = await Promise.all(ports.map((port) => ep.peer('127.0.0.1', port)));
  if (peered.some((ok) => !ok)) throw new Error(`cannot peer with all of ${ports.join(', ')}`);
  await runConnEventSender(ep);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
