import { Timespan, timespan } from './timespan';
import { Timestamp, timestamp } from './timestamp';

describe('Timespan', () => {
  test('holds int64 nanoseconds and prints <ns>ns', () => {
    expect(timespan(1_500_000_000n).toString()).toBe('1500000000ns');
    expect(timespan(-1_000_000_000n).toString()).toBe('-1000000000ns');
    expect(timespan(0n).toString()).toBe('0ns');
    expect(timespan(86402000003000n).toString()).toBe('86402000003000ns');
  });

  test('takes numbers as milliseconds', () => {
    expect(timespan(1500).ns).toBe(1_500_000_000n);
    expect(timespan(0.000001).ns).toBe(1n);
    expect(timespan(-1).ns).toBe(-1_000_000n);
    expect(timespan(3140).toMilliseconds()).toBe(3140);
    expect(() => timespan(NaN)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => timespan(Infinity)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test.each([
    ['1500000000ns', 1_500_000_000n],
    ['15ms', 15_000_000n],
    ['1us', 1000n],
    ['1.5s', 1_500_000_000n],
    ['-1s', -1_000_000_000n],
    ['+2min', 120_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['1d', 86_400_000_000_000n],
    ['0s', 0n],
    ['9223372036854775807ns', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
  ])('parses %s', (text, ns) => {
    expect(Timespan.parse(text).ns).toBe(ns);
    expect(timespan(text).ns).toBe(ns);
  });

  test.each(['1', 's', '1.5ns', '1 s', '1sec', '9223372036854775808ns', '1e3ms', '', '--1s', '1.s'])('rejects %p with conversion_failed', (text) => {
    expect(() => Timespan.parse(text)).toThrow(expect.objectContaining({ code: 'conversion_failed' }));
  });

  test('enforces the int64 range', () => {
    expect(() => timespan(2n ** 63n)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(timespan(-(2n ** 63n)).ns).toBe(-(2n ** 63n));
  });
});

describe('Timestamp', () => {
  test('holds ns since the epoch; converts from and to Date', () => {
    const t = timestamp(new Date(Date.UTC(2020, 0, 1)));
    expect(t.toString()).toBe('1577836800000000000ns');
    expect(t.toDate().toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(new Timestamp(-1n).toDate().getTime()).toBe(-1);
    expect(timestamp(5n).ns).toBe(5n);
    expect(() => timestamp(new Date(NaN))).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => timestamp(2n ** 63n)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    const before = BigInt(Date.now()) * 1_000_000n;
    expect(Timestamp.now().ns >= before).toBe(true);
    expect(timestamp(1n).compare(timestamp(2n))).toBeLessThan(0);
  });
});

test('Timestamp and Timespan refuse non-bigint nanoseconds', () => {
  expect(() => new Timestamp(5 as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
  expect(() => new Timespan('5' as never)).toThrow(expect.objectContaining({ code: 'type_clash' }));
});
