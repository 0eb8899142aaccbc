/**
 * The cluster's layout: which nodes exist, where each runs, and who peers with whom.
 *
 * The peerings follow Zeek's cluster framework with Broker
 * (zeek/zeek `scripts/base/frameworks/cluster/setup-connections.zeek`): the manager and
 * the proxies listen; each proxy peers with the manager; each worker peers with the
 * manager and with every proxy. Nobody peers with a worker, so a worker that dies and
 * comes back simply peers again.
 *
 * broker-ts adds a second way to spread: endpoints in worker threads. Half of the
 * workers (rounded down) run as threads inside the last worker process, each peered with
 * that process's endpoint over its MessagePort (`spawnWorkerEndpoint` / `peerParent`);
 * that endpoint relays for them.
 */

/** What the user chooses (command-line flags). */
export interface DemoOptions {
  /** Number of workers (at least 3: one is killed, one hosts threads). */
  workers: number;
  /** Number of proxies (at least 1). */
  proxies: number;
  /** How long the workers publish, in ms (after the cluster is up). */
  durationMs: number;
  /** Connections per second each worker publishes. */
  rate: number;
}

/** The default options: about 25 s in all. */
export const DEFAULT_OPTIONS: DemoOptions = { workers: 4, proxies: 1, durationMs: 20_000, rate: 300 };

/** A node's role, as in a Zeek cluster. */
export type Role = 'manager' | 'proxy' | 'worker';

/** One node of the cluster. */
export interface NodeSpec {
  /** Unique name, e.g. `worker-2` (its topic is `zeek/cluster/node/<name>/`). */
  name: string;
  /** Its role. */
  role: Role;
  /** `process`: an OS process of its own; `thread`: a worker thread in its host's process. */
  kind: 'process' | 'thread';
  /** For a thread: the process worker whose endpoint started it. */
  host?: string;
  /** For a process worker: the thread workers it starts. */
  threads: string[];
  /** The nodes this one peers with (it calls `peer`; they listen). */
  peersWith: string[];
}

/** The worker the demo kills with SIGKILL and restarts mid-run. */
export const KILLED_WORKER = 'worker-1';

/**
 * Lays out a cluster.
 * @param options - the number of workers and proxies
 * @returns the manager first, then the proxies, then the workers
 */
export function clusterLayout(options: Pick<DemoOptions, 'workers' | 'proxies'>): NodeSpec[] {
  const proxies = Array.from({ length: options.proxies }, (_, i) => `proxy-${i + 1}`);
  const processWorkers = options.workers - Math.floor(options.workers / 2);
  const nodes: NodeSpec[] = [{ name: 'manager', role: 'manager', kind: 'process', threads: [], peersWith: [] }];
  for (const name of proxies) nodes.push({ name, role: 'proxy', kind: 'process', threads: [], peersWith: ['manager'] });
  const host = `worker-${processWorkers}`;
  for (let i = 1; i <= options.workers; i++) {
    const name = `worker-${i}`;
    if (i <= processWorkers) {
      const threads = name === host ? Array.from({ length: options.workers - processWorkers }, (_, j) => `worker-${processWorkers + 1 + j}`) : [];
      nodes.push({ name, role: 'worker', kind: 'process', threads, peersWith: ['manager', ...proxies] });
    } else {
      nodes.push({ name, role: 'worker', kind: 'thread', host, threads: [], peersWith: [host] });
    }
  }
  return nodes;
}

/**
 * A picture of the layout for the terminal: each node, where it runs and whom it peers with.
 * @param nodes - from {@link clusterLayout}
 */
export function topologyPicture(nodes: NodeSpec[]): string {
  const lines = ['manager: listens; master of the stores (SQLite)'];
  for (const n of nodes) {
    if (n.role === 'manager') continue;
    const where = n.kind === 'thread' ? `thread in ${n.host}'s process` : 'process';
    const how = n.kind === 'thread' ? 'over its MessagePort' : 'over TCP, with retry';
    const extra = [n.role === 'proxy' ? 'listens' : '', n.threads.length > 0 ? `relays for ${n.threads.join(', ')}` : '', n.name === KILLED_WORKER ? 'killed and restarted mid-run' : '']
      .filter((s) => s !== '');
    lines.push(`${n.name.padEnd(10)} (${where}) peers with ${n.peersWith.join(', ')} ${how}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`);
  }
  lines.push('', ...graph(nodes));
  return lines.join('\n');
}

/** An indented tree: the manager at the top, proxies and process workers below, threads under their host. */
function graph(nodes: NodeSpec[]): string[] {
  const proxies = nodes.filter((n) => n.role === 'proxy').map((n) => n.name);
  const out = ['manager'];
  const children = nodes.filter((n) => n.role !== 'manager' && n.kind === 'process');
  children.forEach((n, i) => {
    const last = i === children.length - 1;
    const also = n.role === 'worker' && proxies.length > 0 ? `  ── also peers with ${proxies.join(', ')}` : '';
    out.push(`${last ? '└' : '├'}── ${n.name}${also}`);
    n.threads.forEach((t, j) => out.push(`${last ? ' ' : '│'}    ${j === n.threads.length - 1 ? '└' : '├'}┄┄ ${t} (thread)`));
  });
  return out;
}

/**
 * The proxy a worker sends its summaries to: workers are spread over the proxies in turn
 * (Zeek's round-robin pool).
 * @param worker - the worker's name, `worker-<n>`
 * @param proxies - the proxies' names
 */
export function proxyFor(worker: string, proxies: readonly string[]): string {
  const n = Number(/\d+$/.exec(worker)?.[0] ?? 1);
  return proxies[(n - 1) % proxies.length];
}
