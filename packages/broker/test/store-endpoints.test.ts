import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerError, count, Endpoint, EnumValue, ReservedTopics, isStatus, set, storeEventsTopic, Timespan, type Data, type StatusSubscriber, type Store } from '@broker-ts/broker';

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setImmediate(r));
}

/** The next `n` errors of a status subscriber, skipping status events. */
async function errorsOf(sub: StatusSubscriber, n: number): Promise<BrokerError[]> {
  const errors: BrokerError[] = [];
  while (errors.length < n) {
    const item = await sub.get();
    if (!isStatus(item)) errors.push(item);
  }
  return errors;
}

describe('data stores across endpoints', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    a = new Endpoint({ name: 'master-side' });
    b = new Endpoint({ name: 'clone-side' });
  });
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  async function peered(): Promise<void> {
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
  }

  test('a clone sees the master writes and its own writes go through the master', async () => {
    const master = await a.attachMaster('s', 'memory');
    await master.put('k', count(5));
    await peered();
    const clone = await b.attachClone('s');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.get('k')).toEqual(count(5));
    await clone.put('from-clone', 'x');
    await clone.increment('k', count(2));
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await master.get('from-clone')).toBe('x');
    expect(await master.get('k')).toEqual(count(7));
    await until(async () => (await clone.get('k')) !== undefined && (await clone.get('k') as { value: bigint }).value === 7n);
    expect(await clone.keys()).toEqual(set(['from-clone', 'k']));
    expect(await clone.get('missing')).toBeUndefined();
  });

  test('putUnique: exactly one of the master and a clone wins a key', async () => {
    const master = await a.attachMaster('u', 'memory');
    await peered();
    const clone = await b.attachClone('u');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.putUnique('e', 'first')).toBe(true);
    expect(await clone.putUnique('e', 'second')).toBe(false);
    expect(await master.putUnique('e', 'third')).toBe(false);
    expect(await master.get('e')).toBe('first');
  });

  test('attach rules: a clone next to its master is no_such_master; a second master is master_exists', async () => {
    await a.attachMaster('m', 'memory');
    await expect(a.attachClone('m')).rejects.toMatchObject({ code: 'no_such_master' });
    await peered();
    await until(async () => (await b.peerSubscriptions()).includes('m/<$>/data/master'));
    await expect(b.attachMaster('m', 'memory')).rejects.toBeInstanceOf(BrokerError);
    await expect(b.attachMaster('m', 'memory')).rejects.toMatchObject({ code: 'master_exists' });
  });

  test('store events arrive on the master and on the clone; a refused write is an error event', async () => {
    const eventsA = a.makeSubscriber(storeEventsTopic('ev'));
    const errorsA = a.makeStatusSubscriber();
    const master = await a.attachMaster('ev', 'memory');
    await peered();
    const eventsB = b.makeSubscriber(ReservedTopics.storeEvents);
    const clone = await b.attachClone('ev');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    await master.put('k', 1n);
    const [, insert] = await eventsA.get();
    expect((insert as unknown[]).slice(0, 5)).toEqual(['insert', 'ev', 'k', 1n, null]);
    const [topic, remoteInsert] = await eventsB.get();
    expect(topic).toBe('<$>/local/data/store-events/ev');
    expect((remoteInsert as unknown[]).slice(0, 4)).toEqual(['insert', 'ev', 'k', 1n]);
    await master.append('k', 'not a string target');
    const err = await errorsA.get();
    expect(isStatus(err)).toBe(false);
    expect((err as BrokerError).code).toBe('type_clash');
    expect(await master.get('k')).toBe(1n);
    expect(new EnumValue('x')).toBeInstanceOf(EnumValue);
  });

  test('a clone that lost its peering to the master resyncs as soon as the peering is back, not at its resync interval', async () => {
    const master = await a.attachMaster('back', 'memory');
    await master.put('before', count(1));
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    // An interval far beyond the test's timeout: only the returning peering can start the resync.
    const clone = await b.attachClone('back', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.get('before')).toEqual(count(1));
    expect(await b.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peers()).length === 0 && (await a.peers()).length === 0);
    await master.put('while-away', count(2));
    await master.put('before', count(3));
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const current = async (key: string): Promise<Data | undefined> => {
      try {
        return await clone.get(key);
      } catch (error) {
        if (error instanceof BrokerError && error.code === 'stale_data') return undefined;
        throw error;
      }
    };
    await until(async () => (await current('while-away')) !== undefined);
    expect(await clone.get('while-away')).toEqual(count(2));
    expect(await clone.get('before')).toEqual(count(3));
  }, 60_000);

  test('a clone back with the same master resumes its channel: the changes it missed arrive as the master made them, without a snapshot', async () => {
    const master = await a.attachMaster('resume', 'memory');
    await master.put('before', count(1));
    await master.put('gone', count(1));
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const events = b.makeSubscriber(storeEventsTopic('resume'), { queueSize: 1024 });
    const clone = await b.attachClone('resume', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await events.getMany(2)).toHaveLength(2); // the snapshot's inserts
    expect(await b.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peers()).length === 0 && (await a.peers()).length === 0);
    await master.put('while-away', count(2), { expiry: 3_600_000 });
    await master.erase('gone');
    await master.put('before', count(3), { expiry: 3_600_000 });
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    // A snapshot would give no expiries and no publisher but the master; the channel gives
    // the master's own events, in its order.
    const missed = (await events.getMany(3)).map(([, ev]) => (ev as unknown[]).slice(0, 6));
    const hour = Timespan.fromMilliseconds(3_600_000);
    expect(missed).toEqual([
      ['insert', 'resume', 'while-away', count(2), hour, expect.anything()],
      ['erase', 'resume', 'gone', expect.anything(), expect.anything()],
      ['update', 'resume', 'before', count(1), count(3), hour],
    ]);
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await clone.keys()).toEqual(await master.keys());
    expect(await clone.get('before')).toEqual(count(3));
  }, 60_000);

  test('a clone that missed more changes than the master keeps gets a whole snapshot instead, and ends exact', async () => {
    const master = await a.attachMaster('overflow', 'memory');
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('overflow', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(await b.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peers()).length === 0 && (await a.peers()).length === 0);
    // More than the channel's bufferCapacity (65,536), which bounds both the events kept
    // for the clone's old path and those retained: the clone's position is gone.
    const writes = 70_000;
    for (let i = 0; i < writes; i++) void master.put(`k${i % 1000}`, count(i), { expiry: 3_600_000 });
    await master.erase('k0');
    expect(await master.get(`k999`)).toEqual(count(writes - 1));
    const events = b.makeSubscriber(storeEventsTopic('overflow'), { queueSize: 4096 });
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    await until(async () => {
      try {
        return (await clone.get('k999')) !== undefined;
      } catch (error) {
        if (error instanceof BrokerError && error.code === 'stale_data') return false;
        throw error;
      }
    });
    // A snapshot's events: one per key, without the writes' expiries.
    const got = (await events.getMany(999)).map(([, ev]) => ev as unknown[]);
    expect(got.every((e) => e[0] === 'insert' && e[4] === null && e[5] === a.id)).toBe(true);
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect(events.poll()).toEqual([]);
    expect(await clone.keys()).toEqual(await master.keys());
    for (const k of ['k1', 'k500', 'k999']) expect(await clone.get(k)).toEqual(await master.get(k));
  }, 120_000);

  test('large values reach a clone: changes go in payloads of bounded size, not one message over the frame limit', async () => {
    const master = await a.attachMaster('heavy', 'memory');
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('heavy', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    // 80 changes of 512 KiB in one turn: 40 MiB, which as one payload to the clone could
    // not be sent (the transport's frame limit is 16 MiB).
    const big = (i: number): string => `${i}:`.padEnd(512 * 1024, String.fromCharCode(97 + (i % 26)));
    for (let i = 0; i < 80; i++) void master.put(`k${i % 8}`, big(i));
    expect(await master.get('k7')).toEqual(big(79));
    await until(async () => (await clone.get('k7')) === big(79));
    for (let k = 0; k < 8; k++) expect(await clone.get(`k${k}`)).toEqual(big(72 + k));
    // Away and back: the master replays 40 MiB of changes over many payloads, and the
    // clone is not idle before it has the last of them.
    expect(await b.unpeer('127.0.0.1', port)).toBe(true);
    await until(async () => (await b.peers()).length === 0 && (await a.peers()).length === 0);
    for (let i = 80; i < 160; i++) void master.put(`k${i % 8}`, big(i));
    expect(await master.get('k7')).toEqual(big(159));
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    expect(await clone.awaitIdle({ timeout: 60_000 })).toBe(true);
    for (let k = 0; k < 8; k++) expect(await clone.get(`k${k}`)).toEqual(big(152 + k));
    expect((await a.stats()).peerDrops).toBe(0);
  }, 120_000);

  test('a write whose row could not reach a clone is refused with invalid_data, on the master and on a clone, and the store goes on', async () => {
    const master = await a.attachMaster('huge', 'memory');
    const errorsA = a.makeStatusSubscriber();
    const errorsB = b.makeStatusSubscriber();
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('huge', { resyncInterval: 3_600_000 });
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    const huge = 'x'.repeat(17 * 1024 * 1024);
    // Acknowledged writes reject; the master's store and the clone's replica keep the old value.
    await master.put('k', 'small');
    await expect(master.put('k', huge, { ack: true })).rejects.toMatchObject({ code: 'invalid_data' });
    await expect(clone.put('k', huge, { ack: true })).rejects.toMatchObject({ code: 'invalid_data' });
    // Fire-and-forget ones become error events where they were issued; a clone refuses
    // them itself, before sending anything.
    await clone.put('other', huge);
    const fromClone = await errorsOf(errorsB, 2);
    expect(fromClone.map((e) => e.code)).toEqual(['invalid_data', 'invalid_data']);
    expect(fromClone[1].message).toMatch(/store 'huge': put on key other failed: .* more than the \d+ a row may have/);
    // A value that fits, grown by appends past the limit: the append that would cross it is refused.
    const near = 'y'.repeat(16 * 1024 * 1024 - 256 * 1024);
    await master.put('grow', near, { ack: true });
    await expect(master.append('grow', 'z'.repeat(200 * 1024), { ack: true })).rejects.toMatchObject({ code: 'invalid_data' });
    // The store goes on: the clone gets what fits, and nothing over the limit was sent.
    await master.put('after', 1n);
    await until(async () => (await clone.get('after')) === 1n);
    expect(await clone.get('k')).toBe('small');
    expect(await clone.get('other')).toBeUndefined();
    expect(((await clone.get('grow')) as string).length).toBe(near.length);
    expect(await master.get('k')).toBe('small');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    expect((await a.stats()).peerDrops).toBe(0);
    expect((await b.stats()).peerDrops).toBe(0);
    // The master's own refusals (its put and its append) were error events there too.
    expect((await errorsOf(errorsA, 2)).map((e) => e.code)).toEqual(['invalid_data', 'invalid_data']);
    expect(errorsA.poll().filter((e) => !isStatus(e))).toEqual([]);
  }, 120_000);
});

