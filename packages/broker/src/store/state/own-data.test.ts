import { BrokerSet, BrokerTable, count, set, table } from '@broker-ts/data';
import { ownData } from './own-data';

describe('ownData', () => {
  test('copies mutable values deeply and passes immutable ones through', () => {
    const v = [1n, [2n]];
    const c = ownData(v) as unknown[];
    (v[1] as bigint[]).push(3n);
    expect(c).toEqual([1n, [2n]]);
    const s = set([1n]);
    expect(ownData(s)).not.toBe(s);
    expect(ownData(s)).toBeInstanceOf(BrokerSet);
    expect(ownData(table([['a', 1n]]))).toBeInstanceOf(BrokerTable);
    const n = count(1);
    expect(ownData(n)).toBe(n);
    expect(ownData('x')).toBe('x');
  });
});
