import { compare, count, type Data } from '@broker-ts/data';
import { OrderedRows } from './ordered-rows';
import { prng } from '../seeded-random';

/** The expected content: a plain map from a key's text to the key and value, sorted on demand. */
function sorted(model: Map<string, [Data, number]>): Array<[Data, number]> {
  return [...model.values()].sort((a, b) => compare(a[0], b[0]));
}

describe('OrderedRows', () => {
  it('keeps keys of mixed types in Broker order through inserts, updates and erasures', () => {
    const rows = new OrderedRows<number>();
    const model = new Map<string, [Data, number]>();
    const random = prng(7);
    const keyOf = (n: number): Data => (n % 3 === 0 ? `k${n}` : n % 3 === 1 ? count(n) : BigInt(-n));
    for (let step = 0; step < 20_000; step++) {
      const n = Math.floor(random() * 3000);
      const key = keyOf(n);
      if (random() < 0.3) {
        expect(rows.delete(key)).toBe(model.delete(String(n)));
      } else {
        rows.set(key, step);
        model.set(String(n), [key, step]);
      }
    }
    expect(rows.size).toBe(model.size);
    expect([...rows.view()]).toEqual(sorted(model));
  });

  it('a view keeps the entries of the moment it was taken while the tree changes', () => {
    const rows = new OrderedRows<number>();
    const model = new Map<string, [Data, number]>();
    for (let i = 0; i < 5000; i++) {
      rows.set(`key-${i}`, i);
      model.set(`key-${i}`, [`key-${i}`, i]);
    }
    const view = rows.view();
    const expected = sorted(model);
    const seen: Array<[Data, number]> = [];
    const it = view[Symbol.iterator]();
    const random = prng(11);
    // Read the view a little at a time, writing between the reads.
    for (let r = it.next(); r.done !== true; r = it.next()) {
      seen.push(r.value);
      const n = Math.floor(random() * 6000);
      if (random() < 0.5) rows.set(`key-${n}`, -n);
      else rows.delete(`key-${n}`);
      if (random() < 0.001) rows.clear();
    }
    expect(view.size).toBe(expected.length);
    expect(seen).toEqual(expected);
  });

  it('appends keys that arrive in order and finds the greatest key again after erasing it', () => {
    const rows = new OrderedRows<number>();
    for (let i = 0; i < 1000; i++) rows.set(count(i), i);
    expect(rows.delete(count(999))).toBe(true);
    rows.set(count(998), -1);
    rows.set(count(1000), 1000);
    rows.set(count(500), -500);
    const entries = [...rows.view()];
    expect(entries).toHaveLength(1000);
    expect(entries.map(([k]) => Number((k as ReturnType<typeof count>).value))).toEqual([...Array(999).keys(), 1000]);
    expect(entries[998][1]).toBe(-1);
    expect(entries[500][1]).toBe(-500);
  });

  it('runs of keys in order, views, erasures and keys out of order, mixed, keep every view and the tree exact', () => {
    const rows = new OrderedRows<number>();
    const model = new Map<string, [Data, number]>();
    const views: Array<[ReturnType<OrderedRows<number>['view']>, Array<[Data, number]>]> = [];
    const random = prng(23);
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const r = random();
      if (r < 0.5) {
        // A run of keys beyond every key held, as a clone receives a snapshot.
        for (let i = Math.floor(random() * 150); i > 0; i--, next++) {
          rows.set(count(next), next);
          model.set(String(next), [count(next), next]);
        }
      } else if (r < 0.7) {
        const n = Math.floor(random() * (next + 1));
        rows.set(count(n), -n);
        model.set(String(n), [count(n), -n]);
      } else if (r < 0.9) {
        const n = Math.floor(random() * (next + 1));
        expect(rows.delete(count(n))).toBe(model.delete(String(n)));
      } else views.push([rows.view(), sorted(model)]);
    }
    expect([...rows.view()]).toEqual(sorted(model));
    for (const [view, expected] of views) expect([...view]).toEqual(expected);
  });

  it('keys in order after the rightmost leaves were emptied go into the tree, not into a leaf it dropped', () => {
    const rows = new OrderedRows<number>();
    for (let i = 0; i < 200; i++) rows.set(count(i), i);
    for (let i = 199; i >= 100; i--) expect(rows.delete(count(i))).toBe(true);
    for (let i = 150; i < 160; i++) rows.set(count(i), i);
    expect([...rows.view()].map(([, v]) => v)).toEqual([...Array(100).keys(), ...Array.from({ length: 10 }, (_, i) => 150 + i)]);
    expect(rows.size).toBe(110);
  });

  it('empties and fills again; erasing an absent key changes nothing', () => {
    const rows = new OrderedRows<string>();
    expect(rows.delete('x')).toBe(false);
    for (let i = 0; i < 300; i++) rows.set(i, String(i));
    const before = rows.view();
    for (let i = 0; i < 300; i++) expect(rows.delete(i)).toBe(true);
    expect(rows.size).toBe(0);
    expect([...rows.view()]).toEqual([]);
    rows.set(1, 'one');
    expect([...rows.view()]).toEqual([[1, 'one']]);
    expect([...before.values()]).toHaveLength(300);
  });
});
