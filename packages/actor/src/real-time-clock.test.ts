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

  test('a cancelled timer does not fire and huge delays are clamped instead of firing at once', async () => {
    const clock = new RealTimeClock();
    const fn = jest.fn();
    clock.setTimer(1, fn).cancel();
    const far = clock.setTimer(Number.MAX_SAFE_INTEGER, fn);
    await new Promise<void>((resolve) => clock.setTimer(10, resolve));
    expect(fn).not.toHaveBeenCalled();
    far.cancel();
  });
});
