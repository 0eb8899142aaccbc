/**
 * Every store operation with Broker's semantics (Broker's `doc/stores.rst`), end to end through
 * real endpoints: issued on the master's endpoint and, the same table again, through a
 * clone on another endpoint peered over TCP. A rejected write leaves the store unchanged
 * and arrives as an error event on the status subscriber of the endpoint that issued it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Data, count, equals, set, table, timespan, timestamp, toString, address, port, enumValue, type Store, Endpoint, BrokerError } from '@broker-ts/broker';
import { ErrorLog, storeCluster, type StoreCluster } from './fixtures/store/store-kit';
import { until } from './helpers';

const ABSENT = Symbol('absent');
type Expected = Data | typeof ABSENT;

/** One row of the operation tables in docs/stores.md: an initial value, an operation, the value afterwards and the error, if any. */
interface OpCase {
  name: string;
  init?: Data;
  op: (s: Store, key: string) => Promise<unknown>;
  expect: Expected;
  error?: string;
}

const TWO64 = 1n << 64n;

const cases: OpCase[] = [
  { name: 'put inserts', op: (s, k) => s.put(k, 'v'), expect: 'v' },
  { name: 'put overwrites', init: 1n, op: (s, k) => s.put(k, 'v'), expect: 'v' },
  { name: 'erase removes a key', init: 1n, op: (s, k) => s.erase(k), expect: ABSENT },
  { name: 'erase of a missing key is no error', op: (s, k) => s.erase(k), expect: ABSENT },
  { name: 'increment count by count', init: count(5), op: (s, k) => s.increment(k, count(2)), expect: count(7) },
  { name: 'increment integer by integer', init: 5n, op: (s, k) => s.increment(k, -7n), expect: -2n },
  { name: 'increment real by real', init: 1.5, op: (s, k) => s.increment(k, 0.25), expect: 1.75 },
  { name: 'increment timespan by timespan', init: timespan(1000), op: (s, k) => s.increment(k, timespan(500)), expect: timespan(1500) },
  { name: 'increment timestamp by timespan', init: timestamp(1_000_000_000n), op: (s, k) => s.increment(k, timespan(1)), expect: timestamp(2_000_000n + 1_000_000_000n - 1_000_000n) },
  { name: 'increment of a missing key starts a count', op: (s, k) => s.increment(k, count(3)), expect: count(3) },
  { name: 'increment of a missing key starts an integer', op: (s, k) => s.increment(k, -3n), expect: -3n },
  { name: 'increment of a missing key starts a real', op: (s, k) => s.increment(k, 1.5), expect: 1.5 },
  { name: 'increment of a missing key by a timespan starts a timestamp', op: (s, k) => s.increment(k, timespan(1000)), expect: timestamp(1_000_000_000n) },
  { name: 'increment count by integer is a type clash', init: count(5), op: (s, k) => s.increment(k, 2n), expect: count(5), error: 'type_clash' },
  { name: 'increment of a missing key by a string is a type clash', op: (s, k) => s.increment(k, 'x'), expect: ABSENT, error: 'type_clash' },
  { name: 'increment of a string is a type clash', init: 'abc', op: (s, k) => s.increment(k, count(1)), expect: 'abc', error: 'type_clash' },
  { name: 'increment of a boolean is a type clash', init: true, op: (s, k) => s.increment(k, count(1)), expect: true, error: 'type_clash' },
  { name: 'increment of an address is a type clash', init: address('10.0.0.1'), op: (s, k) => s.increment(k, count(1)), expect: address('10.0.0.1'), error: 'type_clash' },
  { name: 'increment of a port is a type clash', init: port(80, 'tcp'), op: (s, k) => s.increment(k, count(1)), expect: port(80, 'tcp'), error: 'type_clash' },
  { name: 'increment of an enum is a type clash', init: enumValue('A'), op: (s, k) => s.increment(k, count(1)), expect: enumValue('A'), error: 'type_clash' },
  { name: 'increment of none is a type clash', init: null, op: (s, k) => s.increment(k, count(1)), expect: null, error: 'type_clash' },
  { name: 'decrement count by count', init: count(5), op: (s, k) => s.decrement(k, count(2)), expect: count(3) },
  { name: 'decrement of a count below zero wraps', init: count(0), op: (s, k) => s.decrement(k, count(1)), expect: count(TWO64 - 1n) },
  { name: 'decrement timestamp by timespan', init: timestamp(5_000_000_000n), op: (s, k) => s.decrement(k, timespan(1000)), expect: timestamp(4_000_000_000n) },
  { name: 'decrement of a missing key fails', op: (s, k) => s.decrement(k, count(1)), expect: ABSENT, error: 'no_such_key' },
  { name: 'decrement integer by count is a type clash', init: 5n, op: (s, k) => s.decrement(k, count(1)), expect: 5n, error: 'type_clash' },
  { name: 'append to a string', init: 'ab', op: (s, k) => s.append(k, 'cd'), expect: 'abcd' },
  { name: 'append to a missing key starts from ""', op: (s, k) => s.append(k, 'ab'), expect: 'ab' },
  { name: 'append to a count is a type clash', init: count(1), op: (s, k) => s.append(k, 'x'), expect: count(1), error: 'type_clash' },
  { name: 'insertInto a set', init: set([1n]), op: (s, k) => s.insertInto(k, 2n), expect: set([1n, 2n]) },
  { name: 'insertInto a missing key starts a set', op: (s, k) => s.insertInto(k, 'x'), expect: set(['x']) },
  { name: 'insertInto a vector pushes', init: [1n], op: (s, k) => s.insertInto(k, 2n), expect: [1n, 2n] },
  { name: 'insertInto a table overwrites the index', init: table([['a', 1n]]), op: (s, k) => s.insertInto(k, 'a', 2n), expect: table([['a', 2n]]) },
  { name: 'insertInto a missing key with a value starts a table', op: (s, k) => s.insertInto(k, 'a', 1n), expect: table([['a', 1n]]) },
  { name: 'insertInto a set with a value inserts the pair', init: set([]), op: (s, k) => s.insertInto(k, 'a', 1n), expect: set([['a', 1n]]) },
  { name: 'insertInto a table without a value is a type clash', init: table([['a', 1n]]), op: (s, k) => s.insertInto(k, 'b'), expect: table([['a', 1n]]), error: 'type_clash' },
  { name: 'insertInto a string appends a string (the adder of strings)', init: 'abc', op: (s, k) => s.insertInto(k, 'x'), expect: 'abcx' },
  { name: 'insertInto a string with a count is a type clash', init: 'abc', op: (s, k) => s.insertInto(k, count(1)), expect: 'abc', error: 'type_clash' },
  { name: 'removeFrom a set', init: set([1n, 2n]), op: (s, k) => s.removeFrom(k, 1n), expect: set([2n]) },
  { name: 'removeFrom a table', init: table([['a', 1n], ['b', 2n]]), op: (s, k) => s.removeFrom(k, 'a'), expect: table([['b', 2n]]) },
  { name: 'removeFrom a vector pops the last element whatever the index', init: [10n, 20n, 30n], op: (s, k) => s.removeFrom(k, count(0)), expect: [10n, 20n] },
  { name: 'removeFrom a string is a type clash', init: 'abc', op: (s, k) => s.removeFrom(k, 'a'), expect: 'abc', error: 'type_clash' },
  { name: 'removeFrom a missing key fails', op: (s, k) => s.removeFrom(k, 'a'), expect: ABSENT, error: 'no_such_key' },
  { name: 'push onto a vector', init: [1n], op: (s, k) => s.push(k, 'x'), expect: [1n, 'x'] },
  { name: 'push onto a missing key starts a vector', op: (s, k) => s.push(k, 'x'), expect: ['x'] },
  { name: 'push onto a count is a type clash', init: count(1), op: (s, k) => s.push(k, 'x'), expect: count(1), error: 'type_clash' },
  { name: 'pop from a vector', init: [1n, 2n], op: (s, k) => s.pop(k), expect: [1n] },
  { name: 'pop from an empty vector leaves it empty', init: [], op: (s, k) => s.pop(k), expect: [] },
  { name: 'pop from a missing key fails', op: (s, k) => s.pop(k), expect: ABSENT, error: 'no_such_key' },
  { name: 'pop from a count is a type clash', init: count(1), op: (s, k) => s.pop(k), expect: count(1), error: 'type_clash' },
];

