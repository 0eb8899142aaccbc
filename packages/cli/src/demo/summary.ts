/**
 * The end of the run: checks that nothing was lost and that every copy of the shared
 * state is the same, and prints it.
 *
 * The checks:
 * - every worker incarnation: the manager received exactly the events it sent, numbered
 *   0, 1, 2, ... without a gap or a duplicate;
 * - the `conn_counts` master adds up to the number of events (each connection was
 *   counted once, by the worker that saw it);
 * - `known_servers`: each server was announced by exactly one worker, the one the store names;
 * - every clone (on every proxy and worker, the restarted one included) has the same
 *   keys and values as the master;
 * - the killed worker came back: the manager lost its peering and got a new one, and
 *   the cluster has all its peerings again.
 */
import { type NodeSpec } from './layout';
import { digestKey, type Manager } from './manager';
import { type StoreDigest } from './store-digest';
import { STORE_NAMES, STORES } from './topics';

/** One worker incarnation's events. */
export interface WorkerRun {
  name: string;
  incarnation: number;
  /** What it says it sent, and what the manager received. */
  sent: number;
  received: number;
  /** Sequence numbers missing, and received twice or out of order. */
  gaps: number;
  duplicates: number;
}

/** One store: the master and every clone. */
export interface StoreCheck {
  store: string;
  master: StoreDigest;
  /** Each node's clone (`undefined`: the node did not answer). */
  clones: Array<{ node: string; incarnation: number; clone: StoreDigest | undefined }>;
}

/** The kill-and-heal step. */
export interface RestartReport {
  /** The worker killed. */
  worker: string;
  /** Its process before and after. */
  killedPid: number;
  newPid: number;
  /** Events the killed incarnation sent. */
  sentBeforeKill: number;
  /** The manager saw the peering lost, then a new one from the restarted worker. */
  peeringLost: boolean;
  peeringBack: boolean;
  /** From the SIGKILL until the new incarnation was in sync and publishing (ms). */
  healMs: number;
}

/** Everything the summary shows. */
export interface Summary {
  /** True when every check passed. */
  ok: boolean;
  /** The checks that failed, in words. */
  problems: string[];
  runs: WorkerRun[];
  sent: number;
  received: number;
  /** The sum of the `conn_counts` values. */
  countedConnections: number;
  /** Servers in `known_servers`, and announcements received. */
  knownServers: number;
  announcements: number;
  stores: StoreCheck[];
  restart: RestartReport;
  /** Proxies: summaries received and connections they add up to. */
  proxies: Array<{ name: string; summaries: number; conns: number }>;
  /** Connections and bytes per service, as the manager counted them. */
  services: Array<{ service: string; conns: number; bytes: number }>;
  /** The manager's peers at the end, and how many it should have. */
  peers: number;
  expectedPeers: number;
  /** How long the workers ran (ms). */
  elapsedMs: number;
  /** The manager endpoint's warnings, if any. */
  managerLog: string[];
}

/** What {@link summarize} needs besides the manager. */
export interface SummaryInput {
  layout: NodeSpec[];
  masters: Map<string, StoreDigest>;
  countedConnections: number;
  restart: RestartReport;
  peers: number;
  elapsedMs: number;
}

/** What {@link summarize} reads from the manager. */
export type ManagerRecord = Pick<Manager, 'tallies' | 'nodes' | 'digests' | 'serverAnnouncements' | 'services' | 'received' | 'log'>;

/**
 * Runs the checks.
 * @param manager - the manager, after the workers finished and the stores were checked
 * @param input - the rest
 */
export function summarize(manager: ManagerRecord, input: SummaryInput): Summary {
  const problems: string[] = [];
  const runs: WorkerRun[] = [...manager.tallies.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.incarnation - b.incarnation)
    .map((t) => ({ name: t.name, incarnation: t.incarnation, sent: t.sent ?? -1, received: t.received, gaps: t.gaps, duplicates: t.duplicates }));
  const workers = input.layout.filter((n) => n.role === 'worker');
  const expectedRuns = workers.flatMap((w) => (w.name === input.restart.worker ? [`${w.name}#1`, `${w.name}#2`] : [`${w.name}#1`]));
  for (const key of expectedRuns) if (!manager.tallies.has(key)) problems.push(`${key}: no events received`);
  for (const r of runs) {
    const who = `${r.name} run ${r.incarnation}`;
    if (r.sent < 0) problems.push(`${who}: never reported how many events it sent`);
    else if (r.received !== r.sent) problems.push(`${who}: sent ${r.sent} events, the manager received ${r.received}`);
    if (r.gaps > 0) problems.push(`${who}: ${r.gaps} sequence numbers missing`);
    if (r.duplicates > 0) problems.push(`${who}: ${r.duplicates} events received twice or out of order`);
  }
  const sent = runs.reduce((s, r) => s + Math.max(0, r.sent), 0);
  if (input.countedConnections !== manager.received) problems.push(`${STORES.connCounts} adds up to ${input.countedConnections} connections, the manager received ${manager.received} events`);

  const stores: StoreCheck[] = [];
  const others = input.layout.filter((n) => n.role !== 'manager');
  for (const store of STORE_NAMES) {
    const master = input.masters.get(store)!;
    const clones = others.map((n) => {
      const incarnation = manager.nodes.get(n.name)?.incarnation ?? 0;
      return { node: n.name, incarnation, clone: manager.digests.get(digestKey(n.name, incarnation, store)) };
    });
    for (const c of clones) {
      if (c.clone === undefined) problems.push(`${c.node}: no fingerprint of its ${store} clone`);
      else if (c.clone.digest !== master.digest) problems.push(`${c.node}: its ${store} clone (${c.clone.size} keys, ${c.clone.digest}) differs from the master (${master.size} keys, ${master.digest})`);
    }
    stores.push({ store, master, clones });
  }

  const knownServers = input.masters.get(STORES.knownServers)!.size;
  let announcements = 0;
  for (const [server, by] of manager.serverAnnouncements) {
    announcements += by.length;
    if (by.length > 1) problems.push(`server ${server} announced by ${by.join(', ')} (putUnique must pick one)`);
  }
  if (announcements !== knownServers) problems.push(`${knownServers} known servers in the store, ${announcements} announced`);

  const r = input.restart;
  if (!r.peeringLost) problems.push(`the manager never saw the peering with the killed ${r.worker} go`);
  if (!r.peeringBack) problems.push(`the restarted ${r.worker} never peered with the manager`);
  const expectedPeers = others.filter((n) => n.kind === 'process').length;
  if (input.peers !== expectedPeers) problems.push(`the manager has ${input.peers} peers at the end, ${expectedPeers} expected`);

  const proxies = others
    .filter((n) => n.role === 'proxy')
    .map((n) => {
      const f = manager.nodes.get(n.name)?.figures ?? {};
      return { name: n.name, summaries: f.received ?? 0, conns: f.conns ?? 0 };
    });
  const services = [...manager.services].map(([service, s]) => ({ service, ...s })).sort((a, b) => b.conns - a.conns);
  return {
    ok: problems.length === 0, problems, runs, sent, received: manager.received, countedConnections: input.countedConnections, knownServers, announcements, stores,
    restart: r, proxies, services, peers: input.peers, expectedPeers, elapsedMs: input.elapsedMs, managerLog: [...manager.log],
  };
}

