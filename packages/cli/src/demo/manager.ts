/**
 * The manager role: the masters of the shared stores (SQLite files), and the place where
 * the workers' events end up. It counts every worker's events by sequence number, per
 * incarnation, so that a lost, duplicated or reordered event shows; it keeps the latest
 * figures of every node for the live view; it sends the cluster its orders (finish,
 * check the stores).
 */
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { type Data, Endpoint, isStatus, type Store, toString } from '@broker-ts/broker';
import pino from 'pino';
import { EVENTS, figuresFromData, makeEvent, type NodeFigures, numberArg, readEvent, stringArg } from './events';
import type { Role } from './layout';
import { type StoreDigest, storeDigest } from './store-digest';
import { MANAGER_TOPIC, nodeTopic, PROXY_TOPIC, STORE_NAMES, WORKER_TOPIC } from './topics';

/** The manager's count of one worker incarnation's events. */
export interface Tally {
  /** The worker and its incarnation. */
  name: string;
  incarnation: number;
  /** Events received. */
  received: number;
  /** The sequence number expected next. */
  nextSeq: number;
  /** Sequence numbers skipped (lost), and received again or out of order. */
  gaps: number;
  duplicates: number;
  /** What the worker says it sent (once it finished). */
  sent?: number;
}

/** What the manager knows of a node. */
export interface NodeState {
  name: string;
  incarnation: number;
  role: Exclude<Role, 'manager'>;
  kind: 'process' | 'thread';
  pid: number;
  /** Its endpoint id. */
  id: string;
  /** Its latest figures, and when they came (ms, `performance.now()`). */
  figures: NodeFigures;
  figuresAt: number;
  /** Events per second (workers: sent; proxies: summaries received), from the last two reports. */
  rate: number;
  /** False once the launcher killed it. */
  up: boolean;
}

/** A peering change the manager saw. */
export interface PeerChange {
  /** `peer_added` or `peer_lost` (or `peer_removed`). */
  code: string;
  /** The peer's endpoint id. */
  id: string;
}

/** How many of the manager endpoint's own log lines are kept (shown after the summary). */
const KEPT_LOG_LINES = 20;

/** A condition someone waits for, re-checked after each event. */
interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/** The running manager. */
export class Manager {
  /** Worker tallies by `name#incarnation`. */
  readonly tallies = new Map<string, Tally>();
  /** Nodes by name (the current incarnation). */
  readonly nodes = new Map<string, NodeState>();
  /** Store fingerprints reported by nodes, by `name#incarnation/store`. */
  readonly digests = new Map<string, StoreDigest>();
  /** Which workers announced each new server (exactly one each, if `putUnique` is right). */
  readonly serverAnnouncements = new Map<string, string[]>();
  /** Connections and bytes per service, from the events. */
  readonly services = new Map<string, { conns: number; bytes: number }>();
  /** Peerings added and lost, in order. */
  readonly peerChanges: PeerChange[] = [];
  /** Events received from workers, in all. */
  received = 0;
  private readonly waiters = new Set<Waiter>();

  private constructor(
    /** The manager's endpoint. */
    readonly ep: Endpoint,
    /** The masters, by store name. */
    readonly masters: Map<string, Store>,
    /** The port it listens on. */
    readonly port: number,
    /** The manager endpoint's own warnings and errors (its log), bounded. */
    readonly log: string[],
  ) {}

