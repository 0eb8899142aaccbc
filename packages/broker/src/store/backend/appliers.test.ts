import { Count, Timespan, Timestamp, count, set, table, toString, type Data } from '@broker-ts/data';
import { exact } from './__fixtures__/exact';
import { applyAdd, applySubtract, incrementInitType, initialValue, retrieveIndex } from './appliers';
import { errorCodeOf } from './__fixtures__/error-code-of';

describe('incrementInitType', () => {
  it.each([
    [count(1), 'count'],
    [1n, 'integer'],
    [1.5, 'real'],
    [new Timespan(1n), 'timestamp'],
    ['text', 'none'],
    [new Timestamp(1n), 'none'],
    [null, 'none'],
    [set([]), 'none'],
  ] as Array<[Data, string]>)('derives the init type of %p', (amount, expected) => {
    expect(incrementInitType(amount)).toBe(expected);
  });
});

describe('initialValue', () => {
  it.each([
    ['count', count(0)],
    ['integer', 0n],
    ['real', 0],
    ['string', ''],
    ['timestamp', new Timestamp(0n)],
    ['timespan', new Timespan(0n)],
    ['set', set([])],
    ['table', table([])],
    ['vector', []],
  ] as Array<[Parameters<typeof initialValue>[0], Data]>)('gives the zero value of %s', (type, expected) => {
    expect(exact(initialValue(type))).toBe(exact(expected));
  });

  it('gives a fresh container each time', () => {
    const a = initialValue('vector') as Data[];
    a.push(1n);
    expect(initialValue('vector')).toEqual([]);
  });

  it.each(['none', 'boolean', 'address', 'subnet', 'port', 'enum_value'] as const)('refuses %s with type_clash', (type) => {
    expect(errorCodeOf(() => initialValue(type))).toBe('type_clash');
  });
});

describe('applyAdd and applySubtract on strings of bytes', () => {
  it('appends bytes that are not UTF-8 and keeps them as bytes', () => {
    const result = applyAdd(new Uint8Array([0xff]), 'a');
    expect(result).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(result as Uint8Array).toString('hex')).toBe('ff61');
  });

  it('turns bytes that become valid UTF-8 into a string', () => {
    // The two halves of "é" (c3 a9) meet.
    expect(applyAdd(new Uint8Array([0x61, 0xc3]), new Uint8Array([0xa9]))).toBe('aé');
  });

  it('refuses to subtract from a string of bytes', () => {
    expect(errorCodeOf(() => applySubtract(new Uint8Array([0xff]), 'x'))).toBe('type_clash');
  });
});

describe('applyAdd and applySubtract', () => {
  it('throw before changing a container', () => {
    const t = table([['a', 1n]]);
    expect(errorCodeOf(() => applyAdd(t, ['x', 1n, 2n]))).toBe('invalid_data');
    expect(toString(t)).toBe('{a -> 1}');
  });

  it('name both types in a clash', () => {
    expect(() => applyAdd(count(1), 1n)).toThrow('cannot add integer to count');
    expect(() => applySubtract('s', 's')).toThrow('cannot subtract string from string');
  });

  it('wrap counts in both directions', () => {
    expect((applySubtract(count(3), count(5)) as Count).value).toBe(2n ** 64n - 2n);
    expect((applyAdd(count(2n ** 64n - 1n), count(3)) as Count).value).toBe(2n);
  });

  it('wrap timestamps and timespans as int64', () => {
    expect((applyAdd(new Timestamp(2n ** 63n - 1n), new Timespan(1n)) as Timestamp).ns).toBe(-(2n ** 63n));
    expect((applySubtract(new Timespan(-(2n ** 63n)), new Timespan(1n)) as Timespan).ns).toBe(2n ** 63n - 1n);
  });

  it('keep real arithmetic IEEE (NaN and infinities pass through)', () => {
    expect(applyAdd(Infinity, -Infinity)).toBeNaN();
    expect(applySubtract(1, Infinity)).toBe(-Infinity);
  });
});

describe('retrieveIndex', () => {
  it('indexes a vector by the largest counts without losing precision', () => {
    expect(errorCodeOf(() => retrieveIndex([1n], count(2n ** 64n - 1n)))).toBe('no_such_key');
  });

  it('looks up a table key by an equal container', () => {
    expect(retrieveIndex(table([[[1n, 2n], 'found']]), [1n, 2n])).toBe('found');
  });

  it('answers set membership by value', () => {
    expect(retrieveIndex(set([[1n]]), [1n])).toBe(true);
    expect(retrieveIndex(set([[1n]]), [count(1)])).toBe(false);
  });
});