function show(v: Expected | undefined): string {
  return v === ABSENT || v === undefined ? '<absent>' : toString(v);
}

/** Runs every case through `writer`, reading the outcome from `writer` and from `others`. */
async function runTable(writer: Store, readers: Store[], errors: ErrorLog, prefix: string): Promise<void> {
  const keyOf = (i: number): string => `${prefix}${i}`;
  for (const [i, c] of cases.entries()) if (c.init !== undefined) await writer.put(keyOf(i), c.init);
  for (const [i, c] of cases.entries()) await c.op(writer, keyOf(i));
  const seen = await errors.settle(writer);
  const expectedErrors = cases.flatMap((c, i) => (c.error === undefined ? [] : [{ code: c.error, key: keyOf(i) }]));
  expect(seen).toEqual(expectedErrors);
  for (const reader of [writer, ...readers]) {
    expect(await reader.awaitIdle({ timeout: 20_000 })).toBe(true);
    const wrong: string[] = [];
    for (const [i, c] of cases.entries()) {
      const got = await reader.get(keyOf(i));
      const ok = c.expect === ABSENT ? got === undefined : got !== undefined && equals(got, c.expect);
      if (!ok) wrong.push(`${reader.kind}: ${c.name}: expected ${show(c.expect)}, got ${show(got)}`);
    }
    expect(wrong).toEqual([]);
  }
}

