/**
 * What every node but the manager does to be part of the cluster, whatever its role and
 * wherever it runs (process or thread): subscribe to its role's topic and its own node
 * topic, keep a clone of each shared store, say hello to the manager, report its figures
 * twice a second, and answer the manager's store check with a fingerprint of its clones.
 */
import { count, type Data, type Endpoint, type Store } from '@broker-ts/broker';
import { EVENTS, type DemoEvent, figuresToData, makeEvent, type NodeFigures, readEvent } from './events';
import type { Role } from './layout';
import { storeDigest } from './store-digest';
import { MANAGER_TOPIC, nodeTopic, PROXY_TOPIC, STORE_NAMES, WORKER_TOPIC } from './topics';

/** Who a node is. */
export interface NodeIdentity {
  /** Its name, e.g. `worker-2`. */
  name: string;
  /** 1 for the first run of this node, 2 after a restart, ... */
  incarnation: number;
  /** Its role. */
  role: Exclude<Role, 'manager'>;
  /** Where it runs. */
  kind: 'process' | 'thread';
}

/** How long a clone may take to find its master and catch up (generous: a loaded machine). */
const SYNC_TIMEOUT_MS = 60_000;

/** How often a node reports its figures. */
const STATS_INTERVAL_MS = 500;

/** A node's membership in the cluster. */
export class Member {
  /** The clones of the shared stores, by store name (after {@link attachClones}). */
  readonly clones = new Map<string, Store>();
  /** Handlers of the role (a worker, a proxy), by event name. */
  private readonly handlers = new Map<string, (args: Data[]) => void>();
  /** The figures the role adds to each report. */
  private roleFigures: () => NodeFigures = () => ({});
  /** The periodic report, once started. */
  private statsTimer: NodeJS.Timeout | undefined;

  /**
   * Subscribes to the node's topics. Call it before peering: the subscriptions then
   * travel in the peering handshake, so no event sent to this node is missed.
   * @param ep - the node's endpoint
   * @param me - who the node is
   */
  constructor(
    readonly ep: Endpoint,
    readonly me: NodeIdentity,
  ) {
    const roleTopic = me.role === 'worker' ? WORKER_TOPIC : PROXY_TOPIC;
    ep.subscribe([roleTopic, nodeTopic(me.name)], (_topic, value) => this.dispatch(readEvent(value)));
    this.on(EVENTS.checkStores, () => void this.reportDigests());
  }

  /**
   * Handles an event sent to this node.
   * @param name - the event name
   * @param handler - called with the event's arguments
   */
  on(name: string, handler: (args: Data[]) => void): void {
    this.handlers.set(name, handler);
  }

  private dispatch(event: DemoEvent | undefined): void {
    if (event !== undefined) this.handlers.get(event.name)?.(event.args);
  }

  /**
   * Attaches a clone of every shared store and waits until each is in sync with its master.
   * @throws Error when a clone does not get in sync in time
   */
  async attachClones(): Promise<void> {
    for (const name of STORE_NAMES) {
      // A short resync interval: a restarted node finds the master within a second.
      this.clones.set(name, await this.ep.attachClone(name, { resyncInterval: 1_000 }));
    }
    for (const [name, clone] of this.clones) {
      if (!(await clone.awaitIdle({ timeout: SYNC_TIMEOUT_MS }))) throw new Error(`${this.me.name}: the clone of ${name} did not get in sync within ${SYNC_TIMEOUT_MS / 1000} s`);
    }
  }

  /** Waits until every clone's writes reached the master and came back. */
  async settleClones(): Promise<void> {
    for (const clone of this.clones.values()) await clone.awaitIdle({ timeout: SYNC_TIMEOUT_MS });
  }

  /**
   * Says hello to the manager and starts reporting figures.
   * @param figures - the role's own figures, read at each report
   */
  announce(figures: () => NodeFigures): void {
    this.roleFigures = figures;
    const { name, incarnation, role, kind } = this.me;
    this.ep.publish(MANAGER_TOPIC, makeEvent(EVENTS.hello, name, count(incarnation), role, kind, count(process.pid), this.ep.id));
    this.statsTimer = setInterval(() => void this.reportFigures(), STATS_INTERVAL_MS);
    this.statsTimer.unref();
  }

  /** Stops the periodic report (before the endpoint shuts down). */
  stopReporting(): void {
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
  }

  private async reportFigures(): Promise<void> {
    try {
      const figures: NodeFigures = { ...this.roleFigures() };
      figures.peers = (await this.ep.peers()).filter((p) => p.status === 'peered').length;
      for (const [name, clone] of this.clones) figures[`store:${name}`] = (await clone.keys()).size;
      this.ep.publish(MANAGER_TOPIC, makeEvent(EVENTS.stats, this.me.name, count(this.me.incarnation), figuresToData(figures)));
    } catch {
      // A clone without its master answers stale_data; the next report will do.
    }
  }

  private async reportDigests(): Promise<void> {
    await this.settleClones();
    for (const [name, clone] of this.clones) {
      const d = await storeDigest(clone);
      this.ep.publish(MANAGER_TOPIC, makeEvent(EVENTS.storeDigest, this.me.name, count(this.me.incarnation), name, count(d.size), d.digest));
    }
  }
}
