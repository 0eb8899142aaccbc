/**
 * The metrics server of a real endpoint pair over loopback TCP, scraped over HTTP while
 * messages flow.
 */
import { count, Endpoint, type Store } from '@broker-ts/broker';

import { endpointRegistry, statusReport } from './endpoint-metrics';
import { type MetricsServer, serveMetrics } from './metrics-server';

/** One sample of a Prometheus text exposition. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: the type of each family and its samples. */
interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses Prometheus text format 0.0.4, strictly: every line is a HELP, a TYPE or a
 * sample of a family declared before it, names and labels well formed, values numbers.
 */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      if (!NAME.test(meta[2])) throw new Error(`bad metric name in: ${line}`);
      if (meta[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3])) throw new Error(`bad type in: ${line}`);
        types.set(meta[2], meta[3]);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample: ${line}`);
    if (!types.has(m[1])) throw new Error(`sample of an undeclared family: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    const value = Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

function sample(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return found.value;
}

async function scrape(server: MetricsServer, path = '/metrics'): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}${path}`);
}

/** Broker's status keys (tests/btest/Baseline/http-status.single-node/keys.json), flattened. */
const BROKER_STATUS_KEYS = [
  'cluster-node', 'id', 'local-publishers', 'local-subscribers', 'message-metrics',
  ...['command', 'data', 'ping', 'pong', 'routing_update'].flatMap((t) => [`message-metrics.${t}`, `message-metrics.${t}.buffered`, `message-metrics.${t}.processed`]),
  'native-connections', 'peerings', 'published-via-async-msg', 'time',
];

function flatKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [prefix + k, ...flatKeys(v, `${prefix}${k}.`)]);
}

describe('metrics server', () => {
  let sender: Endpoint;
  let receiver: Endpoint;
  let server: MetricsServer | undefined;
  const stores: Store[] = [];

  beforeEach(async () => {
    sender = new Endpoint({ name: 'sender' });
    receiver = new Endpoint({ name: 'receiver' });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const s of stores.splice(0)) await s.close();
    await Promise.all([sender.shutdown(), receiver.shutdown()]);
  });

  it('scraped during traffic: counters move, names and types parse as Prometheus text, Broker names are there', async () => {
    const port = await receiver.listen();
    const sub = receiver.makeSubscriber('/m');
    stores.push(await sender.attachMaster('figures', 'memory'));
    await stores[0].put('a', count(1));
    expect(await sender.peer('127.0.0.1', port)).toBe(true);
    // A subscription made after peering reaches the sender as a routing update.
    const other = receiver.makeSubscriber('/other');
    while (!(await sender.peerSubscriptions()).includes('/other')) await new Promise((r) => setTimeout(r, 10));
    other.close();
    server = await serveMetrics({ endpoint: sender, port: 0, stores: () => stores });
    const pub = sender.makePublisher('/m');
    for (let i = 0; i < 500; i++) await pub.publish(count(i));
    await sub.getMany(500, { timeout: 20_000 });
    const first = await scrape(server);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = parseExposition(await first.text());
    for (let i = 0; i < 300; i++) sender.publish('/m', count(i));
    // Scraped while those 300 are on their way: a consistent exposition all the same.
    const during = parseExposition(await (await scrape(server)).text());
    await sub.getMany(300, { timeout: 20_000 });
    const after = parseExposition(await (await scrape(server)).text());
    expect(sample(during, 'broker_published_messages_total')).toBe(300);
    expect(sample(during, 'broker_buffered_messages')).toBeGreaterThanOrEqual(0);

    expect(before.types.get('broker_processed_messages_total')).toBe('counter');
    expect(before.types.get('broker_connections')).toBe('gauge');
    expect(before.types.get('broker_buffered_messages')).toBe('gauge');
    expect(before.types.get('broker_store_entries')).toBe('gauge');
    expect(before.types.get('broker_dropped_messages_total')).toBe('counter');
    expect(sample(before, 'broker_connections')).toBe(1);
    expect(sample(before, 'broker_local_publishers')).toBe(1);
    expect(sample(before, 'broker_store_entries', { name: 'figures' })).toBe(1);
    expect(sample(before, 'broker_processed_messages_total', { type: 'data' })).toBeGreaterThanOrEqual(500);
    expect(sample(before, 'broker_processed_messages_total', { type: 'routing-update' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'broker_processed_messages_total', { type: 'data' }) - sample(before, 'broker_processed_messages_total', { type: 'data' })).toBeGreaterThanOrEqual(300);
    expect(sample(after, 'broker_published_messages_total') - sample(before, 'broker_published_messages_total')).toBe(300);
    for (const reason of ['peer-overflow', 'publish-overflow', 'local-overflow', 'duplicate', 'ttl-expired', 'malformed']) {
      expect(sample(after, 'broker_dropped_messages_total', { reason })).toBe(0);
    }
    pub.close();
    const closed = parseExposition(await (await scrape(server)).text());
    expect(sample(closed, 'broker_local_publishers')).toBe(0);
    expect(sample(closed, 'broker_peer_disconnects_total')).toBe(0);
    await receiver.shutdown();
    let gone = closed;
    while (sample(gone, 'broker_connections') !== 0) gone = parseExposition(await (await scrape(server)).text());
    expect(sample(gone, 'broker_peer_disconnects_total')).toBe(1);
    expect(sample(gone, 'broker_buffered_messages')).toBe(0);
  }, 60_000);

  it("serves Broker's status report with Broker's keys, and the receiver's view of the same traffic", async () => {
    const port = await receiver.listen();
    const sub = receiver.makeSubscriber('/m');
    expect(await sender.peer('127.0.0.1', port)).toBe(true);
    server = await serveMetrics({ endpoint: receiver, port: 0 });
    for (let i = 0; i < 50; i++) sender.publish('/m', i);
    await sub.getMany(50, { timeout: 20_000 });
    const res = await scrape(server, '/v1/status/json');
    expect(res.headers.get('content-type')).toBe('application/json');
    const report = (await res.json()) as Record<string, unknown>;
    const keys = flatKeys(report);
    for (const key of BROKER_STATUS_KEYS) expect(keys).toContain(key);
    expect(report.id).toBe(receiver.id);
    expect(report['native-connections']).toBe(1);
    expect(report['local-subscribers']).toBe(1);
    expect(Object.keys(report.peerings as object)).toEqual([sender.id]);
    expect((report['message-metrics'] as Record<string, { processed: number }>).data.processed).toBeGreaterThanOrEqual(50);
    expect((await scrape(server, '/nothing')).status).toBe(404);
  }, 60_000);

  it('a clone that cannot answer yet (no master) leaves its entries null; the report and the metrics still answer', async () => {
    stores.push(await sender.attachClone('nowhere'));
    server = await serveMetrics({ endpoint: sender, port: 0, stores: () => stores });
    const res = await scrape(server, '/v1/status/json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { clones: unknown }).clones).toEqual({ nowhere: { entries: null } });
    const metrics = await scrape(server, '/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).not.toMatch(/^broker_store_entries\{name="nowhere"\}/m);
  }, 60_000);

  it('refuses a bad port with a BrokerError and a taken one with cannot_open_resource', async () => {
    await expect(serveMetrics({ endpoint: sender, port: 70000 })).rejects.toMatchObject({ code: 'invalid_data' });
    server = await serveMetrics({ endpoint: sender, port: 0 });
    await expect(serveMetrics({ endpoint: sender, port: server.port })).rejects.toMatchObject({ code: 'cannot_open_resource' });
  });

  it('checks every option before anything listens: endpoint, port, host and stores, each named in an invalid_data error', async () => {
    const store = await sender.attachMaster('checked', 'memory');
    stores.push(store);
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /^serveMetrics options \(\{ endpoint, port, host\?, stores\? \}\) must be an object, got undefined$/],
      [{ port: 0 }, /^endpoint must be an Endpoint, got undefined$/],
      [{ endpoint: {}, port: 0 }, /^endpoint must be an Endpoint, got an object$/],
      [{ endpoint: sender }, /^port must be an integer in 0\.\.65535, got undefined$/],
      [{ endpoint: sender, port: '9101' }, /^port must be an integer in 0\.\.65535, got "9101"$/],
      [{ endpoint: sender, port: -1 }, /^port must be an integer in 0\.\.65535, got -1$/],
      [{ endpoint: sender, port: 1.5 }, /^port must be an integer in 0\.\.65535, got 1\.5$/],
      [{ endpoint: sender, port: 70000 }, /^port must be an integer in 0\.\.65535, got 70000$/],
      // A number as the host would be Node's listen backlog: every interface.
      [{ endpoint: sender, port: 0, host: 9101 }, /^host must be a non-empty string, got 9101$/],
      [{ endpoint: sender, port: 0, host: '' }, /^host must be a non-empty string, got ""$/],
      // The stores themselves instead of a function returning them.
      [{ endpoint: sender, port: 0, stores: [store] }, /^stores must be a function returning the stores \(\(\) => readonly Store\[\]\), got an array$/],
    ];
    for (const [options, message] of bad) {
      await expect((serveMetrics as (o: unknown) => Promise<MetricsServer>)(options)).rejects.toMatchObject({ name: 'BrokerError', code: 'invalid_data', message: expect.stringMatching(message) });
    }
    // The registry and the report check their source the same way.
    expect(() => endpointRegistry({ endpoint: sender, stores: [store] as never })).toThrow(/^stores must be a function/);
    await expect(statusReport({ endpoint: undefined as never })).rejects.toMatchObject({ code: 'invalid_data', message: 'endpoint must be an Endpoint, got undefined' });
    // The function form works: the store's entries are reported.
    await store.put('k', count(1));
    server = await serveMetrics({ endpoint: sender, port: 0, stores: () => [store] });
    const res = await scrape(server, '/v1/status/json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { masters: unknown }).masters).toEqual({ checked: { entries: 1 } });
  });
});
