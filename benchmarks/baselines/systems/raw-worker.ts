/**
 * The raw worker_threads limit: in one Node process, the main thread posts the event
 * (cbor-x per message) to a worker that decodes it, one event per `postMessage` or a
 * batch of frames per `postMessage`. CPU is the whole process (both threads).
 */
import { join } from 'node:path';

import { DEFAULT_WINDOW } from '../lib/ack-window-defaults';
import { BenchChild } from '../lib/bench-child';
import { ThroughputSystem } from '../lib/measure-throughput';

/** Options of {@link rawWorkerThroughput}. */
export interface RawWorkerOptions {
  /** One encoded event per postMessage, or batches of frames. */
  mode: 'per-message' | 'batched';
  /** Most events in flight (default {@link DEFAULT_WINDOW}). */
  window?: number;
  /** Bytes per batch in batched mode (default 64 KiB). */
  batchBytes?: number;
  /** Echo the process's stderr (default false). */
  verbose?: boolean;
}

/** Main thread → worker thread in a child process of its own. */
export function rawWorkerThroughput(options: RawWorkerOptions): ThroughputSystem {
  return {
    name: `Node worker_threads postMessage, ${options.mode}, cbor-x`,
    async start() {
      const host = BenchChild.spawnNode(
        'worker-host',
        join(__dirname, '..', 'node', 'worker-host.ts'),
        [options.mode, String(options.window ?? DEFAULT_WINDOW), String(options.batchBytes ?? 64 * 1024)],
        options.verbose,
      );
      try {
        await host.ready();
      } catch (error) {
        await host.kill('SIGKILL');
        throw error;
      }
      return { receiver: host, others: [], stop: () => host.stop() };
    },
  };
}
