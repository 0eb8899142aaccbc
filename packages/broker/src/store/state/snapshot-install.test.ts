import { count, type Data } from '@broker-ts/data';
import { MemoryBackend } from '../backend';
import { SnapshotInstall } from './snapshot-install';
import { eventOf, type StoreEvent, type StoreEventSource } from './store-event';

const M = { endpoint: 'm', object: 1 };

function backend(entries: [Data, Data][]): MemoryBackend {
  const b = new MemoryBackend();
  for (const [k, v] of entries) b.put(k, v);
  return b;
}

describe('SnapshotInstall', () => {
  test("emits Broker's resync events in bounded steps: erased, then changed, then new keys, each in key order", () => {
    const old = backend([['a', 1n], ['b', 2n], ['c', 3n], ['e', 'gone too']]);
    const fresh = backend([['b', 2n], ['c', count(4)], ['d', 5n], ['f', 'new']]);
    const events: StoreEvent[] = [];
    const i = new SnapshotInstall('s', M, old, fresh, (ev) => events.push(eventOf(ev)));
    const sizes: number[] = [];
    while (!i.step(2)) sizes.push(events.length);
    expect(i.done).toBe(true);
    // Two entries per step: no step emitted more than two events.
    for (let n = 1; n < sizes.length; n++) expect(sizes[n] - sizes[n - 1]).toBeLessThanOrEqual(2);
    expect(events).toEqual([
      ['erase', 's', 'a', null, null],
      ['erase', 's', 'e', null, null],
      ['update', 's', 'c', 3n, count(4), null, 'm', count(1)],
      ['insert', 's', 'd', 5n, null, 'm', count(1)],
      ['insert', 's', 'f', 'new', null, 'm', count(1)],
    ]);
    // The old replica is released; the new one is untouched.
    expect(() => old.size()).toThrow();
    expect(fresh.size()).toBe(4);
  });

  test('hands out builders: nothing is decoded for an event that nobody builds', () => {
    const fresh = backend([['a', 1n], ['b', 'two']]);
    const sources: StoreEventSource[] = [];
    new SnapshotInstall('s', M, new MemoryBackend(), fresh, (ev) => sources.push(ev)).finish();
    expect(sources.map((s) => typeof s)).toEqual(['function', 'function']);
    expect(sources.map(eventOf)).toEqual([
      ['insert', 's', 'a', 1n, null, 'm', count(1)],
      ['insert', 's', 'b', 'two', null, 'm', count(1)],
    ]);
  });

  test('into an empty replica it only inserts, and finish() emits the rest at once', () => {
    const fresh = backend(Array.from({ length: 10 }, (_, n): [Data, Data] => [`k${n}`, BigInt(n)]));
    const events: StoreEvent[] = [];
    const i = new SnapshotInstall('s', M, new MemoryBackend(), fresh, (ev) => events.push(eventOf(ev)));
    expect(i.step(3)).toBe(false);
    expect(events).toHaveLength(3);
    i.finish();
    expect(i.done).toBe(true);
    expect(events.map((e) => (e as Data[]).slice(0, 3))).toEqual(Array.from({ length: 10 }, (_, n) => ['insert', 's', `k${n}`]));
  });
});