describe('store operations end to end', () => {
  let cluster: StoreCluster;
  let masterErrors: ErrorLog;
  let cloneErrors: ErrorLog;
  beforeAll(async () => {
    cluster = await storeCluster('ops', 1);
    masterErrors = new ErrorLog(cluster.masterEp);
    cloneErrors = new ErrorLog(cluster.cloneEps[0]);
  });
  afterAll(async () => {
    masterErrors.close();
    cloneErrors.close();
    await cluster.shutdown();
  });

  test('every operation issued on the master has Broker semantics, seen on the master and the clone', async () => {
    await runTable(cluster.master, cluster.clones, masterErrors, 'm');
  });

  test('every operation issued through a clone has Broker semantics, and its refusals are error events on the clone endpoint', async () => {
    await runTable(cluster.clones[0], [cluster.master], cloneErrors, 'c');
  });

  test('putUnique inserts only an absent key, from the master and from a clone', async () => {
    const { master, clones } = cluster;
    expect(await master.putUnique('pu-m', 'first')).toBe(true);
    expect(await master.putUnique('pu-m', 'second')).toBe(false);
    expect(await clones[0].putUnique('pu-m', 'third')).toBe(false);
    expect(await clones[0].putUnique('pu-c', 'first')).toBe(true);
    // A clone's putUnique answers after its replica shows the value.
    expect(await clones[0].get('pu-c')).toBe('first');
    expect(await clones[0].putUnique('pu-c', 'second')).toBe(false);
    expect(await master.get('pu-m')).toBe('first');
    expect(await master.get('pu-c')).toBe('first');
  });

  test('clear removes every key on the master and the clone', async () => {
    const { master, clones } = cluster;
    await clones[0].put('clear-a', 1n);
    await master.put('clear-b', 2n);
    expect(await clones[0].awaitIdle()).toBe(true);
    expect((await clones[0].keys()).size).toBeGreaterThanOrEqual(2);
    await clones[0].clear();
    expect(await clones[0].awaitIdle()).toBe(true);
    expect(await master.awaitIdle()).toBe(true);
    expect((await master.keys()).size).toBe(0);
    expect((await clones[0].keys()).size).toBe(0);
  });
});

describe('store queries end to end', () => {
  let cluster: StoreCluster;
  beforeAll(async () => {
    cluster = await storeCluster('queries', 1);
    const m = cluster.master;
    await m.put('vec', [10n, 20n, 30n]);
    await m.put('set', set(['a', 'b']));
    await m.put('tab', table([['a', 1n]]));
    await m.put('cnt', count(7));
    expect(await cluster.master.awaitIdle()).toBe(true);
  });
  afterAll(() => cluster.shutdown());

  for (const side of ['master', 'clone'] as const) {
    const store = (): Store => (side === 'master' ? cluster.master : cluster.clones[0]);

    test(`${side}: get answers the value, undefined for a missing key`, async () => {
      expect(await store().get('cnt')).toEqual(count(7));
      expect(await store().get('missing')).toBeUndefined();
    });

    test(`${side}: exists tells whether a key is there`, async () => {
      expect(await store().exists('vec')).toBe(true);
      expect(await store().exists('missing')).toBe(false);
    });

    test(`${side}: getIndexFromValue on vectors, sets, tables, other types and missing keys`, async () => {
      const s = store();
      expect(await s.getIndexFromValue('vec', count(1))).toBe(20n);
      expect(await s.getIndexFromValue('vec', 2n)).toBe(30n);
      expect(await s.getIndexFromValue('vec', count(5))).toBeUndefined();
      await expect(s.getIndexFromValue('vec', -1n)).rejects.toMatchObject({ code: 'type_clash' });
      await expect(s.getIndexFromValue('vec', 'x')).rejects.toMatchObject({ code: 'type_clash' });
      expect(await s.getIndexFromValue('set', 'a')).toBe(true);
      expect(await s.getIndexFromValue('set', 'z')).toBe(false);
      expect(await s.getIndexFromValue('tab', 'a')).toBe(1n);
      expect(await s.getIndexFromValue('tab', 'z')).toBeUndefined();
      expect(await s.getIndexFromValue('cnt', 'anything')).toEqual(count(7));
      expect(await s.getIndexFromValue('missing', 0n)).toBeUndefined();
    });

    test(`${side}: keys is the set of every key`, async () => {
      expect(await store().keys()).toEqual(set(['cnt', 'set', 'tab', 'vec']));
    });
  }

  test('a write with a value that is not Broker data is refused at the call', async () => {
    await expect(cluster.master.put('k', Symbol('no') as never)).rejects.toBeInstanceOf(BrokerError);
    await expect(cluster.clones[0].put((() => 1) as never, 1n)).rejects.toBeInstanceOf(BrokerError);
  });
});