describe('a persistent master restarted on its file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'broker-ts-restart-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('gives its clone a whole snapshot (its channel started over), and the clone ends with exactly its data', async () => {
    const path = join(dir, 'r.sqlite');
    let a = new Endpoint({ name: 'master-side' });
    const b = new Endpoint({ name: 'clone-side' });
    try {
      let master = await a.attachMaster('restart', 'sqlite', { path });
      for (let i = 0; i < 5; i++) await master.put(`k${i}`, count(i));
      let port = await a.listen();
      expect(await b.peer('127.0.0.1', port)).toBe(true);
      const events = b.makeSubscriber(storeEventsTopic('restart'), { queueSize: 1024 });
      const clone = await b.attachClone('restart', { resyncInterval: 3_600_000 });
      expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
      expect(await events.getMany(5)).toHaveLength(5);
      await a.shutdown();
      await until(async () => (await b.peers()).length === 0);
      // A new channel: its sequence numbers start over, and a few writes put it beyond the
      // clone's position, which means nothing to it.
      a = new Endpoint({ name: 'master-side' });
      master = await a.attachMaster('restart', 'sqlite', { path });
      await master.erase('k0');
      for (let i = 1; i < 7; i++) await master.put(`k${i}`, count(10 * i));
      port = await a.listen();
      expect(await b.peer('127.0.0.1', port)).toBe(true);
      // The snapshot's events: what differs from the replica, published by the master, without expiries.
      const resync = (await events.getMany(7)).map(([, ev]) => ev as unknown[]);
      expect(resync.map((e) => e.slice(0, 3))).toEqual([
        ['erase', 'restart', 'k0'],
        ...[1, 2, 3, 4].map((i) => ['update', 'restart', `k${i}`]),
        ...[5, 6].map((i) => ['insert', 'restart', `k${i}`]),
      ]);
      expect(resync[1][5]).toBeNull();
      expect(resync[1][6]).toBe(a.id);
      expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
      expect(await clone.keys()).toEqual(await master.keys());
      for (let i = 1; i < 7; i++) expect(await clone.get(`k${i}`)).toEqual(count(10 * i));
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  }, 60_000);
});

describe('data stores on one endpoint with virtual time', () => {
  test('an entry expires when the endpoint clock passes its expiry, with an expire event', async () => {
    const ep = new Endpoint({ useRealTime: false });
    try {
      const events = ep.makeSubscriber(storeEventsTopic('t'));
      const m: Store = await ep.attachMaster('t', 'memory');
      await m.put('exp', 1n, { expiry: 300 });
      ep.advanceTime(100);
      expect(await m.get('exp')).toBe(1n);
      ep.advanceTime(500);
      await until(async () => (await m.get('exp')) === undefined);
      const kinds: unknown[] = [];
      while (!kinds.includes('expire')) kinds.push(((await events.get())[1] as unknown[])[0]);
      expect(kinds).toEqual(['insert', 'expire']);
    } finally {
      await ep.shutdown();
    }
  });
});
