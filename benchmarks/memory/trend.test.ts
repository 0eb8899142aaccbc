import { fitTrend, floors, settledTrend } from './trend';

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

describe('settledTrend', () => {
  it('is flat once a series that rose early stays level, and not while it keeps rising', () => {
    const settling = seconds.map((s) => 100 * MiB + Math.min(s, 20) * MiB); // +20 MiB, then level
    expect(fitTrend(seconds, settling).flat).toBe(false);
    expect(settledTrend(seconds, settling).flat).toBe(true);
    const leaking = seconds.map((s) => 100 * MiB + s * 0.5 * MiB);
    expect(settledTrend(seconds, leaking).flat).toBe(false);
    const shrinking = seconds.map((s) => 200 * MiB - s * MiB);
    expect(settledTrend(seconds, shrinking).flat).toBe(true);
    const lateBump = seconds.map((s) => 100 * MiB - (s < 30 ? 0 : (s - 30) * 0.4 * MiB) + (s > 50 ? (s - 50) * 2 * MiB : 0)); // falls, then a short rise at the end
    expect(settledTrend(seconds, lateBump).flat).toBe(true);
  });
});

describe('floors', () => {
  it('takes the lowest value of each window', () => {
    expect(floors([0, 1, 2, 3, 10, 11, 25], [5, 3, 4, 9, 7, 6, 8], 10)).toEqual({ seconds: [0, 10, 25], values: [3, 6, 8] });
  });
});
