import { BrokerTable, table, tableFromArrays } from './containers';
import { count } from './count';
import { port } from './port';

describe('BrokerTable', () => {
  test('orders keys by Broker order across types', () => {
    const t = table(new Map<unknown, unknown>([[3n, 'x'], [1n, 'y'], ['k', 'z'], [2.5, 'w']]) as never);
    expect(t.toString()).toBe('{1 -> y, 3 -> x, 2.500000 -> w, k -> z}');
    expect(table([[true, 42n], [13n, 'test'], [port(22, 'tcp'), false], [[1n, 2n, 3n], [4n, 5n, 6n]]]).toString()).toBe(
      '{T -> 42, 13 -> test, 22/tcp -> F, (1, 2, 3) -> (4, 5, 6)}',
    );
  });

  test('accepts a Map, a plain object or pairs; equal keys keep the last value', () => {
    expect(table({ b: 2n, a: 1n }).toString()).toBe('{a -> 1, b -> 2}');
    expect(table([[[1n], 'first'], [[1n], 'second']]).get([1n])).toBe('second');
    expect(() => table(5 as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => new BrokerTable([[1n]] as never)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test('looks keys up by value and is mutable like a Map', () => {
    const t = new BrokerTable();
    t.set([1n, 'a'], count(1)).set(new Set(['x']), 'set-key');
    expect(t.get([1n, 'a'])).toEqual(count(1));
    expect(t.get(new Set(['x']))).toBe('set-key');
    expect(t.get([1n, 'b'])).toBeUndefined();
    expect(t.has([1n, 'a'])).toBe(true);
    t.set([1n, 'a'], count(2));
    expect(t.size).toBe(2);
    expect(t.get([1n, 'a'])).toEqual(count(2));
    expect([...t.keys()].length).toBe(2);
    expect([...t.values()].length).toBe(2);
    expect([...t.entries()].map(([k]) => k)).toEqual([...t.keys()]);
    expect([...t].length).toBe(2);
    const seen: unknown[] = [];
    t.forEach((v, k) => seen.push([k, v]));
    expect(seen).toEqual([...t.entries()]);
    expect(t.delete([1n, 'a'])).toBe(true);
    expect(t.delete([1n, 'a'])).toBe(false);
    t.clear();
    expect(t.size).toBe(0);
  });

  test('tableFromArrays sorts out-of-order keys', () => {
    const t = tableFromArrays([2n, 1n], ['b', 'a']);
    expect([...t]).toEqual([[1n, 'a'], [2n, 'b']]);
    expect(t.equals(table([[1n, 'a'], [2n, 'b']]))).toBe(true);
  });
});
