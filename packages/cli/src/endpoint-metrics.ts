/**
 * An endpoint's figures as Prometheus metrics (prom-client) and as Broker's HTTP status
 * report. Both read the endpoint through its public facade (`stats()`, `peers()`, and
 * the stores the caller names) when scraped, so nothing is counted twice and an endpoint
 * that nobody scrapes pays nothing.
 *
 * Metric names follow Broker's (libbroker/broker/internal/metric_factory.cc and the
 * core actor's metrics): `broker_connections`, `broker_processed_messages_total{type}`,
 * `broker_buffered_messages`, `broker_peer_disconnects_total`, `broker_store_entries{name}`.
 * Figures Broker does not have use the same `broker_` prefix:
 * `broker_local_publishers`, `broker_local_subscribers`,
 * `broker_dropped_messages_total{reason}` and `broker_published_messages_total`.
 */
import { BrokerError, type EndpointStats, Endpoint, type PeerInfo, type Store } from '@broker-ts/broker';
import { Counter, Gauge, Registry } from 'prom-client';

/** What the metrics and the status report read. */
export interface MetricsSource {
  /** The endpoint. */
  endpoint: Endpoint;
  /**
   * A function returning the stores whose entries are reported (`broker_store_entries`,
   * `masters`/`clones` in the status), called at each scrape so that stores attached or
   * closed later are reported as they are then: `stores: () => [store]`, not `[store]`.
   */
  stores?: () => readonly Store[];
}

/**
 * Names a value in an error message without running any of its code (as Broker's
 * argument checks do).
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}

/**
 * Checks what the metrics read, before anything reads it: a wrong value would otherwise
 * only show as a failed scrape.
 * @throws BrokerError `invalid_data` naming the option: `endpoint` not an Endpoint,
 *   `stores` given but not a function
 */
export function checkMetricsSource(source: unknown, what: string): asserts source is MetricsSource {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new BrokerError('invalid_data', `${what} must be an object, got ${describeValue(source)}`);
  }
  const { endpoint, stores } = source as Partial<Record<keyof MetricsSource, unknown>>;
  // Another copy of @broker-ts/broker's Endpoint class passes too: only stats() and
  // peers() are read.
  const isEndpoint =
    endpoint instanceof Endpoint ||
    (typeof endpoint === 'object' && endpoint !== null && typeof (endpoint as Endpoint).stats === 'function' && typeof (endpoint as Endpoint).peers === 'function');
  if (!isEndpoint) throw new BrokerError('invalid_data', `endpoint must be an Endpoint, got ${describeValue(endpoint)}`);
  if (stores !== undefined && typeof stores !== 'function') {
    throw new BrokerError('invalid_data', `stores must be a function returning the stores (() => readonly Store[]), got ${describeValue(stores)}`);
  }
}

/** One reading of the endpoint, shared by all metrics of a scrape. */
interface Reading {
  stats: EndpointStats;
  peers: PeerInfo[];
  /** `entries` is null while a store cannot answer (a clone whose master is not reachable yet). */
  stores: Array<{ name: string; kind: 'master' | 'clone'; entries: number | null }>;
}

async function read(source: MetricsSource): Promise<Reading> {
  const [stats, peers] = await Promise.all([source.endpoint.stats(), source.endpoint.peers()]);
  const stores = await Promise.all(
    (source.stores?.() ?? []).map(async (s) => ({ name: s.name, kind: s.kind, entries: await s.keys().then((k) => k.size, () => null) })),
  );
  return { stats, peers, stores };
}

/**
 * Why a message was dropped, for `broker_dropped_messages_total{reason}`: a peer's
 * overflow policy (`dropOldest`/`dropNewest`; `disconnect` drops the peer instead, see
 * `broker_peer_disconnects_total`), a full publish buffer (`publishOverflowPolicy`), a
 * full hub or status subscriber, a duplicate through a cycle, an expired hop limit, or
 * a malformed message.
 */
const DROP_REASONS: ReadonlyArray<[string, (s: EndpointStats) => number]> = [
  ['peer-overflow', (s) => s.peerDrops],
  ['publish-overflow', (s) => s.publishDrops],
  ['local-overflow', (s) => s.localDrops],
  ['duplicate', (s) => s.duplicates],
  ['ttl-expired', (s) => s.ttlExpired],
  ['malformed', (s) => s.malformed],
];

/** Broker's message types with their counters (Broker has no ping/pong in broker-ts's peering: always 0). */
const MESSAGE_TYPES: ReadonlyArray<[broker: string, status: string, (s: EndpointStats) => number]> = [
  ['data', 'data', (s) => s.processed.data],
  ['command', 'command', (s) => s.processed.command],
  ['routing-update', 'routing_update', (s) => s.processed.routingUpdate],
  ['ping', 'ping', () => 0],
  ['pong', 'pong', () => 0],
];

/** Sets a counter to an absolute value read from the endpoint (prom-client counters only add). */
function setCounter(counter: Counter, value: number, labels?: Record<string, string>): void {
  if (labels === undefined) {
    counter.reset();
    counter.inc(value);
  } else {
    counter.remove(labels);
    counter.inc(labels, value);
  }
}

