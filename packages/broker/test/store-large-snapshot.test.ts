import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerError, count, Endpoint, type Data, type Store } from '@broker-ts/broker';

/**
 * A store whose snapshot (30,000 keys of 1 KiB: about 30 MiB) exceeds the actor
 * transport's 16 MiB frame limit: the master sends it to a clone on another endpoint,
 * over real TCP, in pieces, and the clone becomes ready with every key.
 */
describe('cloning a store larger than one transport frame', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    a = new Endpoint({ name: 'big-master' });
    b = new Endpoint({ name: 'big-clone' });
  });
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
    for (const c of cleanups.splice(0)) c();
  });

  test('a clone of a 30 MiB store becomes ready and holds every key', async () => {
    const master = await a.attachMaster('big', 'memory');
    const value = 'v'.repeat(1024);
    const n = 30_000;
    for (let i = 0; i < n; i += 1000) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < i + 1000; j++) batch.push(master.put(`key-${j}`, value));
      await Promise.all(batch);
    }
    expect(await master.awaitIdle({ timeout: 60_000 })).toBe(true);
    expect((await master.keys()).size).toBe(n);
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('big', { resyncInterval: 100 });
    expect(await clone.awaitIdle({ timeout: 60_000 })).toBe(true);
    expect((await clone.keys()).size).toBe(n);
    expect(await clone.get('key-29999')).toBe(value);
  }, 90_000);

  // Memory: about 12 MiB of snapshot, a dozen pieces of 1 MiB. SQLite: read in pages of
  // 4,096 rows while the writes go on.
  test.each([
    ['memory', 150_000],
    ['sqlite', 30_000],
  ] as const)('a clone of a large %s store attaches while the master goes on serving writes and reads', async (kind, n) => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-ts-busy-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const master = await a.attachMaster('busy', kind, kind === 'sqlite' ? { path: join(dir, 'busy.sqlite') } : {});
    const value = (i: number): Data => [count(i), 'conn', 'x'.repeat(40)];
    for (let i = 0; i < n; i += 5000) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < i + 5000; j++) batch.push(master.put(`key-${j}`, value(j)));
      await Promise.all(batch);
      // A query answers once every write before it is applied: the fill goes at the master's pace.
      expect(await master.exists(`key-${i + 4999}`)).toBe(true);
    }
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('busy');
    // What the master is told while the clone attaches: overwrites, erasures, new keys.
    const changed = new Map<string, Data | undefined>();
    let served = 0;
    let step = 0;
    const ready = async (s: Store): Promise<boolean> => {
      try {
        return await s.exists('key-0');
      } catch (error) {
        if (!(error instanceof BrokerError)) throw error;
        return false; // stale_data: no master yet
      }
    };
    while (!(await ready(clone))) {
      const k = `key-${(step * 7919) % n}`;
      if (step % 5 === 4) {
        await master.erase(k);
        changed.set(k, undefined);
      } else {
        await master.put(k, `changed-${step}`);
        changed.set(k, `changed-${step}`);
      }
      await master.put(`new-${step}`, count(step));
      changed.set(`new-${step}`, count(step));
      expect(await master.get(k)).toEqual(changed.get(k));
      served++;
      step++;
    }
    // The master answered while the snapshot was on its way, and the clone, attached from
    // a snapshot taken while the writes went on, ends up with exactly the master's data.
    expect(served).toBeGreaterThan(0);
    expect(await master.awaitIdle({ timeout: 60_000 })).toBe(true);
    expect(await clone.awaitIdle({ timeout: 60_000 })).toBe(true);
    const erased = [...changed.values()].filter((v) => v === undefined).length;
    const added = [...changed.keys()].filter((k) => k.startsWith('new-')).length;
    expect((await clone.keys()).size).toBe(n - erased + added);
    for (const [k, v] of changed) expect(await clone.get(k)).toEqual(v);
    expect(await clone.get(`key-${n - 1}`)).toEqual(changed.has(`key-${n - 1}`) ? changed.get(`key-${n - 1}`) : value(n - 1));
  }, 180_000);
});
