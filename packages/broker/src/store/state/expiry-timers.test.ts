import { ExpiryTimers } from './expiry-timers';

describe('ExpiryTimers', () => {
  test('due keys come out earliest first, once; a re-armed or disarmed key follows its latest timer', () => {
    const t = new ExpiryTimers();
    t.set('a', 30n);
    t.set('b', 10n);
    t.set('c', 20n);
    t.set('a', 5n);
    t.delete('c');
    expect(t.due(25n)).toEqual(['a', 'b']);
    expect(t.due(100n)).toEqual([]);
    expect(t.size).toBe(0);
  });

  test('keys are compared by value, so an equal vector is the same key', () => {
    const t = new ExpiryTimers();
    t.set([1n, 'x'], 10n);
    t.delete([1n, 'x']);
    expect(t.due(10n)).toEqual([]);
  });

  test('re-arming one key many times keeps memory bounded', () => {
    const t = new ExpiryTimers();
    for (let i = 0; i < 100_000; i++) t.set('k', BigInt(i));
    expect(t.size).toBe(1);
    expect((t as unknown as { heap: unknown[] }).heap.length).toBeLessThan(200);
    expect(t.due(99_999n)).toEqual(['k']);
  });

  test('clear disarms everything', () => {
    const t = new ExpiryTimers();
    t.set('a', 1n);
    t.clear();
    expect(t.due(10n)).toEqual([]);
  });
});
