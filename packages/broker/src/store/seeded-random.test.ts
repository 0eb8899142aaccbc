import { prng } from './seeded-random';

describe('prng', () => {
  test('the same seed gives the same sequence, in [0, 1)', () => {
    const a = prng(42);
    const b = prng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  test('another seed gives another sequence, spread over the interval', () => {
    const xs = Array.from({ length: 3000 }, prng(7));
    expect(xs).not.toEqual(Array.from({ length: 3000 }, prng(8)));
    const low = xs.filter((x) => x < 1 / 3).length / xs.length;
    expect(low).toBeGreaterThan(0.3);
    expect(low).toBeLessThan(0.37);
  });
});
