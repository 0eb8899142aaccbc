/**
 * Data stores between broker-ts and the newest Broker over Broker's store channel
 * (COMMAND frames carrying `internal_command`): a Broker master (Python bindings,
 * memory backend) with a broker-ts clone, and a broker-ts master (memory and SQLite)
 * with a Broker clone. Every store operation, expiry, putUnique answers, store events,
 * the resync after the Broker process is killed and restarted, and the keys `0.0` and
 * `-0.0` kept apart through a snapshot either way. Skipped, with the
 * reason printed, where the newest Broker or its Python bindings are not built.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, type Data, Endpoint, storeEventsTopic, type Store, type Subscriber, timespan } from '@broker-ts/broker';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { until } from '../helpers';
import { PythonStore } from './python-store';
import { freePort, type ReferenceBroker } from '../../../../tools/reference-broker';

const live = newestBroker();
const broker = live.broker as ReferenceBroker;
const withPython = newestBrokerPython(live.broker);

jest.setTimeout(120_000);

const pythons: PythonStore[] = [];
const endpoints: Endpoint[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(pythons.splice(0).map((p) => p.kill()));
  await Promise.all(endpoints.splice(0).map((e) => e.shutdown()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function python(role: 'master' | 'clone', port: number, tls = false): PythonStore {
  const p = new PythonStore(broker, role, port, tls);
  pythons.push(p);
  return p;
}

function endpoint(tls = false): Endpoint {
  const ep = new Endpoint(tls ? {} : { disableSsl: true });
  endpoints.push(ep);
  return ep;
}

/** Reads store events from a subscriber until one satisfies `pred`; returns everything read. */
async function eventsUntil(sub: Subscriber, seen: Data[][], pred: (ev: Data[]) => boolean): Promise<Data[]> {
  for (const ev of seen) if (pred(ev)) return ev;
  for (;;) {
    const [, ev] = await sub.get();
    seen.push(ev as Data[]);
    if (pred(ev as Data[])) return ev as Data[];
  }
}

/** The event kind and key of a store event. */
const kindKey = (ev: unknown[]): string => `${String(ev[0])} ${JSON.stringify(ev[2])}`;

