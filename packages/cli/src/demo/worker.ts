/**
 * The worker role: turns a stream of connections into Zeek events for the manager, and
 * keeps the shared state up to date.
 *
 * - Each connection becomes a `Demo::connection` event to the manager, numbered from 0 in
 *   each incarnation, through a publisher: `publish()` waits for credit, so a worker never
 *   floods a peer's buffer (a plain `Endpoint.publish` loop could).
 * - Once a second it adds its per-host connection counts to the `conn_counts` store (one
 *   `increment` per host, not one per connection), and sends a per-service summary to
 *   its proxy.
 * - A server it has not seen before is looked up in its clone of `known_servers`; if the
 *   cluster does not know it yet, `putUnique` decides which worker saw it first (exactly
 *   one wins, cluster-wide) and the winner tells the manager. This is how Zeek's
 *   known-hosts script uses a Broker store.
 */
import { type Address, count, type Endpoint, type Publisher, toString } from '@broker-ts/broker';
import { ConnStream } from './conn-stream';
import { EVENTS, makeEvent } from './events';
import type { Member } from './member';
import { MANAGER_TOPIC, nodeTopic, STORES } from './topics';

/** What a worker needs to know besides its identity. */
export interface WorkerSettings {
  /** Connections per second. */
  rate: number;
  /** The proxy that gets this worker's service summaries. */
  proxy: string;
}

/** How often the publishing loop wakes up, in ms. */
const TICK_MS = 20;

/** A running worker. */
export class Worker {
  /** Events published in this incarnation (the next sequence number). */
  private sent = 0;
  /** The publisher of the events to the manager (credit-based). */
  private readonly publisher: Publisher;
  /** The connection source. */
  private readonly stream: ConnStream;
  /** Connections per originating host since the last flush, by address text. */
  private readonly hostCounts = new Map<string, { host: Address; n: number }>();
  /** Connections and bytes per service since the last flush. */
  private readonly services = new Map<string, { conns: number; bytes: number }>();
  /** Servers this worker has seen (text), and those still to look up in the store. */
  private readonly seenServers = new Set<string>();
  private newServers: Address[] = [];
  /** The publishing loop, until {@link finish}. */
  private readonly loop: Promise<void>;
  private running = true;

  /**
   * Starts publishing.
   * @param member - the node's membership (its clones, its handlers)
   * @param settings - rate and proxy
   */
  constructor(
    private readonly member: Member,
    private readonly settings: WorkerSettings,
  ) {
    const ep: Endpoint = member.ep;
    this.publisher = ep.makePublisher(MANAGER_TOPIC, { capacity: 256 });
    this.stream = new ConnStream(`${member.me.name}#${member.me.incarnation}`);
    member.on(EVENTS.finish, () => void this.finish());
    this.loop = this.run();
  }

  /** The figures this worker reports. */
  figures(): Record<string, number> {
    return { sent: this.sent, buffered: this.publisher.buffered, capacity: this.publisher.capacity };
  }

  private async run(): Promise<void> {
    const start = performance.now();
    let lastFlush = start;
    while (this.running) {
      const now = performance.now();
      // Catch up with the rate, but never more than a fifth of a second's worth per tick.
      const due = Math.min(Math.floor(((now - start) / 1000) * this.settings.rate), this.sent + Math.ceil(this.settings.rate / 5));
      while (this.running && this.sent < due) await this.publishOne();
      if (now - lastFlush >= 1_000) {
        lastFlush = now;
        await this.flush();
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }

  private async publishOne(): Promise<void> {
    const conn = this.stream.next();
    const { name, incarnation } = this.member.me;
    await this.publisher.publish(makeEvent(EVENTS.connection, name, count(incarnation), count(this.sent), conn.record));
    this.sent++;
    const key = toString(conn.origH);
    const host = this.hostCounts.get(key) ?? { host: conn.origH, n: 0 };
    host.n++;
    this.hostCounts.set(key, host);
    const service = this.services.get(conn.service) ?? { conns: 0, bytes: 0 };
    service.conns++;
    service.bytes += conn.bytes;
    this.services.set(conn.service, service);
    const server = toString(conn.respH);
    if (!this.seenServers.has(server)) {
      this.seenServers.add(server);
      this.newServers.push(conn.respH);
    }
  }

  /** Writes what was counted since the last flush to the stores and the proxy. */
  private async flush(): Promise<void> {
    const counts = this.member.clones.get(STORES.connCounts)!;
    const known = this.member.clones.get(STORES.knownServers)!;
    for (const { host, n } of this.hostCounts.values()) await counts.increment(host, count(n));
    this.hostCounts.clear();
    const servers = this.newServers;
    this.newServers = [];
    for (const server of servers) {
      // Read the shared state first (a local read of the clone); only an unknown server
      // costs a round trip to the master.
      if (await known.exists(server)) continue;
      if (await known.putUnique(server, this.member.me.name)) await this.publisher.publish(makeEvent(EVENTS.newServer, this.member.me.name, server));
    }
    if (this.services.size > 0) {
      const summary = [...this.services].map(([service, s]) => [service, count(s.conns), count(s.bytes)]);
      this.member.ep.publish(nodeTopic(this.settings.proxy), makeEvent(EVENTS.serviceSummary, this.member.me.name, summary));
      this.services.clear();
    }
  }

  /**
   * Stops publishing, flushes the store writes, waits until the master has them, and
   * tells the manager how many events this incarnation sent (after the last of them, on
   * the same publisher, so the manager has them all when it reads this).
   */
  private async finish(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.loop;
    await this.flush();
    await this.member.settleClones();
    const { name, incarnation } = this.member.me;
    await this.publisher.publish(makeEvent(EVENTS.finished, name, count(incarnation), count(this.sent)));
  }
}
