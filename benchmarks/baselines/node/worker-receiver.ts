/**
 * Worker-thread limit, receiving side (runs in a worker of `worker-host.ts`): decodes
 * every event it is posted, either one encoded event per message or a batch of
 * length-prefixed frames per message, counts them in shared memory for the host, and
 * acknowledges cumulative counts. On the host's `check` message it verifies the last
 * event decoded and answers `checked`.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { assertConnEvent, decodeEvent } from '../lib/event-codec';
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

port.on('message', (message: Uint8Array | { batch: Uint8Array } | 'check') => {
  if (message === 'check') {
    if (received > 0) assertConnEvent(lastDecoded);
    port.postMessage('checked');
  } else if (message instanceof Uint8Array) {
    lastDecoded = decodeEvent(message);
    counted();
  } else {
    reader.push(Buffer.from(message.batch.buffer, message.batch.byteOffset, message.batch.byteLength));
  }
});
