/**
 * broker-ts between two endpoints in one thread (one process): a sending endpoint peers
 * with a receiving endpoint over loopback TCP and publishes conn events through a
 * `Publisher`. The process's CPU covers both. Prints `ready`; speaks the control protocol.
 */
import { Endpoint } from '@broker-ts/broker';

import { announceReady, serveControl } from '../baselines/lib/control-server';
import { ConnEventCounter } from './conn-event-counter';
import { publishConnEvents, type SenderState, waitForEventsSubscription } from './publish-conn-events';
import { peeringTransport } from './peering-transport';
import { quietLogger } from './quiet-logger';

async function main(): Promise<void> {
  const logger = quietLogger();
  const receiver = new Endpoint({ name: 'bts-in-thread-receiver', logger, ...peeringTransport() });
  const sender = new Endpoint({ name: 'bts-in-thread-sender', logger, ...peeringTransport() });
  const counter = new ConnEventCounter(receiver);
  const port = await receiver.listen('127.0.0.1', 0);
  if (!(await sender.peer('127.0.0.1', port))) throw new Error(`cannot peer with 127.0.0.1:${port}`);
  await waitForEventsSubscription(sender);
  const state: SenderState = { sent: 0, stopping: false };
  const sending = publishConnEvents(sender, state);
  serveControl({
    count: () => counter.received,
    onStop: async () => {
      state.stopping = true;
      await sending.catch(() => undefined);
      counter.check();
      await Promise.all([sender.shutdown(), receiver.shutdown()]);
    },
  });
  announceReady();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
