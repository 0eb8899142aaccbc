import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import { count } from './count';
import { Timestamp } from './timestamp';
import { toData } from './to-data';
import { typeOf } from './type-of';

describe('toData', () => {
  test('converts natural JS input', () => {
    expect(toData(undefined)).toBeNull();
    expect(toData(new Date(2))).toEqual(new Timestamp(2_000_000n));
    expect(toData(new Set([1n]))).toBeInstanceOf(BrokerSet);
    expect(toData(new Map([[1n, 2n]]))).toBeInstanceOf(BrokerTable);
    expect(toData({ a: 1 })).toBeInstanceOf(BrokerTable);
    expect(toData(Object.create(null))).toBeInstanceOf(BrokerTable);
    expect(toData(new Uint8Array([0x61, 0x62]))).toBe('ab');
    const bad = new Uint8Array([0xff]);
    const converted = toData(bad);
    expect(converted).toEqual(bad);
    expect(converted).not.toBe(bad);
    expect(toData([undefined, [new Date(0)]])).toEqual([null, [new Timestamp(0n)]]);
  });

  test('returns exact data unchanged, arrays included', () => {
    const arr = [1n, 'a', [count(1)]];
    expect(toData(arr)).toBe(arr);
    const c = count(1);
    expect(toData(c)).toBe(c);
  });

  test('passes every exact Broker value through as is, and copies an array only from the first converted element', () => {
    const exact = [null, true, 1.5, -2n, 'x', count(3), new Timestamp(1n), new BrokerSet([1n]), new BrokerTable([[1n, 'a']])];
    for (const v of exact) expect(toData(v)).toBe(v);
    expect(toData(exact)).toBe(exact);
    const mixed = [count(1), undefined, 'z'];
    const converted = toData(mixed) as unknown[];
    expect(converted).not.toBe(mixed);
    expect(converted).toEqual([count(1), null, 'z']);
    expect(converted[0]).toBe(mixed[0]);
    expect(() => toData(Symbol('s') as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });

  test('rejects out-of-range integers, lone surrogates and values with no Broker type', () => {
    expect(() => toData(2n ** 63n)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => toData('\udc00x')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => toData((() => 1) as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => toData(new (class Foo {})() as never)).toThrow(/Foo/);
    expect(() => toData(new Int16Array(2) as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});

describe('typeOf', () => {
  test('names Broker types, natural input included', () => {
    expect(typeOf(null)).toBe('none');
    expect(typeOf(undefined)).toBe('none');
    expect(typeOf(count(1))).toBe('count');
    expect(typeOf(1n)).toBe('integer');
    expect(typeOf(1)).toBe('real');
    expect(typeOf(new Uint8Array(1))).toBe('string');
    expect(typeOf(new Date())).toBe('timestamp');
    expect(typeOf(new Set())).toBe('set');
    expect(typeOf(new Map())).toBe('table');
    expect(typeOf({})).toBe('table');
    expect(typeOf([])).toBe('vector');
    expect(() => typeOf(Symbol('s'))).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});

test('a Buffer of non-UTF-8 bytes converts to a plain Uint8Array copy', () => {
  const input = Buffer.from([0xff, 0x01]);
  const v = toData(input) as Uint8Array;
  expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
  input[0] = 0;
  expect([...v]).toEqual([0xff, 0x01]);
});