/**
 * Makes a prom-client registry whose metrics read `source` at each scrape
 * (`await registry.metrics()` gives the Prometheus text).
 * @param labels - default labels of every metric, e.g. `{ endpoint: 'worker-1' }` to tell
 *   the endpoints of one process apart
 * @throws BrokerError `invalid_data` when `source.endpoint` is not an Endpoint or
 *   `source.stores` is given but not a function
 */
export function endpointRegistry(source: MetricsSource, labels: Record<string, string> = {}): Registry {
  checkMetricsSource(source, 'the metrics source');
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  let pending: Promise<Reading> | undefined;
  // The metrics of one scrape share one reading: the first collect starts it, the
  // others wait for it, and it is dropped once the scrape's turn is over.
  const reading = (): Promise<Reading> => {
    if (pending === undefined) {
      pending = read(source);
      const clear = (): void => void setImmediate(() => (pending = undefined));
      pending.then(clear, clear);
    }
    return pending;
  };
  const registers = [registry];
  new Gauge({
    name: 'broker_connections', help: 'Number of active network connections.', registers,
    async collect() {
      this.set((await reading()).peers.filter((p) => p.status === 'peered').length);
    },
  });
  new Counter({
    name: 'broker_processed_messages_total', help: 'Total number of processed messages.', labelNames: ['type'], registers,
    async collect() {
      const { stats } = await reading();
      for (const [type, , get] of MESSAGE_TYPES) setCounter(this, get(stats), { type });
    },
  });
  new Gauge({
    name: 'broker_buffered_messages', help: 'Number of messages currently buffered.', registers,
    async collect() {
      this.set((await reading()).stats.buffered);
    },
  });
  new Counter({
    name: 'broker_peer_disconnects_total', help: 'Total number of peer disconnects.', registers,
    async collect() {
      setCounter(this, (await reading()).stats.peerDisconnects);
    },
  });
  new Gauge({
    name: 'broker_local_publishers', help: 'Number of open publishers of the endpoint.', registers,
    async collect() {
      this.set((await reading()).stats.publishers);
    },
  });
  new Gauge({
    name: 'broker_local_subscribers', help: 'Number of local subscriptions (subscribers, hubs, callbacks, status subscribers).', registers,
    async collect() {
      this.set((await reading()).stats.subscriptions);
    },
  });
  new Counter({
    name: 'broker_published_messages_total', help: 'Total number of messages published with Endpoint.publish and friends.', registers,
    async collect() {
      setCounter(this, (await reading()).stats.published);
    },
  });
  new Counter({
    name: 'broker_dropped_messages_total', help: 'Total number of dropped messages, by reason.', labelNames: ['reason'], registers,
    async collect() {
      const { stats } = await reading();
      for (const [reason, get] of DROP_REASONS) setCounter(this, get(stats), { reason });
    },
  });
  new Gauge({
    name: 'broker_store_entries', help: 'Number of entries in the data store.', labelNames: ['name'], registers,
    async collect() {
      this.reset();
      for (const s of (await reading()).stores) if (s.entries !== null) this.set({ name: s.name }, s.entries);
    },
  });
  return registry;
}

/** Broker's status report (`/v1/status/json`), keys as in Broker's `core_actor_state::status_snapshot`. */
export type StatusReport = Record<string, unknown>;

/**
 * Builds Broker's status report: `id`, `cluster-node` (the `CLUSTER_NODE` environment
 * variable, or `unknown`), `time`, `native-connections`, `message-metrics` (`buffered`
 * and `processed` per message type), `peerings`, `published-via-async-msg`,
 * `local-publishers`, `local-subscribers`, and `masters`/`clones` with their `entries`
 * (null while a store cannot answer, e.g. a clone whose master is not reachable yet).
 * broker-ts buffers messages per peer, not per type: `message-metrics.data.buffered`
 * holds everything buffered, the other types 0. `peerings` gives each peer's `status`,
 * `outbound` and `network` (Broker gives its flows' credit there).
 * @throws BrokerError `invalid_data` (as a rejection) when `source.endpoint` is not an
 *   Endpoint or `source.stores` is given but not a function
 */
export async function statusReport(source: MetricsSource): Promise<StatusReport> {
  checkMetricsSource(source, 'the metrics source');
  const { stats, peers, stores } = await read(source);
  const messageMetrics: Record<string, { buffered: number; processed: number }> = {};
  for (const [, name, get] of MESSAGE_TYPES) messageMetrics[name] = { buffered: name === 'data' ? stats.buffered : 0, processed: get(stats) };
  const peerings: Record<string, unknown> = {};
  for (const p of peers) {
    const key = p.peer.id ?? `${p.peer.network?.address ?? '?'}:${p.peer.network?.port ?? '?'}`;
    peerings[key] = { status: p.status, outbound: p.outbound, network: p.peer.network ?? null };
  }
  const byKind = (kind: 'master' | 'clone'): Record<string, { entries: number | null }> =>
    Object.fromEntries(stores.filter((s) => s.kind === kind).map((s) => [s.name, { entries: s.entries }]));
  return {
    id: source.endpoint.id,
    'cluster-node': process.env.CLUSTER_NODE ?? 'unknown',
    time: new Date().toISOString(),
    'native-connections': peers.filter((p) => p.status === 'peered').length,
    'message-metrics': messageMetrics,
    peerings,
    'published-via-async-msg': stats.published,
    'local-publishers': stats.publishers,
    'local-subscribers': stats.subscriptions,
    masters: byKind('master'),
    clones: byKind('clone'),
  };
}
