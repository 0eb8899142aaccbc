/**
 * NATS baseline, receiving side: subscribes to the events subject, decodes every message
 * with the benchmark codec, and publishes its cumulative count on the ack subject every
 * `ackEvery` messages (and every 100 ms, so a lost ack cannot stall the sender).
 * Usage: nats-subscriber.ts <serverPort> [ackEvery]
 */
import { connect, StringCodec } from 'nats';

import { DEFAULT_ACK_EVERY } from '../lib/ack-window-defaults';
import { announceReady, serveControl } from '../lib/control-server';
import { assertConnEvent, decodeEvent } from '../lib/event-codec';
import { ACK_SUBJECT, EVENTS_SUBJECT } from './nats-subjects';

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const ackEvery = Number(process.argv[3] ?? DEFAULT_ACK_EVERY);
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const sc = StringCodec();
  let received = 0;
  let lastDecoded: unknown;
  nc.subscribe(EVENTS_SUBJECT, {
    callback: (error, msg) => {
      if (error) throw error;
      lastDecoded = decodeEvent(msg.data);
      received++;
      if (received % ackEvery === 0) nc.publish(ACK_SUBJECT, sc.encode(String(received)));
    },
  });
  const reAck = setInterval(() => {
    nc.publish(ACK_SUBJECT, sc.encode(String(received)));
  }, 100);
  // The subscription is known to the server once a flush round trip has completed.
  await nc.flush();
  serveControl({
    count: () => received,
    onStop: async () => {
      clearInterval(reAck);
      await nc.close();
      if (received > 0) assertConnEvent(lastDecoded);
    },
  });
  announceReady();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