withPython.describe('a Broker master (Python bindings) and a broker-ts clone', () => {
  let master: PythonStore;
  let ep: Endpoint;
  let clone: Store;
  let sub: Subscriber;
  let userSub: Subscriber;
  let seen: Data[][];

  beforeEach(async () => {
    master = python('master', 0);
    const { port } = await master.ready();
    ep = endpoint();
    sub = ep.makeSubscriber(storeEventsTopic('s'));
    userSub = ep.makeSubscriber('s');
    seen = [];
    // With a retry: a lost peering is re-established (the restart test kills the master).
    expect(await ep.peer('127.0.0.1', port, { retry: 200 })).toBe(true);
    clone = await ep.attachClone('s', { resyncInterval: 200 });
    await until(async () => (await clone.awaitIdle({ timeout: 1000 })) === true, 'the clone to find its Broker master', 30_000);
  });

  test('every operation of the Broker master reaches the clone, with Broker\'s store events and the expiry', async () => {
    await master.run('put', { key: 'a', value: { count: 1 } });
    await master.run('put', { key: 'short', value: 'gone soon', expiry: 0.5 });
    expect(await master.run('put_unique', { key: 'u', value: 1 })).toBe(true);
    expect(await master.run('put_unique', { key: 'u', value: 2 })).toBe(false);
    await master.run('increment', { key: 'n', amount: 5 });
    await master.run('decrement', { key: 'n', amount: 2 });
    await master.run('put', { key: 'set', value: { set: ['x', 'y'] } });
    await master.run('erase', { key: 'a' });
    // The expiry runs on the master's clock, whenever the writes above are done: wait for both.
    await eventsUntil(sub, seen, (ev) => ev[0] === 'expire' && ev[2] === 'short');
    await eventsUntil(sub, seen, (ev) => ev[0] === 'erase' && ev[2] === 'a');
    expect(await clone.get('n')).toBe(3n);
    expect(await clone.get('u')).toBe(1n);
    expect(await clone.exists('a')).toBe(false);
    expect(await clone.exists('short')).toBe(false);
    // The same events, in the same order, as on the Broker master itself.
    await master.event((ev) => ev[0] === 'expire');
    await master.event((ev) => ev[0] === 'erase');
    expect(seen.map(kindKey)).toEqual(master.events.map(kindKey));
    const [masterId] = seen[0].slice(5);
    expect(seen[0]).toEqual(['insert', 's', 'a', count(1n), null, masterId, expect.anything()]);
    expect(seen[1]).toEqual(['insert', 's', 'short', 'gone soon', timespan(500_000_000n), masterId, expect.anything()]);
    expect(seen.find((ev) => ev[0] === 'update')).toEqual(['update', 's', 'n', 5n, 3n, null, masterId, expect.anything()]);
    await master.run('clear');
    await eventsUntil(sub, seen, (ev) => ev[0] === 'erase' && ev[2] === 'set');
    expect((await clone.keys()).size).toBe(0);
    // The store channel is for the store actors: a user subscription matching its topic gets nothing of it.
    expect(userSub.poll()).toEqual([]);
  });

  test('the clone\'s writes reach the Broker master, and putUnique answers true and false', async () => {
    await clone.put('from-ts', 'x');
    expect(await clone.putUnique('once', 1n)).toBe(true);
    expect(await clone.putUnique('once', 2n)).toBe(false);
    await clone.increment('n', 5n);
    await clone.decrement('n', 2n);
    await clone.put('ttl', 'brief', { expiry: 300 });
    expect(await master.poll('get', { key: 'n' }, (r) => r === 3)).toBe(3);
    expect(await master.run('get', { key: 'from-ts' })).toBe('x');
    expect(await master.run('get', { key: 'once' })).toBe(1);
    // The Broker master runs the expiry of a write the clone made.
    await master.event((ev) => ev[0] === 'expire' && ev[2] === 'ttl');
    await eventsUntil(sub, seen, (ev) => ev[0] === 'expire' && ev[2] === 'ttl');
    await clone.erase('from-ts');
    await master.event((ev) => ev[0] === 'erase' && ev[2] === 'from-ts');
    // An acknowledged write resolves once the Broker master has it (its ACK of the write).
    await clone.put('acked', true, { ack: true });
    expect(await master.run('get', { key: 'acked' })).toBe(true);
    await clone.clear();
    expect(await master.poll('keys', {}, (r) => JSON.stringify(r) === JSON.stringify({ set: [] }))).toEqual({ set: [] });
    expect(await clone.awaitIdle()).toBe(true);
  });

  test('the Broker process killed and restarted: the clone resyncs to the new master\'s state', async () => {
    await master.run('put', { key: 'old', value: 1 });
    await eventsUntil(sub, seen, (ev) => ev[2] === 'old');
    const port = (await master.ready()).port;
    await master.kill();
    const fresh = python('master', port);
    await fresh.ready();
    await fresh.run('put', { key: 'new', value: 2 });
    // Our peering retries; the clone's join reaches the new master, whose snapshot replaces the replica.
    await eventsUntil(sub, seen, (ev) => ev[0] === 'insert' && ev[2] === 'new');
    await eventsUntil(sub, seen, (ev) => ev[0] === 'erase' && ev[2] === 'old');
    expect([...(await clone.keys())]).toEqual(['new']);
    await clone.put('after', 3n);
    expect(await fresh.poll('get', { key: 'after' }, (r) => r === 3)).toBe(3);
  });
});

