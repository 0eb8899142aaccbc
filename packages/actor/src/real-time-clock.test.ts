import { RealTimeClock } from './real-time-clock';

describe('RealTimeClock', () => {
  test('fires a timer and forgets it; now() is monotonic', async () => {
    const clock = new RealTimeClock();
    const start = clock.now();
    await new Promise<void>((resolve) => clock.setTimer(5, resolve));
    expect(clock.now()).toBeGreaterThan(start);
    expect(clock.pendingCount).toBe(0);
  });

  test('cancelAll cancels every pending timer so that nothing is left behind', async () => {
    const clock = new RealTimeClock({ unref: false });
    const fn = jest.fn();
    clock.setTimer(1, fn);
    clock.setTimer(1e9, fn);
    expect(clock.pendingCount).toBe(2);
    clock.cancelAll();
    expect(clock.pendingCount).toBe(0);
    await new Promise<void>((resolve) => clock.setTimer(10, resolve));
    expect(fn).not.toHaveBeenCalled();
  });

  test('a delay longer than Node allows (2^31 - 1 ms) fires once, after the whole delay', () => {
    jest.useFakeTimers();
    try {
      const clock = new RealTimeClock();
      const fn = jest.fn();
      const day = 24 * 3600 * 1000;
      clock.setTimer(60 * day, fn);
      jest.advanceTimersByTime(2 ** 31);
      expect(fn).not.toHaveBeenCalled();
      jest.advanceTimersByTime(60 * day - 2 ** 31 - 1);
      expect(fn).not.toHaveBeenCalled();
      expect(clock.pendingCount).toBe(1);
      jest.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(1);
      expect(clock.pendingCount).toBe(0);
      // Cancelled between its pieces, it never fires.
      const other = clock.setTimer(30 * day, fn);
      jest.advanceTimersByTime(2 ** 31);
      other.cancel();
      jest.advanceTimersByTime(30 * day);
      expect(fn).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a cancelled timer does not fire and a huge delay does not fire at once', async () => {
    const clock = new RealTimeClock();
    const fn = jest.fn();
    clock.setTimer(1, fn).cancel();
    const far = clock.setTimer(Number.MAX_SAFE_INTEGER, fn);
    await new Promise<void>((resolve) => clock.setTimer(10, resolve));
    expect(fn).not.toHaveBeenCalled();
    far.cancel();
  });
});
