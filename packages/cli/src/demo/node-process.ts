/**
 * A proxy or a worker in a process of its own (started by the launcher through tsx).
 * Its configuration is a JSON {@link NodeProcessConfig} in `argv[2]`. Once it is part of
 * the cluster it prints `ready <port>` on stdout; it shuts its endpoint down and exits
 * when its stdin closes, so it never outlives the demo. Logs go to stderr.
 */
import * as path from 'node:path';
import { Endpoint } from '@broker-ts/broker';
import pino from 'pino';
import { proxyFor } from './layout';
import { Member } from './member';
import { Proxy } from './proxy';
import { MANAGER_TOPIC, nodeTopic } from './topics';
import { Worker } from './worker';
import type { WorkerThreadConfig } from './worker-thread';

/** What the launcher tells a node process. */
export interface NodeProcessConfig {
  /** Name, incarnation and role. */
  name: string;
  incarnation: number;
  role: 'proxy' | 'worker';
  /** The manager's port on 127.0.0.1. */
  managerPort: number;
  /** The proxies (name and port), for a worker. */
  proxies: Array<{ name: string; port: number }>;
  /** For a worker: the thread workers to start in this process. */
  threads: string[];
  /** For a worker: connections per second. */
  rate: number;
}

/** How long to wait between peering attempts (Zeek's `Cluster::retry_interval` is a minute). */
const RETRY_MS = 500;

/** Messages a relaying endpoint may buffer per peer (the default is 2,048). */
const RELAY_BUFFER_SIZE = 32_768;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as NodeProcessConfig;
  const logger = pino({ level: process.env.BROKER_TS_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  // Like Zeek (Broker::forward_messages = F), nodes do not relay for each other, except a
  // process that hosts thread workers: it relays between them and the rest of the cluster.
  const hostsThreads = config.threads.length > 0;
  // A publisher's credit covers its own endpoint's peer buffers, not those of a relay:
  // what the threads publish is paced by this endpoint's link to them, not by its link to
  // the manager. A larger (still bounded) buffer towards the manager absorbs the bursts
  // when the manager is briefly busy, instead of dropping the peering.
  const ep = new Endpoint({ name: config.name, forward: hostsThreads, logger, ...(hostsThreads ? { peerBufferSize: RELAY_BUFFER_SIZE } : {}) });
  if (hostsThreads) ep.forward([MANAGER_TOPIC, ...config.proxies.map((p) => nodeTopic(p.name)), ...config.threads.map(nodeTopic)]);
  const member = new Member(ep, { name: config.name, incarnation: config.incarnation, role: config.role, kind: 'process' });

  const port = config.role === 'proxy' ? await ep.listen('127.0.0.1', 0) : 0;
  // Peer as a Zeek node does: with a retry, so a peer that is not up yet, or goes away
  // and comes back, is peered (again) without anyone's help.
  const peers = [config.managerPort, ...(config.role === 'worker' ? config.proxies.map((p) => p.port) : [])];
  await Promise.all(peers.map((p) => ep.peer('127.0.0.1', p, { retry: RETRY_MS })));
  await member.attachClones();

  let figures: () => Record<string, number>;
  if (config.role === 'proxy') {
    const proxy = new Proxy(member);
    figures = () => proxy.figures();
  } else {
    const proxies = config.proxies.map((p) => p.name);
    for (const name of config.threads) {
      const workerData: WorkerThreadConfig = { name, incarnation: config.incarnation, rate: config.rate, proxy: proxyFor(name, proxies) };
      await ep.spawnWorkerEndpoint(path.join(__dirname, 'worker-thread.ts'), { workerData, name });
    }
    const worker = new Worker(member, { rate: config.rate, proxy: proxyFor(config.name, proxies) });
    figures = () => worker.figures();
  }
  member.announce(figures);
  process.stdout.write(`ready ${port}\n`);

  process.stdin.resume();
  process.stdin.on('end', () => {
    member.stopReporting();
    void ep.shutdown().then(() => process.exit(0));
  });
}

main().catch((e) => {
  process.stderr.write(`node process failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
