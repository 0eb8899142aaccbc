import { BrokerError } from './broker-error';
import { compare } from './compare';
import { Count, count, COUNT_MAX } from './count';
import { decodeBinary } from './decode-binary';
import { encodeBinary } from './encode-binary';

describe('count', () => {
  test('accepts numbers and bigints from 0 to 2^64-1', () => {
    expect(count(0).value).toBe(0n);
    expect(count(42).value).toBe(42n);
    expect(count(18446744073709551615n).value).toBe(COUNT_MAX);
    expect(count(2 ** 63).value).toBe(9223372036854775808n);
    const c = count(5);
    expect(count(c)).toBe(c);
  });

  test.each([[-1], [-1n], [1.5], [NaN], [Infinity], [2 ** 64], [COUNT_MAX + 1n]])('rejects %p with invalid_data', (n) => {
    expect(() => count(n)).toThrow(BrokerError);
    expect(() => count(n)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test('the bigint hint is given only for a whole number above 2^53 - 1', () => {
    for (const n of [-1, 1.5, NaN]) expect(() => new Count(n)).toThrow(new RegExp(`got ${n}$`));
    expect(() => new Count(2 ** 60)).toThrow(/\(a number above 2\^53 - 1 as a bigint\)$/);
  });

  test('rejects non-numbers with type_clash', () => {
    expect(() => count('5' as unknown as number)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  });

  test('compares with < through valueOf, prints decimal and converts to a safe number', () => {
    expect(count(3) < count(5)).toBe(true);
    expect(count(7).toString()).toBe('7');
    expect(count(7).toNumber()).toBe(7);
    expect(() => new Count(2n ** 60n).toNumber()).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(count(7).equals(count(7))).toBe(true);
  });
});

test('the Count constructor takes a bigint, or a number that is a safe non-negative integer', () => {
  expect(new Count(5).value).toBe(5n);
  expect(new Count(5)).toEqual(new Count(5n));
  expect(() => new Count('5' as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  for (const n of [-1, 1.5, NaN, 2 ** 53, Infinity]) {
    expect(() => new Count(n)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  }
});

describe('a count held as a number up to 2^53 - 1 and as a bigint above', () => {
  const SAFE = Number.MAX_SAFE_INTEGER;
  const edges: Array<[string, Count, bigint]> = [
    ['0', count(0), 0n],
    ['2^53 - 1 from a number', count(SAFE), 2n ** 53n - 1n],
    ['2^53 - 1 from a bigint', count(2n ** 53n - 1n), 2n ** 53n - 1n],
    ['2^53 from a bigint', count(2n ** 53n), 2n ** 53n],
    ['2^53 from a number', count(2 ** 53), 2n ** 53n],
    ['2^64 - 1', count(COUNT_MAX), COUNT_MAX],
  ];

  test.each(edges)('%s reads back as its bigint, prints and compares exactly', (_name, c, big) => {
    expect(c.value).toBe(big);
    expect(c.valueOf()).toBe(big);
    expect(c.toString()).toBe(big.toString());
    expect(c.equals(new Count(big))).toBe(true);
    expect(c).toEqual(new Count(big));
    if (big <= BigInt(SAFE)) expect(c.toNumber()).toBe(Number(big));
    else expect(() => c.toNumber()).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test.each(edges)('%s has Broker\'s 8-byte big-endian form both ways', (_name, c, big) => {
    const bytes = encodeBinary(c);
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toBe('02' + big.toString(16).padStart(16, '0'));
    const back = decodeBinary(bytes) as Count;
    expect(back.value).toBe(big);
    expect(back).toEqual(c);
  });

  test('-0 is the count 0', () => {
    expect(count(-0)).toEqual(count(0));
    expect(Object.is(count(-0).toNumber(), 0)).toBe(true);
    expect(new Count(-0)).toEqual(new Count(0n));
  });

  test('counts on both sides of 2^53 order and differ by value', () => {
    const below = count(SAFE);
    const above = count(2n ** 53n);
    expect(below.equals(above)).toBe(false);
    expect(below < above).toBe(true);
    expect(count(2n ** 53n + 1n) > above).toBe(true);
    expect(compare(below, above)).toBe(-1);
    expect(compare(above, below)).toBe(1);
    expect(compare(above, count(2n ** 53n))).toBe(0);
    expect(compare(count(COUNT_MAX), above)).toBe(1);
    expect(compare(count(1), count(2))).toBe(-1);
  });
});
