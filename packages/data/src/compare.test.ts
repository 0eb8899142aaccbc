import { address } from './address';
import { set, table } from './containers';
import { compare, compareStrings, equals } from './compare';
import { count } from './count';
import type { Data } from './data';
import { enumValue } from './enum-value';
import { port } from './port';
import { subnet } from './subnet';
import { timespan } from './timespan';
import { timestamp } from './timestamp';

const oneOfEach: Data[] = [
  null,
  true,
  count(5),
  -1n,
  1.5,
  'a',
  address('1.2.3.4'),
  subnet('10.0.0.0/8'),
  port(80, 'tcp'),
  timestamp(1n),
  timespan(1n),
  enumValue('x'),
  set([1n]),
  table([[1n, 2n]]),
  [1n],
];

describe('compare', () => {
  test('orders across types by type index: none < boolean < count < integer < ... < vector', () => {
    for (let i = 0; i < oneOfEach.length; i++) {
      for (let j = 0; j < oneOfEach.length; j++) {
        expect(Math.sign(compare(oneOfEach[i], oneOfEach[j]))).toBe(Math.sign(i - j));
      }
    }
    expect(compare(count(5), -1n)).toBeLessThan(0);
  });

  test('has no numeric coercion: count 1 != integer 1 != real 1', () => {
    expect(equals(count(1), 1n)).toBe(false);
    expect(equals(1n, 1)).toBe(false);
    expect(equals(1, true)).toBe(false);
    expect(equals(count(1), count(1))).toBe(true);
  });

  test('orders within types as Broker does', () => {
    expect(compare(false, true)).toBeLessThan(0);
    expect(compare('B', 'a')).toBeLessThan(0);
    expect(compare('a', 'ab')).toBeLessThan(0);
    expect(compare(-5n, 3n)).toBeLessThan(0);
    expect(compare(count(3), count(18446744073709551615n))).toBeLessThan(0);
    expect(compare([1n, 2n], [1n, 3n])).toBeLessThan(0);
    expect(compare([1n], [1n, 0n])).toBeLessThan(0);
    expect(compare([2n], [1n, 0n])).toBeGreaterThan(0);
    expect(compare(enumValue('a'), enumValue('b'))).toBeLessThan(0);
    expect(compare(timestamp(-1n), timestamp(0n))).toBeLessThan(0);
    expect(compare(set([1n, 2n]), set([1n, 3n]))).toBeLessThan(0);
    expect(compare(table([[1n, 'a']]), table([[1n, 'b']]))).toBeLessThan(0);
    expect(compare(table([[1n, 'z']]), table([[2n, 'a']]))).toBeLessThan(0);
    expect(compare(table([[1n, 'z']]), table([[1n, 'z'], [2n, 'a']]))).toBeLessThan(0);
  });

  test('orders strings by UTF-8 bytes, also where UTF-16 order differs (U+FFFD vs U+1F600)', () => {
    expect(compareStrings('\ufffd', '\u{1f600}')).toBeLessThan(0);
    expect(compareStrings('\u{1f600}', '\ufffd')).toBeGreaterThan(0);
    expect(compareStrings('\ue000', '\ud7ff')).toBeGreaterThan(0);
    expect(compare('a', new Uint8Array([0x61, 0xff]))).toBeLessThan(0);
    expect(compare(new Uint8Array([0x62]), 'a')).toBeGreaterThan(0);
    expect(compare(new Uint8Array([0xff]), new Uint8Array([0xff]))).toBe(0);
  });

  test('treats -0 as 0, NaN as equal to NaN and above every other real', () => {
    expect(compare(-0, 0)).toBe(0);
    expect(compare(NaN, NaN)).toBe(0);
    expect(compare(NaN, Infinity)).toBeGreaterThan(0);
    expect(compare(-Infinity, NaN)).toBeLessThan(0);
    expect(equals(NaN, NaN)).toBe(true);
  });

  test('counts undefined as none and rejects values that are not exact data', () => {
    expect(compare(undefined as unknown as Data, null)).toBe(0);
    expect(() => compare(new Set() as unknown as Data, null)).toThrow(expect.objectContaining({ code: 'type_clash' }));
    expect(() => compare(null, {} as unknown as Data)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });
});