const fmt = new Intl.NumberFormat('en-US');

/**
 * The summary as text for the terminal.
 * @param s - from {@link summarize}
 */
export function formatSummary(s: Summary): string {
  const lines: string[] = ['', `Summary (${(s.elapsedMs / 1000).toFixed(1)} s of traffic)`, ''];
  const row = (label: string, sent: string, received: string, lost: string, dup: string): string =>
    `  ${label.padEnd(24)}${sent.padStart(9)}${received.padStart(10)}${lost.padStart(6)}${dup.padStart(6)}`.trimEnd();
  lines.push(row('events', 'sent', 'received', 'lost', 'dup'));
  for (const r of s.runs) {
    const label = `${r.name} run ${r.incarnation}${r.name === s.restart.worker && r.incarnation === 1 ? ' (killed)' : ''}`;
    lines.push(row(label, fmt.format(r.sent), fmt.format(r.received), String(r.gaps), String(r.duplicates)));
  }
  lines.push(row('all workers', fmt.format(s.sent), fmt.format(s.received), '', ''));
  lines.push('', 'services (as the manager counted them)');
  for (const sv of s.services) lines.push(`  ${sv.service.padEnd(6)} ${fmt.format(sv.conns).padStart(8)} connections ${fmt.format(sv.bytes).padStart(14)} bytes`);
  for (const p of s.proxies) lines.push(`  ${p.name} added up ${fmt.format(p.conns)} connections from ${fmt.format(p.summaries)} worker summaries`);
  lines.push('', 'stores (master on the manager, SQLite; a clone on every other node)');
  for (const st of s.stores) {
    const same = st.clones.filter((c) => c.clone?.digest === st.master.digest).length;
    lines.push(`  ${st.store.padEnd(14)} ${fmt.format(st.master.size).padStart(4)} keys, fingerprint ${st.master.digest}; ${same} of ${st.clones.length} clones identical`);
  }
  lines.push(`  ${STORES.connCounts} adds up to ${fmt.format(s.countedConnections)} connections; ${s.knownServers} known servers, ${s.announcements} first-seen announcements`);
  const r = s.restart;
  lines.push('', `kill and heal: ${r.worker} (pid ${r.killedPid}) killed with SIGKILL after sending ${fmt.format(r.sentBeforeKill)} events;`);
  lines.push(`  restarted as pid ${r.newPid}, peered again and its clones in sync ${(r.healMs / 1000).toFixed(1)} s later; manager peers at the end: ${s.peers} of ${s.expectedPeers}`);
  if (s.managerLog.length > 0) {
    lines.push('', `the manager endpoint logged (the killed worker's connection going is expected):`);
    for (const line of s.managerLog) lines.push(`  ${logLine(line)}`);
  }
  lines.push('');
  if (s.ok) lines.push('OK: every event arrived exactly once, and every clone is identical to its master.');
  else lines.push(`FAILED: ${s.problems.length} problem(s):`, ...s.problems.map((p) => `  - ${p}`));
  return lines.join('\n');
}

/** A pino JSON line in a few words: `warn node-down: connection_closed: ...`. */
function logLine(line: string): string {
  try {
    const o = JSON.parse(line) as { level?: number; event?: string; msg?: string; detail?: string; cause?: string };
    const level = o.level === undefined ? '' : o.level >= 50 ? 'error ' : o.level >= 40 ? 'warn ' : 'info ';
    return `${level}${o.event ?? o.msg ?? ''}${o.cause ?? o.detail ? `: ${o.cause ?? o.detail}` : ''}`;
  } catch {
    return line;
  }
}
