import { BrokerSet, BrokerTable, count, decodeBinary, encodeBinary, set, table, type Data } from '@broker-ts/data';
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

describe('ownData, as the codec would give it', () => {
  test('a copy shares the immutable parts, owns every container, and reads as its encoding does', () => {
    const n = count(7);
    const inner: Data[] = [n, 'x'];
    const v: Data[] = [inner, set([[1n]]), table([[[2n], [3n]]]), new Uint8Array([104, 105]), new Uint8Array([0xff])];
    const c = ownData(v) as Data[];
    expect(encodeBinary(c)).toEqual(encodeBinary(decodeBinary(encodeBinary(v))));
    expect(c[0]).not.toBe(inner);
    expect((c[0] as unknown[])[0]).toBe(n);
    expect(c[3]).toBe('hi');
    expect(c[4]).toEqual(new Uint8Array([0xff]));
    inner.push('later');
    ([...(v[1] as BrokerSet)][0] as Data[]).push(9n);
    expect(encodeBinary(c)).toEqual(encodeBinary([[n, 'x'], set([[1n]]), table([[[2n], [3n]]]), 'hi', new Uint8Array([0xff])]));
  });

  test('what is not Broker data is refused', () => {
    expect(() => ownData([undefined] as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
