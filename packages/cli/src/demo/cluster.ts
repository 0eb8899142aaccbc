/**
 * Runs the whole demo cluster: starts the manager (in this process) and the proxy and
 * worker processes (which start their thread workers), lets the workers publish, kills
 * one worker with SIGKILL and restarts it mid-run, then has the workers finish, checks
 * the events and the stores, and stops everything.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type MetricsServer, serveMetrics } from '../metrics-server';
import { NodeProcess } from './launcher';
import { clusterLayout, type DemoOptions, KILLED_WORKER, type NodeSpec } from './layout';
import { digestKey, Manager } from './manager';
import type { NodeProcessConfig } from './node-process';
import { formatSummary, type RestartReport, summarize, type Summary } from './summary';
import { STORE_NAMES, STORES } from './topics';
import { LiveView, type ViewOutput } from './view';

/** Generous bounds for each step: the demo must also pass on a loaded 2-core machine. */
const START_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 60_000;

/** How often the live view is redrawn. */
const VIEW_INTERVAL_MS = 250;

/**
 * Runs the demo cluster and returns its summary (it never throws for a failed check:
 * the summary says what failed; it throws when a step does not happen in time).
 * @param options - workers, proxies, duration, rate
 * @param out - where the live view and the summary go (`process.stdout`)
 */