/** A broker-ts master of store "s" with a memory or SQLite backend, listening on a free port. */
async function startMaster(kind: 'memory' | 'sqlite'): Promise<{ ep: Endpoint; master: Store; port: number }> {
  const e = endpoint();
  let m: Store;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'native-store-'));
    dirs.push(dir);
    m = await e.attachMaster('s', 'sqlite', { path: join(dir, 's.sqlite') });
  } else m = await e.attachMaster('s', 'memory');
  const p = await e.listen('127.0.0.1', await freePort());
  return { ep: e, master: m, port: p };
}

withPython.describe('0.0 and -0.0: two keys on either side', () => {
  const zero = { real: '0.0' };
  const minusZero = { real: '-0.0' };

  test('a Broker master holding both: a broker-ts clone attaching later gets each with its value', async () => {
    const master = python('master', 0);
    const { port } = await master.ready();
    await master.run('put', { key: zero, value: 'plus' });
    await master.run('put', { key: minusZero, value: 'minus' });
    await master.run('put', { key: { vector: [1, zero] }, value: 'v-plus' });
    await master.run('put', { key: { vector: [1, minusZero] }, value: 'v-minus' });
    expect(await master.run('get', { key: minusZero })).toBe('minus');
    expect(await master.run('get', { key: zero })).toBe('plus');
    const ep = endpoint();
    expect(await ep.peer('127.0.0.1', port)).toBe(true);
    const clone = await ep.attachClone('s', { resyncInterval: 200 });
    await until(async () => (await clone.awaitIdle({ timeout: 1000 })) === true, 'the clone to find its Broker master', 30_000);
    expect(await clone.get(0.0)).toBe('plus');
    expect(await clone.get(-0.0)).toBe('minus');
    expect(await clone.get([1n, 0.0])).toBe('v-plus');
    expect(await clone.get([1n, -0.0])).toBe('v-minus');
  });

  test.each(['memory', 'sqlite'] as const)('a broker-ts master (%s) holding both: a Broker clone attaching later gets each with its value', async (kind) => {
    const { master, port } = await startMaster(kind);
    await master.put(0.0, 'plus');
    await master.put(-0.0, 'minus');
    await master.put([1n, -0.0], 'v-minus');
    await master.put([1n, 0.0], 'v-plus');
    const clone = python('clone', port);
    await clone.ready();
    expect(await clone.run('await_idle', { timeout: 30 })).toBe(true);
    expect(await clone.run('get', { key: minusZero })).toBe('minus');
    expect(await clone.run('get', { key: zero })).toBe('plus');
    expect(await clone.run('get', { key: { vector: [1, minusZero] } })).toBe('v-minus');
    expect(await clone.run('get', { key: { vector: [1, zero] } })).toBe('v-plus');
  });
});

