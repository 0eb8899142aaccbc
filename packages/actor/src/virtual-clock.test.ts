import { VirtualClock } from './virtual-clock';

describe('VirtualClock', () => {
  test('fires timers in due order, ties in creation order, only when time is advanced', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('c'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(10, () => fired.push('b'));
    expect(fired).toEqual([]);
    clock.advance(10);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1010);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1110);
  });

  test('a timer set by a firing timer fires within the same advance if it is due', () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    clock.setTimer(5, () => {
      at.push(clock.now());
      clock.setTimer(5, () => at.push(clock.now()));
    });
    clock.advance(12);
    expect(at).toEqual([5, 10]);
  });

  test('cancelled timers never fire; cancelAll empties the clock', () => {
    const clock = new VirtualClock();
    const fn = jest.fn();
    const t = clock.setTimer(1, fn);
    t.cancel();
    t.cancel();
    clock.setTimer(2, fn);
    expect(clock.pendingCount).toBe(1);
    clock.cancelAll();
    clock.advance(10);
    expect(fn).not.toHaveBeenCalled();
    expect(clock.nextDue()).toBeUndefined();
  });

  test('negative or NaN delays count as zero and bad advances throw RangeError', () => {
    const clock = new VirtualClock();
    const fn = jest.fn();
    clock.setTimer(-5, fn);
    clock.setTimer(Number.NaN, fn);
    clock.advance(0);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Infinity)).toThrow(RangeError);
  });
});