export async function runCluster(options: DemoOptions, out: ViewOutput): Promise<Summary> {
  const layout = clusterLayout(options);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-demo-'));
  const view = new LiveView(out);
  const processes = new Map<string, NodeProcess>();
  let manager: Manager | undefined;
  let metrics: MetricsServer | undefined;
  let phase = 'starting';
  let startedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Ctrl-C: no node outlives the demo, no temp directory stays behind.
  const interrupted = (): void => {
    for (const p of processes.values()) p.killNow();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    manager = await Manager.start(dir);
    const m = manager;
    const draw = async (): Promise<void> => {
      const elapsedMs = startedAt === undefined ? 0 : performance.now() - startedAt;
      const nodes = layout.filter((n) => n.role !== 'manager').map((n) => ({ name: n.name, state: m.nodes.get(n.name) }));
      view.update({ elapsedMs, durationMs: options.durationMs, phase, manager: { received: m.received, peers: await m.peerCount(), stores: await m.storeSizes() }, nodes });
    };
    timer = setInterval(() => void draw().catch(() => {}), VIEW_INTERVAL_MS);
    view.note(`manager listening on 127.0.0.1:${m.port}; stores in ${dir}`);
    // Where to watch the manager while the demo runs: Prometheus metrics and Broker's status
    // report over HTTP, and Broker's WebSocket JSON API for any WebSocket client.
    metrics = await serveMetrics({ endpoint: m.ep, port: 0, stores: () => [...m.masters.values()] });
    const webSocketPort = await m.ep.listenWebSocket();
    view.note(`watch it: curl http://127.0.0.1:${metrics.port}/metrics (or /v1/status/json); WebSocket clients: ws://127.0.0.1:${webSocketPort}/v1/messages/json`);

    // Proxies first (workers peer with them), then the worker processes.
    let proxyList: NodeProcessConfig['proxies'] = [];
    const start = (n: NodeSpec, incarnation: number): NodeProcess => {
      const p = new NodeProcess({
        name: n.name, incarnation, role: n.role === 'proxy' ? 'proxy' : 'worker', managerPort: m.port, proxies: n.role === 'worker' ? proxyList : [], threads: n.threads, rate: options.rate,
      });
      processes.set(n.name, p);
      return p;
    };
    const proxies = layout.filter((n) => n.role === 'proxy');
    const proxyPorts = await Promise.all(proxies.map((n) => start(n, 1).ready));
    proxyList = proxies.map((n, i) => ({ name: n.name, port: proxyPorts[i] }));
    await Promise.all(layout.filter((n) => n.role === 'worker' && n.kind === 'process').map((n) => start(n, 1).ready));
    const others = layout.filter((n) => n.role !== 'manager');
    await m.until(() => others.every((n) => m.nodes.has(n.name)), 'every node to say hello', START_TIMEOUT_MS);
    startedAt = performance.now();
    phase = 'running';
    view.note(`cluster up: ${others.length} nodes; workers publishing ${options.rate} connections/s each`);

    // Mid-run: stop worker-1 publishing (so that its count is exact), then SIGKILL it.
    await delayUntil(startedAt + options.durationMs * 0.35);
    const restart = await killAndRestart(m, layout.find((n) => n.name === KILLED_WORKER)!, (n) => start(n, 2), processes, view, (p) => (phase = p));

    // The restarted worker publishes for a while too, however long the restart took.
    phase = 'running';
    await delayUntil(Math.max(startedAt + options.durationMs, performance.now() + options.durationMs * 0.2));
    const elapsedMs = performance.now() - startedAt;

    phase = 'finishing';
    m.finish();
    const workers = layout.filter((n) => n.role === 'worker');
    const finished = (w: NodeSpec): boolean => {
      const t = m.tallies.get(`${w.name}#${m.nodes.get(w.name)?.incarnation}`);
      return t?.sent !== undefined && t.received >= t.sent;
    };
    await m.until(() => workers.every(finished), 'every worker to finish', STEP_TIMEOUT_MS).catch((e: Error) => {
      const missing = workers.filter((w) => !finished(w)).map((w) => {
        const t = m.tallies.get(`${w.name}#${m.nodes.get(w.name)?.incarnation}`);
        return `${w.name} (received ${t?.received ?? 0}, sent ${t?.sent ?? 'not reported'})`;
      });
      throw new Error(`${e.message}: ${missing.join(', ')}`);
    });

    phase = 'checking stores';
    const masters = await m.masterDigests();
    m.checkStores();
    await m.until(() => others.every((n) => STORE_NAMES.every((s) => m.digests.has(digestKey(n.name, m.nodes.get(n.name)!.incarnation, s)))), 'every clone fingerprint', STEP_TIMEOUT_MS);
    await draw();
    phase = 'done';
    await draw();
    view.stop();
    const summary = summarize(m, { layout, masters, countedConnections: await m.countedConnections(STORES.connCounts), restart, peers: await m.peerCount(), elapsedMs });
    out.write(`${formatSummary(summary)}\n`);
    return summary;
  } catch (e) {
    // Say what each node logged: that is where the reason usually is.
    const logs = [...processes.values()].filter((p) => p.logTail() !== '').map((p) => `${p.label}${p.logTail()}`);
    if (manager !== undefined && manager.log.length > 0) logs.push(`manager; its last log lines:\n  ${manager.log.join('\n  ')}`);
    throw new Error(`${(e as Error).message}${logs.length > 0 ? `\n${logs.join('\n')}` : ''}`, { cause: e });
  } finally {
    process.off('SIGINT', interrupted);
    if (timer !== undefined) clearInterval(timer);
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await metrics?.close();
    await manager?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The kill-and-heal step: the worker finishes (its events all counted), is killed with
 * SIGKILL, and is started again; its peerings come back (it peers with a retry, as every
 * node does) and its new clones resync from the master.
 */
async function killAndRestart(
  m: Manager,
  node: NodeSpec,
  startAgain: (n: NodeSpec) => NodeProcess,
  processes: Map<string, NodeProcess>,
  view: LiveView,
  setPhase: (p: string) => void,
): Promise<RestartReport> {
  const old = processes.get(node.name)!;
  const first = (): { sent?: number; received: number } => m.tallies.get(`${node.name}#1`) ?? { received: 0 };
  setPhase(`stopping ${node.name}`);
  m.finish(node.name);
  await m.until(() => first().sent !== undefined && first().received >= first().sent!, `${node.name} to finish before the kill`, STEP_TIMEOUT_MS);
  const sentBeforeKill = first().sent ?? 0;
  const oldId = m.nodes.get(node.name)!.id;
  const killedAt = performance.now();
  await old.kill();
  m.nodes.get(node.name)!.up = false;
  setPhase(`${node.name} killed`);
  view.note(`${node.name} (pid ${old.pid}) killed with SIGKILL after ${sentBeforeKill} events; restarting it`);
  await m.until(() => m.peerChanges.some((c) => c.id === oldId && c.code === 'peer_lost'), `the manager to lose ${node.name}'s peering`, STEP_TIMEOUT_MS);
  const again = startAgain(node);
  setPhase(`restarting ${node.name}`);
  await again.ready;
  await m.until(() => (m.nodes.get(node.name)?.incarnation ?? 0) === 2, `${node.name} to say hello again`, STEP_TIMEOUT_MS);
  const newId = m.nodes.get(node.name)!.id;
  const healMs = performance.now() - killedAt;
  view.note(`${node.name} back as pid ${again.pid} after ${(healMs / 1000).toFixed(1)} s: peered again, clones resynced`);
  return {
    worker: node.name, killedPid: old.pid, newPid: again.pid, sentBeforeKill, healMs,
    peeringLost: m.peerChanges.some((c) => c.id === oldId && c.code === 'peer_lost'),
    peeringBack: m.peerChanges.some((c) => c.id === newId && c.code === 'peer_added'),
  };
}

/** Waits until `performance.now()` reaches `at` (the demo's own timeline). */
async function delayUntil(at: number): Promise<void> {
  const ms = at - performance.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
