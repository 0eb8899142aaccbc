/**
 * broker-ts over TCP, sending process: peers with the receiver on loopback and publishes
 * conn events through a `Publisher` (backpressure, no ack window). Prints `ready` once
 * the receiver's subscription is known. Usage: bts-sender.ts <port>
 */
import { Endpoint } from '@broker-ts/broker';

import { runConnEventSender } from './publish-conn-events';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const ep = new Endpoint({ name: 'bts-sender', logger: quietLogger(), ...peeringTransport() });
  if (!(await ep.peer('127.0.0.1', port))) throw new Error(`cannot peer with 127.0.0.1:${port}`);
  await runConnEventSender(ep);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
