import { address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet, BrokerTable } from './containers';
import { count } from './count';
import { encodeBinary, encodeExactBinary } from './encode-binary';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { Timespan } from './timespan';
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

describe('toData refuses what no codec could encode, with a BrokerError', () => {
  function nest(depth: number): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }

  test('512 nested containers pass and encode; 513 are refused as invalid_data, not in the encoder', () => {
    expect(() => encodeBinary(toData(nest(512) as never))).not.toThrow();
    expect(() => toData(nest(513) as never)).toThrow(expect.objectContaining({ code: 'invalid_data', message: expect.stringMatching(/nested deeper than 512/) }));
    // The same limit through sets, tables and natural containers.
    expect(() => toData(new BrokerSet([nest(512) as never]))).toThrow(BrokerError);
    expect(() => toData({ k: nest(512) } as never)).toThrow(BrokerError);
    expect(() => toData(new Map([[1, nest(512)]]) as never)).toThrow(BrokerError);
  });

  test('100,000-deep nesting and cyclic values are a BrokerError, never a RangeError', () => {
    expect(() => toData(nest(100_000) as never)).toThrow(BrokerError);
    const arr: unknown[] = [];
    arr.push(arr);
    expect(() => toData(arr as never)).toThrow(BrokerError);
    const s = new Set<unknown>();
    s.add(s);
    expect(() => toData(s as never)).toThrow(BrokerError);
    const m = new Map<unknown, unknown>();
    m.set('self', m);
    expect(() => toData(m as never)).toThrow(BrokerError);
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => toData(o as never)).toThrow(BrokerError);
  });

  test('forged Broker objects (a class prototype without its fields) are refused', () => {
    const forgeries: unknown[] = [
      Object.create(Object.getPrototypeOf(count(1))),
      Object.create(Object.getPrototypeOf(port(80, 'tcp'))),
      Object.create(Object.getPrototypeOf(address('10.0.0.1'))),
      Object.create(Object.getPrototypeOf(subnet('10.0.0.0/8'))),
      Object.create(Timestamp.prototype),
      Object.create(Timespan.prototype),
      Object.create(Object.getPrototypeOf(enumValue('x'))),
      Object.create(BrokerSet.prototype),
      Object.create(BrokerTable.prototype),
      Object.assign(Object.create(BrokerSet.prototype), { items: [Object.create(Object.getPrototypeOf(count(1)))] }),
      Object.assign(Object.create(BrokerTable.prototype), { keyItems: [1n], valueItems: [] }),
      Object.assign(Object.create(Object.getPrototypeOf(count(1))), { n: '1' }),
      Object.create(Object.getPrototypeOf(count(1)), { value: { value: 1n } }),
      Object.assign(Object.create(Object.getPrototypeOf(port(1))), { number: '80', protocolNumber: 1 }),
      { [Symbol.for('@broker-ts/data.type-tag')]: 99 },
      Object.create(Object.getPrototypeOf(count(1)), { n: { get: () => { throw new Error('boom'); } } }),
    ];
    for (const f of forgeries) {
      expect(() => toData(f as never)).toThrow(BrokerError);
      // The publication path's encoder checks as toData does: it leaves the value to toData.
      expect(encodeExactBinary(f as never)).toBeUndefined();
      // The encoder trusts its input for speed, but fails only with a BrokerError.
      let failure: unknown;
      try {
        encodeBinary(f as never);
      } catch (e) {
        failure = e;
      }
      if (failure !== undefined) expect(failure).toBeInstanceOf(BrokerError);
    }
  });

  test('a genuine value that looks like a forgery (its fields set) passes', () => {
    const c = Object.assign(Object.create(Object.getPrototypeOf(count(1))), { n: 5 });
    expect(encodeBinary(toData(c))).toEqual(encodeBinary(count(5)));
  });
});
