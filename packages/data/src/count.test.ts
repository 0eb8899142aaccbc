import { BrokerError } from './broker-error';
import { Count, count, COUNT_MAX } from './count';

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

test('the Count, Timestamp and Timespan constructors refuse non-bigints', () => {
  expect(() => new Count(5 as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  expect(() => new Count('5' as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
});
