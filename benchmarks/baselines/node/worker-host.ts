/**
 * Worker-thread limit: the main thread posts the benchmark event, cbor-x-encoded per
 * message, to a worker that decodes it; `per-message` posts one encoded event per
 * `postMessage`, `batched` packs length-prefixed frames into one transferred buffer of
 * about `batchBytes`. An ack window bounds what is in flight (a MessagePort queue is
 * unbounded). The process's `cpuUsage()` covers both threads.
 * Usage: worker-host.ts per-message|batched [window] [batchBytes]
 */
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { join } from 'node:path';

import { makeConnEventPlain } from '../../lib/conn-event';
import { AckWindow } from '../lib/ack-window';
import { DEFAULT_ACK_EVERY, DEFAULT_WINDOW } from '../lib/ack-window-defaults';
import { announceReady, serveControl } from '../lib/control-server';
import { encodeEvent } from '../lib/event-codec';
import { FrameBatchWriter } from '../lib/length-prefixed-frames';

/** Messages produced between two turns of the event loop. */
const CHUNK = 1000;

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'per-message' && mode !== 'batched') throw new Error(`mode must be per-message or batched, got ${mode}`);
  const window = new AckWindow(Number(process.argv[3] ?? DEFAULT_WINDOW));
  const batchBytes = Number(process.argv[4] ?? 64 * 1024);
  const counter = new SharedArrayBuffer(4);
  const worker = new Worker(join(__dirname, 'worker-receiver.ts'), {
    workerData: { counter, ackEvery: DEFAULT_ACK_EVERY },
    execArgv: ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs')],
  });
  let checked: (() => void) | undefined;
  worker.on('message', (message: number | 'checked') => {
    if (message === 'checked') checked?.();
    else window.ack(message);
  });
  worker.on('error', (error) => {
    console.error(error);
    process.exit(1);
  });
  await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  let stopping = false;
  serveControl({
    count: () => Atomics.load(new Int32Array(counter), 0),
    onStop: async () => {
      stopping = true;
      // The worker throws (an 'error' event, exit 1) if its last event is not the conn event.
      await new Promise<void>((resolve) => {
        checked = resolve;
        worker.postMessage('check');
      });
      await worker.terminate();
    },
  });
  announceReady();
  const writer = new FrameBatchWriter(batchBytes);
  while (!stopping) {
    await window.waitForRoom();
    const n = Math.min(window.room, CHUNK);
    for (let i = 0; i < n; i++) {
      // cbor-x returns a view into its own reused buffer: copy the event out so that
      // only its bytes are transferred.
      const frame = encodeEvent(makeConnEventPlain(window.sent));
      window.sent++;
      if (mode === 'per-message') {
        const own = frame.slice();
        worker.postMessage(own, [own.buffer as ArrayBuffer]);
        continue;
      }
      if (writer.pendingFrames > 0 && writer.wouldOverflow(frame.length)) {
        const batch = writer.take();
        worker.postMessage({ batch }, [batch.buffer as ArrayBuffer]);
      }
      writer.append(frame);
    }
    if (writer.pendingFrames > 0) {
      const batch = writer.take();
      worker.postMessage({ batch }, [batch.buffer as ArrayBuffer]);
    }
    await yieldToLoop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
