import { address, count, enumValue, port, set, subnet, table, timestamp, type Data } from '@broker-ts/data';
import { approximateSize, cloneCommandSize } from './approximate-size';

describe('approximateSize', () => {
  test('every Broker type has a positive estimate', () => {
    const values: Data[] = [null, true, count(1), 1n, 1.5, 'x', address('10.0.0.1'), subnet('10.0.0.0/8'), port(80, 'tcp'), timestamp(new Date(0)), enumValue('tcp'), set(['a']), table([['k', 'v']]), ['v'], new Uint8Array(3)];
    for (const v of values) expect(approximateSize(v)).toBeGreaterThan(0);
  });

  test('grows with what a value holds', () => {
    expect(approximateSize('x'.repeat(1000))).toBeGreaterThan(approximateSize('x'.repeat(10)) + 1000);
    expect(approximateSize(new Uint8Array(1 << 20))).toBeGreaterThanOrEqual(1 << 20);
    const big = Array.from({ length: 1000 }, (_, i) => `value ${i}`);
    expect(approximateSize(big)).toBeGreaterThan(1000 * approximateSize('value 1'));
    expect(approximateSize(set(big))).toBeGreaterThan(approximateSize(big));
    expect(approximateSize(table(big.map((v): [Data, Data] => [v, [v]])))).toBeGreaterThan(2 * approximateSize(big));
    expect(approximateSize([[['deep']]])).toBeGreaterThan(approximateSize(['deep']));
  });
});

describe('cloneCommandSize', () => {
  test('a put counts its key and value; an erase its key; the rest a constant', () => {
    const key = 'k'.repeat(100);
    const value = 'v'.repeat(10_000);
    const put = cloneCommandSize({ op: 'put', key, value, expiry: null, publisher: null });
    const erase = cloneCommandSize({ op: 'erase', key, publisher: null });
    const clear = cloneCommandSize({ op: 'clear', publisher: null });
    expect(put).toBeGreaterThan(approximateSize(key) + approximateSize(value));
    expect(erase).toBeGreaterThan(approximateSize(key));
    expect(erase).toBeLessThan(put);
    expect(clear).toBeLessThan(erase);
    expect(cloneCommandSize({ op: 'putUniqueResult', inserted: true, who: null, requestId: 1, publisher: null })).toBe(clear);
  });
});
