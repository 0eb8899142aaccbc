/**
 * A worker in a worker thread, started by a worker process with
 * `ep.spawnWorkerEndpoint(thisFile, { workerData })`. Its endpoint peers with that
 * process's endpoint over the thread's MessagePort (`peerParent()`), which relays between
 * it and the rest of the cluster. Otherwise it is the same worker as in a process.
 */
import { Endpoint, workerEndpointData } from '@broker-ts/broker';
import pino from 'pino';
import { Member } from './member';
import { Worker } from './worker';

/** What the host process passes to a thread worker. */
export interface WorkerThreadConfig {
  /** The worker's name and incarnation (its host's). */
  name: string;
  incarnation: number;
  /** Connections per second. */
  rate: number;
  /** The proxy that gets its service summaries. */
  proxy: string;
}

async function main(): Promise<void> {
  const config = workerEndpointData<WorkerThreadConfig>();
  const logger = pino({ level: process.env.BROKER_TS_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const ep = new Endpoint({ name: config.name, forward: false, logger });
  const member = new Member(ep, { name: config.name, incarnation: config.incarnation, role: 'worker', kind: 'thread' });
  await ep.peerParent();
  await member.attachClones();
  const worker = new Worker(member, { rate: config.rate, proxy: config.proxy });
  member.announce(() => worker.figures());
}

main().catch((e) => {
  process.stderr.write(`worker thread failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
