/**
 * NATS baseline, sending side: publishes the benchmark event, cbor-x-encoded per
 * message, on the events subject as fast as an ack window allows (NATS core has no
 * end-to-end backpressure: without the window the client's or the server's buffers
 * absorb the overflow until the server cuts a slow consumer).
 * Usage: nats-publisher.ts <serverPort> [window]
 */
import { connect, StringCodec } from 'nats';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import { makeConnEventPlain } from '../../lib/conn-event';
import { AckWindow } from '../lib/ack-window';
import { DEFAULT_WINDOW } from '../lib/ack-window-defaults';
import { announceReady, serveControl } from '../lib/control-server';
import { encodeEvent } from '../lib/event-codec';
import { ACK_SUBJECT, EVENTS_SUBJECT } from './nats-subjects';

/** Publishes between two turns of the event loop, so acks and control lines get in. */
const CHUNK = 1000;

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const window = new AckWindow(Number(process.argv[3] ?? DEFAULT_WINDOW));
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const sc = StringCodec();
  let stopping = false;
  nc.subscribe(ACK_SUBJECT, { callback: (_error, msg) => window.ack(Number(sc.decode(msg.data))) });
  await nc.flush();
  serveControl({
    count: () => window.sent,
    onStop: async () => {
      stopping = true;
      await nc.close();
    },
  });
  announceReady();
  while (!stopping) {
    await window.waitForRoom();
    const n = Math.min(window.room, CHUNK);
    for (let i = 0; i < n; i++) {
      nc.publish(EVENTS_SUBJECT, encodeEvent(makeConnEventPlain(window.sent)));
      window.sent++;
    }
    await yieldToLoop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
