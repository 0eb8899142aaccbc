/**
 * Worker-thread body for the LMDB thread-safety test: opens the LMDB store at
 * `workerData.path`, writes `workerData.count` keys `[workerData.name, i]` (with an
 * increment on a shared counter key in each), closes it and reports how many it wrote.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { count } from '@broker-ts/data';
import { LmdbBackend } from '../lmdb-backend';

const { path, name, count: n } = workerData as { path: string; name: string; count: number };
const backend = new LmdbBackend({ path });
for (let i = 0; i < n; i++) {
  backend.put([name, BigInt(i)], `${name}-${i}`);
  backend.add('shared-counter', count(1), 'count');
}
backend.close();
parentPort?.postMessage({ wrote: n });
