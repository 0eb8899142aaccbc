/**
 * Raw Node limit, sending side: connects to the receiver on loopback and writes the
 * benchmark event, cbor-x-encoded per message, as length-prefixed frames batched into
 * large writes. TCP's own backpressure (`write()` returning false, then `drain`) keeps
 * memory bounded. With `idle` it connects and sends nothing (the memory benchmark's idle
 * twin). Usage: tcp-sender.ts <port> [batchBytes] [idle]
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import { makeConnEventPlain } from '../../lib/conn-event';
import { announceReady, serveControl } from '../lib/control-server';
import { encodeEvent } from '../lib/event-codec';
import { FrameBatchWriter } from '../lib/length-prefixed-frames';

const port = Number(process.argv[2]);
const batchBytes = Number(process.argv[3] ?? 64 * 1024);
const idle = process.argv[4] === 'idle';
let sent = 0;
let stopping = false;

const socket = connect(port, '127.0.0.1');
socket.setNoDelay(true);

async function run(): Promise<void> {
  await once(socket, 'connect');
  announceReady();
  if (idle) return;
  const writer = new FrameBatchWriter(batchBytes);
  let carry: Uint8Array | undefined;
  while (!stopping) {
    if (carry !== undefined) writer.append(carry);
    carry = undefined;
    while (carry === undefined) {
      const frame = encodeEvent(makeConnEventPlain(sent));
      sent++;
      if (writer.pendingFrames > 0 && writer.wouldOverflow(frame.length)) carry = frame;
      else writer.append(frame);
    }
    if (!socket.write(writer.take())) await once(socket, 'drain');
    else await yieldToLoop();
  }
}

serveControl({ count: () => sent, onStop: () => { stopping = true; socket.destroy(); } });
run().catch((error) => {
  if (!stopping) {
    console.error(error);
    process.exit(1);
  }
});
