/**
 * The store channel under a lossy link, end to end: every endpoint's store actors drop a
 * third of the store messages they receive from peers (test-only fault injection,
 * `src/store/store-fault-injection.ts`), in both directions, during the handshakes and
 * all writes. Master and clones still converge to identical contents, and every clone
 * sees exactly the master's sequence of store events.
 */
import { count, type Data, storeEventsTopic, type Subscriber, toString, type Store } from '@broker-ts/broker';
import { injectStoreFaults, type StoreFaultHandle } from '../src/store/store-fault-injection';
import { prng } from '../src/store/seeded-random';
import { storeCluster } from './fixtures/store/store-kit';

jest.setTimeout(120_000);

/** Every key and value of a store, as text, sorted by key. */
async function contents(s: Store): Promise<string[]> {
  const out: string[] = [];
  for (const k of await s.keys()) out.push(`${toString(k)} = ${toString((await s.get(k)) as Data)}`);
  return out;
}

/** Store events until the insert of `key`, as text. */
async function eventsUntil(sub: Subscriber, key: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const ev = (await sub.get())[1] as Data[];
    // The publisher object differs per writer but is the same everywhere; keep all fields.
    out.push(toString(ev));
    if (ev[0] === 'insert' && ev[2] === key) return out;
  }
}

test.each([1, 2])('master and two clones converge over links dropping a third of the store messages (seed %i)', async (seed) => {
  const faults: StoreFaultHandle[] = [];
  let subs: Subscriber[] = [];
  const cluster = await storeCluster(`lossy${seed}`, 2, (masterEp, cloneEps) => {
    const all = [masterEp, ...cloneEps];
    for (const [i, ep] of all.entries()) faults.push(injectStoreFaults(ep.id, { dropRate: 1 / 3, seed: seed * 100 + i }));
    // Room for every event: a full subscriber would drop events, which is not what this test is about.
    subs = all.map((ep) => ep.makeSubscriber(storeEventsTopic(`lossy${seed}`), { queueSize: 4096 }));
  });
  // Read events all along: a subscriber's queue is bounded.
  const collected = subs.map((sub) => eventsUntil(sub, '<end>'));
  try {
    const writers = [cluster.master, ...cluster.clones];
    const random = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    for (let i = 0; i < 300; i++) {
      const s = pick(writers);
      const k = pick(keys);
      switch (pick(['put', 'put', 'increment', 'append', 'erase', 'push'] as const)) {
        case 'put':
          await s.put(k, count(i));
          break;
        case 'increment':
          await s.increment(k, count(1)); // a clash when the key holds something else: refused everywhere alike
          break;
        case 'append':
          await s.append(`${k}-s`, String(i % 10));
          break;
        case 'erase':
          await s.erase(k);
          break;
        case 'push':
          await s.push(`${k}-v`, count(i));
          break;
      }
    }
    for (const s of writers) expect(await s.awaitIdle({ timeout: 60_000 })).toBe(true);
    expect(await cluster.master.awaitIdle({ timeout: 60_000 })).toBe(true);

    const expected = await contents(cluster.master);
    expect(expected.length).toBeGreaterThan(10);
    for (const c of cluster.clones) expect(await contents(c)).toEqual(expected);

    // Every clone saw exactly the master's events, in the master's order.
    await cluster.master.put('<end>', true);
    const [masterEvents, ...cloneEvents] = await Promise.all(collected);
    expect(masterEvents.length).toBeGreaterThan(200);
    for (const evs of cloneEvents) expect(evs).toEqual(masterEvents);

    // The injection really dropped about a third of the store messages on every endpoint.
    for (const f of faults) {
      expect(f.seen).toBeGreaterThan(100);
      expect(f.dropped / f.seen).toBeGreaterThan(0.25);
      expect(f.dropped / f.seen).toBeLessThan(0.42);
    }
  } finally {
    for (const f of faults) f.remove();
    await cluster.shutdown();
  }
});

test('fault injection is refused outside tests', () => {
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    expect(() => injectStoreFaults('any', { dropRate: 0.3, seed: 1 })).toThrow(/tests only/);
  } finally {
    process.env.NODE_ENV = env;
  }
  expect(() => injectStoreFaults('any', { dropRate: 1, seed: 1 })).toThrow(/dropRate/);
});
