/**
 * Store expiry on the endpoint clock (virtual time: nothing waits for real time to pass),
 * expire events on the master and on a clone, and expiries of persistent masters (SQLite
 * and LMDB, temp dirs) surviving a restart, with rows that expired while the master was
 * down dropped on load with expire events.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { count, type Data, Endpoint, timespan, storeEventsTopic, type Store, type Subscriber } from '@broker-ts/broker';
import { connect, shutdownAll, until } from './helpers';

/** The kinds and keys of the store events that arrived until `last` (kind, key) came. */
async function eventsUntil(sub: Subscriber, lastKind: string, lastKey: Data): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ev = (await sub.get())[1] as Data[];
    out.push(`${String(ev[0])} ${String(ev[2])}`);
    if (ev[0] === lastKind && ev[2] === lastKey) return out;
  }
}

describe('expiry on the endpoint clock', () => {
  let ep: Endpoint;
  let events: Subscriber;
  let m: Store;
  beforeEach(async () => {
    ep = new Endpoint({ name: 'expiry', useRealTime: false });
    events = ep.makeSubscriber(storeEventsTopic('t'));
    m = await ep.attachMaster('t', 'memory');
  });
  afterEach(() => ep.shutdown());

  test('an entry expires once the virtual clock passes its expiry, with an expire event', async () => {
    await m.put('exp', 1n, { expiry: 300 });
    ep.advanceTime(299);
    expect(await m.get('exp')).toBe(1n);
    ep.advanceTime(101); // the next store tick after the expiry
    await until(async () => (await m.get('exp')) === undefined, 'expiry');
    expect(await eventsUntil(events, 'expire', 'exp')).toEqual(['insert exp', 'expire exp']);
  });

  test('a put without an expiry clears an earlier one; a put with one replaces it', async () => {
    await m.put('keep', 1n, { expiry: 200 });
    await m.put('keep', 2n);
    await m.put('later', 1n, { expiry: 200 });
    await m.put('later', 2n, { expiry: 5000 });
    await m.put('marker', 0n, { expiry: 1000 });
    ep.advanceTime(1100);
    await until(async () => (await m.get('marker')) === undefined, 'marker expiry');
    expect(await m.get('keep')).toBe(2n);
    expect(await m.get('later')).toBe(2n);
    ep.advanceTime(4000);
    await until(async () => (await m.get('later')) === undefined, 'later expiry');
    expect(await m.get('keep')).toBe(2n);
    const seen = await eventsUntil(events, 'expire', 'later');
    expect(seen.filter((e) => e.startsWith('expire'))).toEqual(['expire marker', 'expire later']);
  });

  test('increment with an expiry sets it; a later increment without one clears it', async () => {
    await m.increment('n', count(1), { expiry: 500 });
    await m.increment('gone', count(1), { expiry: 500 });
    await m.increment('n', count(1));
    ep.advanceTime(600);
    await until(async () => (await m.get('gone')) === undefined, 'expiry of gone');
    expect(await m.get('n')).toEqual(count(2));
  });

  test('an expiry given as a timespan works as one in milliseconds', async () => {
    await m.put('ts', 1n, { expiry: timespan(250) });
    ep.advanceTime(200);
    expect(await m.get('ts')).toBe(1n);
    ep.advanceTime(100);
    await until(async () => (await m.get('ts')) === undefined, 'timespan expiry');
  });

  test('a bad expiry is refused at the call', async () => {
    await expect(m.put('k', 1n, { expiry: Number.NaN })).rejects.toMatchObject({ code: 'invalid_data' });
    expect(await m.exists('k')).toBe(false);
  });
});

describe('expiry reaches clones', () => {
  test('the master expiring a key on its virtual clock removes it on the clone, with an expire event there', async () => {
    const masterEp = new Endpoint({ name: 'vm', useRealTime: false });
    const cloneEp = new Endpoint({ name: 'rc' });
    try {
      const cloneEvents = cloneEp.makeSubscriber(storeEventsTopic('x'));
      const m = await masterEp.attachMaster('x', 'memory');
      await connect(cloneEp, masterEp);
      const c = await cloneEp.attachClone('x', { resyncInterval: 100 });
      await m.put('e', 'v', { expiry: 500 });
      await until(async () => (await c.get('e').catch(() => undefined)) === 'v', 'the clone showing e');
      masterEp.advanceTime(400);
      expect(await c.get('e')).toBe('v');
      masterEp.advanceTime(200);
      await until(async () => (await c.get('e')) === undefined, 'the clone dropping e');
      const seen = await eventsUntil(cloneEvents, 'expire', 'e');
      expect(seen).toEqual(['insert e', 'expire e']);
    } finally {
      await shutdownAll([masterEp, cloneEp]);
    }
  });
});

describe.each(['sqlite', 'lmdb'] as const)('a persistent %s master restarted', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `broker-ts-store-${kind}-`));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('keeps its data and expiries; rows that expired while it was down are dropped on load with expire events', async () => {
    const where = { path: path.join(dir, kind === 'sqlite' ? 'store.sqlite' : 'store.lmdb') };
    const first = new Endpoint({ name: 'first', useRealTime: false });
    try {
      const m = await first.attachMaster('p', kind, where);
      await m.put('short', 1n, { expiry: 10_000 });
      await m.put('long', 2n, { expiry: 3_600_000 });
      await m.put('forever', 3n);
      await m.increment('counter', count(4), { expiry: 20_000 });
      expect(await m.keys()).toMatchObject({ size: 4 });
    } finally {
      await first.shutdown();
    }

    const second = new Endpoint({ name: 'second', useRealTime: false });
    try {
      const events = second.makeSubscriber(storeEventsTopic('p'));
      // 15 s pass before the master comes back: `short` expired while it was down.
      second.advanceTime(15_000);
      const m = await second.attachMaster('p', kind, where);
      expect(await eventsUntil(events, 'expire', 'short')).toEqual(['expire short']);
      expect(await m.get('short')).toBeUndefined();
      expect(await m.get('long')).toBe(2n);
      expect(await m.get('forever')).toBe(3n);
      expect(await m.get('counter')).toEqual(count(4));
      // The re-armed expiries still fire on the clock.
      second.advanceTime(10_000);
      expect(await eventsUntil(events, 'expire', 'counter')).toEqual(['expire counter']);
      second.advanceTime(3_600_000);
      expect(await eventsUntil(events, 'expire', 'long')).toEqual(['expire long']);
      expect(await m.keys()).toMatchObject({ size: 1 });
      expect(await m.get('forever')).toBe(3n);
    } finally {
      await second.shutdown();
    }
  });
});
