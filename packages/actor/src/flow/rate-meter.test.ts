import { RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('reports items per second over a sliding window', () => {
    const m = new RateMeter(0, 1000);
    m.record(500, 100);
    m.record(500, 900);
    expect(m.rate(999)).toBeCloseTo(1000);
    // Half-way through the next window, half of the previous one still counts.
    expect(m.rate(1500)).toBeCloseTo(500);
    m.record(200, 1600);
    expect(m.rate(1600)).toBeCloseTo(400 + 200);
  });

  it('falls to zero after a silent window', () => {
    const m = new RateMeter(0, 100);
    m.record(50, 10);
    expect(m.rate(350)).toBe(0);
    m.record(10, 360);
    expect(m.rate(360)).toBeCloseTo(100);
  });
});