describe.each(['memory', 'sqlite'] as const)('a broker-ts master (%s) and a Broker clone (Python bindings)', (backend) => {
  let ep: Endpoint;
  let master: Store;
  let port: number;

  async function startClone(): Promise<PythonStore> {
    const clone = python('clone', port);
    await clone.ready();
    expect(await clone.run('await_idle', { timeout: 30 })).toBe(true);
    return clone;
  }

  withPython.test('every operation of the master reaches the Broker clone, with Broker\'s store events and the expiry', async () => {
    ({ ep, master, port } = await startMaster(backend));
    const clone = await startClone();
    await master.put('a', count(1n));
    await master.put('short', 'gone soon', { expiry: 500 });
    expect(await master.putUnique('u', 1n)).toBe(true);
    expect(await master.putUnique('u', 2n)).toBe(false);
    await master.increment('n', 5n);
    await master.decrement('n', 2n);
    await master.erase('a');
    await clone.event((ev) => ev[0] === 'expire' && ev[2] === 'short');
    expect(await clone.run('get', { key: 'n' })).toBe(3);
    expect(await clone.run('get', { key: 'u' })).toBe(1);
    expect(await clone.run('get', { key: 'a' })).toBeNull();
    // The expiry runs on the master's clock, whenever the writes above are done.
    expect(clone.events.map(kindKey).filter((e) => !e.startsWith('expire'))).toEqual(['insert "a"', 'insert "short"', 'insert "u"', 'insert "n"', 'update "n"', 'erase "a"']);
    expect(clone.events.filter((ev) => ev[0] === 'expire')).toEqual([['expire', 's', 'short', ep.id, expect.anything()]]);
    expect(clone.events[1]).toEqual(['insert', 's', 'short', 'gone soon', { timespan: 0.5 }, ep.id, expect.anything()]);
    await master.clear();
    expect(await clone.poll('keys', {}, (r) => JSON.stringify(r) === JSON.stringify({ set: [] }))).toEqual({ set: [] });
  });

  withPython.test('the Broker clone\'s writes reach the master, with putUnique answers true and false', async () => {
    ({ ep, master, port } = await startMaster(backend));
    const clone = await startClone();
    await clone.run('put', { key: 'from-broker', value: 'y' });
    expect(await clone.run('put_unique', { key: 'once', value: 1 })).toBe(true);
    expect(await clone.run('put_unique', { key: 'once', value: 2 })).toBe(false);
    await clone.run('increment', { key: 'n', amount: 5 });
    await clone.run('decrement', { key: 'n', amount: 2 });
    await clone.run('put', { key: 'ttl', value: 'brief', expiry: 0.3 });
    await clone.run('erase', { key: 'from-broker' });
    expect(await clone.run('await_idle', { timeout: 30 })).toBe(true);
    expect(await master.get('n')).toBe(3n);
    expect(await master.get('once')).toBe(1n);
    expect(await master.exists('from-broker')).toBe(false);
    await clone.event((ev) => ev[0] === 'expire' && ev[2] === 'ttl');
    expect(await master.exists('ttl')).toBe(false);
    await clone.run('clear');
    await until(async () => (await master.keys()).size === 0, 'the clear of the Broker clone');
  });

  withPython.test('the Broker clone killed and restarted resyncs from a snapshot, with what changed meanwhile', async () => {
    ({ ep, master, port } = await startMaster(backend));
    const first = await startClone();
    await master.put('before', 1n);
    await first.event((ev) => ev[2] === 'before');
    await first.kill();
    await master.put('meanwhile', 2n);
    await master.erase('before');
    const second = await startClone();
    expect(await second.run('keys')).toEqual({ set: ['meanwhile'] });
    await master.put('after', 3n);
    await second.event((ev) => ev[0] === 'insert' && ev[2] === 'after');
    await second.run('put', { key: 'back', value: 4 });
    await until(async () => (await master.get('back')) === 4n, 'the restarted clone\'s write');
  });
});

withPython.describe('stores over Broker\'s default TLS', () => {
  test('a Broker master and a broker-ts clone created with defaults, and a broker-ts master with a Broker clone', async () => {
    const bm = python('master', 0, true);
    const { port } = await bm.ready();
    const tsClone = endpoint(true);
    expect(await tsClone.peer('127.0.0.1', port)).toBe(true);
    const clone = await tsClone.attachClone('s', { resyncInterval: 200 });
    await bm.run('put', { key: 'k', value: 'v' });
    await until(async () => (await clone.get('k').catch(() => undefined)) === 'v', 'the put to reach the clone over TLS', 30_000);
    expect(await clone.putUnique('k', 'w')).toBe(false);

    const tsMaster = endpoint(true);
    const master = await tsMaster.attachMaster('s', 'memory');
    await master.put('k', 'from broker-ts');
    const p = await tsMaster.listen('127.0.0.1', await freePort());
    const bc = python('clone', p, true);
    await bc.ready();
    expect(await bc.run('await_idle', { timeout: 30 })).toBe(true);
    expect(await bc.run('get', { key: 'k' })).toBe('from broker-ts');
  });
});