describe('attaching stores', () => {
  const eps: Endpoint[] = [];
  afterEach(async () => {
    await Promise.all(eps.splice(0).map((ep) => ep.shutdown()));
  });
  function endpoint(name: string, useRealTime = true): Endpoint {
    const ep = new Endpoint({ name, useRealTime });
    eps.push(ep);
    return ep;
  }

  test('a clone beside its master on one endpoint is no_such_master', async () => {
    const a = endpoint('a');
    await a.attachMaster('s', 'memory');
    await expect(a.attachClone('s')).rejects.toMatchObject({ code: 'no_such_master' });
  });

  test('a master is refused with master_exists when a peer has the master', async () => {
    const a = endpoint('a');
    const b = endpoint('b');
    await a.attachMaster('s', 'memory');
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peerSubscriptions()).includes('s/<$>/data/master'), 'master subscription at b');
    await expect(b.attachMaster('s', 'memory')).rejects.toMatchObject({ code: 'master_exists' });
    // A clone there is fine.
    const clone = await b.attachClone('s', { resyncInterval: 200 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
  });

  test('attaching a master twice gives the same store, and closing one handle keeps the other working', async () => {
    const a = endpoint('a');
    const m1 = await a.attachMaster('twice', 'memory');
    const m2 = await a.attachMaster('twice', 'memory');
    await m1.put('k', 1n);
    expect(await m2.get('k')).toBe(1n);
    await m1.close();
    await m2.put('k2', 2n);
    expect(await m2.get('k2')).toBe(2n);
    await expect(m1.get('k')).rejects.toMatchObject({ code: 'shutting_down' });
  });

  test('attaching a master again: the same backend, path and options give the same store, anything else is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-reattach-'));
    try {
      const a = endpoint('a');
      const mem = await a.attachMaster('x', 'memory');
      await mem.put('k', 1n);
      // The reported trap: a SQLite master asked for, the memory store silently returned.
      const err = await a.attachMaster('x', 'sqlite', { path: path.join(dir, 'x.sqlite') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerError);
      expect(err).toMatchObject({ code: 'master_exists', message: expect.stringContaining('with backend memory') });
      expect(fs.existsSync(path.join(dir, 'x.sqlite'))).toBe(false);
      expect(await (await a.attachMaster('x', 'memory')).get('k')).toBe(1n);

      const file = path.join(dir, 'db', 'y.sqlite');
      const y = await a.attachMaster('y', 'sqlite', { path: file });
      await y.put('k', 2n);
      // Another spelling of the same file is the same store.
      const again = await a.attachMaster('y', 'sqlite', { path: path.join(dir, 'db', '..', 'db', './y.sqlite') });
      expect(await again.get('k')).toBe(2n);
      for (const [kind, options] of [
        ['sqlite', { path: path.join(dir, 'other.sqlite') }],
        ['sqlite', { path: file, synchronous: 'off' }],
        ['lmdb', { path: file }],
        ['memory', {}],
      ] as const) {
        await expect(a.attachMaster('y', kind, options)).rejects.toMatchObject({ code: 'master_exists', message: expect.stringContaining(`store y already has a master on this endpoint with backend sqlite ${fs.realpathSync(dir)}`) });
      }
      // One file cannot hold two stores.
      await expect(a.attachMaster('z', 'sqlite', { path: file })).rejects.toMatchObject({ code: 'backend_failure', message: expect.stringContaining('already the backend of store y') });
      // Bad options are still bad options.
      await expect(a.attachMaster('y', 'sqlite', { path: file, bogus: 1 })).rejects.toMatchObject({ code: 'backend_failure' });
      // A clone beside it is refused with Broker's code and a message that says what to do.
      await expect(a.attachClone('y')).rejects.toMatchObject({ code: 'no_such_master', message: expect.stringContaining('this endpoint has the master of store y') });
      expect(await y.get('k')).toBe(2n);
    } finally {
      await Promise.all(eps.splice(0).map((ep) => ep.shutdown()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('attaching a clone twice gives the same clone', async () => {
    const a = endpoint('a');
    const b = endpoint('b');
    const m = await a.attachMaster('twice-c', 'memory');
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const c1 = await b.attachClone('twice-c', { resyncInterval: 200 });
    const c2 = await b.attachClone('twice-c');
    await c1.put('k', 1n);
    expect(await c2.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await c2.get('k')).toBe(1n);
    expect(await m.get('k')).toBe(1n);
  });

  test('a master on an endpoint that holds a clone of the store is master_exists', async () => {
    const a = endpoint('a');
    await a.attachClone('cm');
    await expect(a.attachMaster('cm', 'memory')).rejects.toMatchObject({ code: 'master_exists' });
  });

  test('a bad backend option fails the attach with a clear error', async () => {
    const a = endpoint('a');
    await expect(a.attachMaster('bad', 'sqlite', {})).rejects.toMatchObject({ code: 'backend_failure' });
    await expect(a.attachMaster('bad', 'sqlite', { path: '/tmp/x.sqlite', journalMode: 'sideways' })).rejects.toMatchObject({ code: 'backend_failure' });
    await expect(a.attachMaster('bad', 'nosuch' as never)).rejects.toMatchObject({ code: 'backend_failure' });
    // The failed attaches left nothing behind: the name is free.
    const m = await a.attachMaster('bad', 'memory');
    await m.put('k', 1n);
    expect(await m.get('k')).toBe(1n);
  });

  test('a clone answers stale_data until it found a master', async () => {
    const a = endpoint('lonely');
    const c = await a.attachClone('nomaster');
    await expect(c.get('k')).rejects.toMatchObject({ code: 'stale_data' });
    await expect(c.keys()).rejects.toMatchObject({ code: 'stale_data' });
  });

  test('awaitIdle: a master without clones is idle at once; a clone without a master is not idle before its timeout', async () => {
    const a = endpoint('idle', false);
    const m = await a.attachMaster('idle-m', 'memory');
    expect(await m.awaitIdle()).toBe(true);
    const b = endpoint('idle-c', false);
    const c = await b.attachClone('idle-c');
    let settled = false;
    const idle = c.awaitIdle({ timeout: 1000 }).then((v) => ((settled = true), v));
    // A query behind awaitIdle in the clone's mailbox: once answered, the timer is armed.
    await expect(c.get('k')).rejects.toMatchObject({ code: 'stale_data' });
    b.advanceTime(999);
    await expect(c.get('k')).rejects.toMatchObject({ code: 'stale_data' });
    expect(settled).toBe(false);
    b.advanceTime(1);
    expect(await idle).toBe(false);
  });
});

describe('a clone without a master', () => {
  test('buffers writes for mutationBufferInterval, then drops them as no_such_master error events and refuses new ones', async () => {
    const ep = new Endpoint({ name: 'alone', useRealTime: false });
    try {
      const errors = ep.makeStatusSubscriber();
      const c = await ep.attachClone('orphan', { mutationBufferInterval: 1000 });
      await c.put('early', 1n);
      await c.put('late', 2n);
      // Behind the writes in the clone's mailbox: once answered, both are buffered.
      await expect(c.get('early')).rejects.toMatchObject({ code: 'stale_data' });
      ep.advanceTime(999);
      await expect(c.get('early')).rejects.toMatchObject({ code: 'stale_data' });
      expect(errors.poll()).toEqual([]);
      ep.advanceTime(101);
      const dropped = [await errors.get(), await errors.get()] as BrokerError[];
      expect(dropped.map((e) => e.code)).toEqual(['no_such_master', 'no_such_master']);
      expect(dropped[0].message).toContain('early');
      expect(dropped[1].message).toContain('late');
      await c.put('after', 3n);
      const refused = (await errors.get()) as BrokerError;
      expect(refused.code).toBe('no_such_master');
      expect(refused.message).toContain('after');
      await expect(c.putUnique('u', 1n)).rejects.toMatchObject({ code: 'no_such_master' });
    } finally {
      await ep.shutdown();
    }
  });
});
