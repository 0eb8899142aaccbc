import { BrokerSet, set, setFromArray, table } from './containers';
import { count } from './count';

describe('BrokerSet', () => {
  test('keeps unique elements in Broker order', () => {
    const s = set(['b', 'a', 'c', 'a']);
    expect([...s]).toEqual(['a', 'b', 'c']);
    expect(s.size).toBe(3);
    expect(s.toString()).toBe('{a, b, c}');
    expect(set([1n, 2, 'a']).toString()).toBe('{1, 2.000000, a}');
  });

  test('is keyed by value: an equal vector, table or set is the same element', () => {
    const s = new BrokerSet([[1n, 2n], table({ a: 1n }), set([count(1)])]);
    expect(s.has([1n, 2n])).toBe(true);
    expect(s.has([1n, 3n])).toBe(false);
    expect(s.has(new Map([['a', 1n]]))).toBe(true);
    expect(s.has(new Set([count(1)]))).toBe(true);
    s.add([1n, 2n]);
    expect(s.size).toBe(3);
    expect(s.delete({ a: 1n })).toBe(true);
    expect(s.delete({ a: 1n })).toBe(false);
    expect(s.size).toBe(2);
  });

  test('is mutable: add, delete, clear; iteration helpers see the order', () => {
    const s = set();
    s.add(3n).add(1n).add(2n);
    expect(s.toArray()).toEqual([1n, 2n, 3n]);
    const seen: unknown[] = [];
    s.forEach((v) => seen.push(v));
    expect(seen).toEqual([1n, 2n, 3n]);
    expect([...s.values()]).toEqual([1n, 2n, 3n]);
    s.clear();
    expect(s.size).toBe(0);
  });

  test('setFromArray sorts and deduplicates out-of-order input', () => {
    expect([...setFromArray([3n, 1n, 3n, 2n])]).toEqual([1n, 2n, 3n]);
    expect(setFromArray(['a', 'b']).equals(set(['b', 'a']))).toBe(true);
  });

  test('rejects values with no Broker type', () => {
    expect(() => set([() => 1] as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
