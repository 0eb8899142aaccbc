import { Endpoint } from '@broker-ts/broker';

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
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
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
});