  /**
   * Starts the manager: its endpoint, the SQLite masters in `dir`, its subscriptions,
   * and a listening port on 127.0.0.1.
   * @param dir - a directory for the store files
   */
  static async start(dir: string): Promise<Manager> {
    const log: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        log.push(chunk.toString().trimEnd());
        if (log.length > KEPT_LOG_LINES) log.shift();
        done();
      },
    });
    // The manager is the hub of the cluster: like every Zeek node it does not relay.
    const ep = new Endpoint({ name: 'manager', forward: false, logger: pino({ level: process.env.BROKER_TS_LOG_LEVEL ?? 'warn' }, sink) });
    try {
      return await Manager.attach(ep, dir, log);
    } catch (e) {
      await ep.shutdown();
      throw e;
    }
  }

  private static async attach(ep: Endpoint, dir: string, log: string[]): Promise<Manager> {
    const masters = new Map<string, Store>();
    // SQLite's defaults sync the disk on every write, and a backend call blocks the event
    // loop: on a busy disk that would stall the manager for seconds. With a write-ahead log
    // and NORMAL sync a write is safe from a crash of the process, not from a power cut:
    // right for a demo's files in a temp directory.
    for (const name of STORE_NAMES) {
      masters.set(name, await ep.attachMaster(name, 'sqlite', { path: path.join(dir, `${name}.sqlite`), synchronous: 'normal', journalMode: 'wal' }));
    }
    const port = await ep.listen('127.0.0.1', 0);
    const manager = new Manager(ep, masters, port, log);
    ep.subscribe(MANAGER_TOPIC, (_topic, value) => manager.handle(value));
    void manager.watchPeers();
    return manager;
  }

  private async watchPeers(): Promise<void> {
    const statuses = this.ep.makeStatusSubscriber(true);
    try {
      for await (const ev of statuses) {
        if (isStatus(ev) && ev.context.id !== null) this.peerChanges.push({ code: ev.code, id: ev.context.id });
        this.wake();
      }
    } catch {
      // The endpoint shut down.
    }
  }

  private handle(value: Data): void {
    const ev = readEvent(value);
    if (ev === undefined) return;
    const [a0, a1, a2, a3, a4, a5] = ev.args;
    switch (ev.name) {
      case EVENTS.connection:
        this.countEvent(stringArg(a0), numberArg(a1), numberArg(a2), a3);
        break;
      case EVENTS.newServer: {
        const server = toString(a1 ?? null);
        this.serverAnnouncements.set(server, [...(this.serverAnnouncements.get(server) ?? []), stringArg(a0)]);
        break;
      }
      case EVENTS.hello:
        this.nodes.set(stringArg(a0), {
          name: stringArg(a0), incarnation: numberArg(a1), role: stringArg(a2) as NodeState['role'], kind: stringArg(a3) as NodeState['kind'],
          pid: numberArg(a4), id: stringArg(a5), figures: {}, figuresAt: performance.now(), rate: 0, up: true,
        });
        break;
      case EVENTS.stats:
        this.updateFigures(stringArg(a0), numberArg(a1), figuresFromData(a2));
        break;
      case EVENTS.finished:
        this.tally(stringArg(a0), numberArg(a1)).sent = numberArg(a2);
        break;
      case EVENTS.storeDigest:
        this.digests.set(digestKey(stringArg(a0), numberArg(a1), stringArg(a2)), { size: numberArg(a3), digest: stringArg(a4) });
        break;
    }
    this.wake();
  }

  private tally(name: string, incarnation: number): Tally {
    const key = `${name}#${incarnation}`;
    let t = this.tallies.get(key);
    if (t === undefined) {
      t = { name, incarnation, received: 0, nextSeq: 0, gaps: 0, duplicates: 0 };
      this.tallies.set(key, t);
    }
    return t;
  }

  private countEvent(name: string, incarnation: number, seq: number, record: Data | undefined): void {
    const t = this.tally(name, incarnation);
    t.received++;
    this.received++;
    if (seq === t.nextSeq) t.nextSeq++;
    else if (seq < t.nextSeq) t.duplicates++;
    else {
      t.gaps += seq - t.nextSeq;
      t.nextSeq = seq + 1;
    }
    if (Array.isArray(record)) {
      const s = this.services.get(stringArg(record[4])) ?? { conns: 0, bytes: 0 };
      s.conns++;
      s.bytes += numberArg(record[6]) + numberArg(record[7]);
      this.services.set(stringArg(record[4]), s);
    }
  }

  private updateFigures(name: string, incarnation: number, figures: NodeFigures): void {
    const node = this.nodes.get(name);
    if (node === undefined || node.incarnation !== incarnation) return;
    const now = performance.now();
    const key = node.role === 'worker' ? 'sent' : 'received';
    const seconds = (now - node.figuresAt) / 1000;
    if (node.figures[key] !== undefined && seconds > 0) node.rate = (figures[key] - node.figures[key]) / seconds;
    node.figures = figures;
    node.figuresAt = now;
  }

  /**
   * Waits until `check()` holds, re-checking after every event the manager receives.
   * @param what - what is awaited, for the error message
   * @param timeoutMs - give up after this long
   * @throws Error naming `what` on timeout
   */
  until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private wake(): void {
    for (const w of this.waiters) {
      if (w.check()) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /**
   * Tells workers to finish: stop publishing, flush their store writes, report their count.
   * @param worker - one worker's name; all workers when absent
   */
  finish(worker?: string): void {
    this.ep.publish(worker === undefined ? WORKER_TOPIC : nodeTopic(worker), makeEvent(EVENTS.finish));
  }

  /** Asks every proxy and worker for the fingerprints of its clones. */
  checkStores(): void {
    for (const topic of [PROXY_TOPIC, WORKER_TOPIC]) this.ep.publish(topic, makeEvent(EVENTS.checkStores));
  }

  /** The fingerprints of the masters, once every clone acknowledged every change. */
  async masterDigests(): Promise<Map<string, StoreDigest>> {
    const out = new Map<string, StoreDigest>();
    for (const [name, master] of this.masters) {
      await master.awaitIdle({ timeout: 60_000 });
      out.set(name, await storeDigest(master));
    }
    return out;
  }

  /** The sum of the `conn_counts` master's values (each connection counted once by its worker). */
  async countedConnections(store: string): Promise<number> {
    const master = this.masters.get(store)!;
    let sum = 0;
    for (const key of await master.keys()) sum += numberArg(await master.get(key));
    return sum;
  }

  /** The number of peers that are up. */
  async peerCount(): Promise<number> {
    return (await this.ep.peers()).filter((p) => p.status === 'peered').length;
  }

  /** Keys in each master. */
  async storeSizes(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [name, master] of this.masters) out.set(name, (await master.keys()).size);
    return out;
  }

  /** Shuts the manager's endpoint down (closes the SQLite files). */
  async shutdown(): Promise<void> {
    await this.ep.shutdown();
  }
}

/** The key of a node's clone fingerprint in {@link Manager.digests}. */
export function digestKey(name: string, incarnation: number, store: string): string {
  return `${name}#${incarnation}/${store}`;
}
