import { DuplicateFilter } from './duplicate-filter';

describe('DuplicateFilter', () => {
  test('each (origin, seq) pair is accepted exactly once', () => {
    const f = new DuplicateFilter(64);
    expect(f.accept('a', 0)).toBe(true);
    expect(f.accept('a', 0)).toBe(false);
    expect(f.accept('b', 0)).toBe(true);
    expect(f.accept('a', 1)).toBe(true);
    expect(f.accept('a', 1)).toBe(false);
  });

  test('out-of-order arrivals within the window are accepted once', () => {
    const f = new DuplicateFilter(64);
    expect(f.accept('a', 10)).toBe(true);
    expect(f.accept('a', 5)).toBe(true);
    expect(f.accept('a', 5)).toBe(false);
    expect(f.accept('a', 7)).toBe(true);
    expect(f.accept('a', 10)).toBe(false);
  });

  test('numbers older than the window count as duplicates', () => {
    const f = new DuplicateFilter(64);
    f.accept('a', 100);
    expect(f.accept('a', 36)).toBe(false);
    expect(f.accept('a', 37)).toBe(true);
  });

  test('a window that slides far clears old marks', () => {
    const f = new DuplicateFilter(64);
    for (let s = 0; s < 64; s++) f.accept('a', s);
    expect(f.accept('a', 1000)).toBe(true);
    expect(f.accept('a', 1000 - 63)).toBe(true);
    expect(f.accept('a', 1000 - 64)).toBe(false);
  });

  test('two interleaved copies of a long stream deliver every message once', () => {
    const f = new DuplicateFilter(128);
    let accepted = 0;
    for (let s = 0; s < 10_000; s++) {
      if (f.accept('x', s)) accepted++;
      if (s >= 50 && f.accept('x', s - 50)) accepted++; // a slower path, 50 behind
    }
    expect(accepted).toBe(10_000);
  });

  test('the number of origins is bounded, least recently seen first out', () => {
    const f = new DuplicateFilter(32, 2);
    f.accept('a', 0);
    f.accept('b', 0);
    f.accept('a', 1);
    f.accept('c', 0);
    expect(f.size).toBe(2);
    expect(f.accept('a', 1)).toBe(false);
    expect(f.accept('b', 0)).toBe(true); // b was evicted, so it is new again
  });

  test('the window must be a multiple of 32', () => {
    expect(() => new DuplicateFilter(33)).toThrow(RangeError);
  });
});
