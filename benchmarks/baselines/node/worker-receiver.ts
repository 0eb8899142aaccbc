/**
 * Worker-thread limit, receiving side (runs in a worker of `worker-host.ts`): decodes
 * every event it is posted, either one encoded event per message or a batch of
 * length-prefixed frames per message, counts them in shared memory for the host, and
 * acknowledges cumulative counts.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { decodeEvent } from '../lib/event-codec';
import { FrameReader } from '../lib/length-prefixed-frames';

const { counter, ackEvery } = workerData as { counter: SharedArrayBuffer; ackEvery: number };
const shared = new Int32Array(counter);
const port = parentPort!;
let received = 0;
let lastDecoded: unknown;

function counted(): void {
  received++;
  // An Int32 counter lasts 2^31 messages: over half an hour at the fastest rate seen here.
  Atomics.store(shared, 0, received);
  if (received % ackEvery === 0) port.postMessage(received);
}

const reader = new FrameReader((frame) => {
  lastDecoded = decodeEvent(frame);
  counted();
});

port.on('message', (message: Uint8Array | { batch: Uint8Array }) => {
  if (message instanceof Uint8Array) {
    lastDecoded = decodeEvent(message);
    counted();
  } else {
    reader.push(Buffer.from(message.batch.buffer, message.batch.byteOffset, message.batch.byteLength));
  }
  if (lastDecoded === undefined) throw new Error('decoded nothing');
});
