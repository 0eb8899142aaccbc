import { fitTrend } from './trend';

const MiB = 1024 * 1024;
const seconds = Array.from({ length: 61 }, (_, i) => i);

describe('fitTrend', () => {
  it('finds a steady rise and calls it not flat', () => {
    const t = fitTrend(seconds, seconds.map((s) => 100 * MiB + s * 0.5 * MiB)); // 30 MiB/min
    expect(t.bytesPerMinute / MiB).toBeCloseTo(30);
    expect(t.fittedChange / MiB).toBeCloseTo(30);
    expect(t.flat).toBe(false);
  });

  it('calls a saw-tooth around a level flat', () => {
    const t = fitTrend(seconds, seconds.map((s) => 100 * MiB + ((s % 10) - 4.5) * MiB));
    expect(Math.abs(t.fittedChange)).toBeLessThan(5 * MiB);
    expect(t.flat).toBe(true);
  });

  it('refuses series it cannot fit', () => {
    expect(() => fitTrend([1], [1])).toThrow(RangeError);
    expect(() => fitTrend([1, 1], [1, 2])).toThrow(RangeError);
    expect(() => fitTrend([1, 2], [1])).toThrow(RangeError);
  });
});
