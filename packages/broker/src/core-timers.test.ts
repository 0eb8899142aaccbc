import { type FlowError, VirtualClock } from '@broker-ts/actor';
import { flushedWithin, KeyedTimers, settledWithin } from './core-timers';
import type { PeerOutput } from './peer-state';
import type { WireItem } from './peer-protocol';

describe('KeyedTimers', () => {
  test('keeps one timer per key: setting again replaces it, cancel and cancelAll stop them', () => {
    const clock = new VirtualClock();
    const timers = new KeyedTimers(clock);
    const fired: string[] = [];
    timers.set('a', 100, () => fired.push('a1'));
    timers.set('a', 50, () => fired.push('a2'));
    timers.set('b', 100, () => fired.push('b'));
    timers.set('c', 100, () => fired.push('c'));
    expect(clock.pendingCount).toBe(3);
    timers.cancel('b');
    expect(timers.has('b')).toBe(false);
    clock.advance(100);
    expect(fired).toEqual(['a2', 'c']);
    // A fired timer stays known until cancelled (the core cancels it when it handles the check).
    expect(timers.has('a')).toBe(true);
    timers.set('a', 10, () => fired.push('a3'));
    timers.set('d', 10, () => fired.push('d'));
    timers.cancelAll();
    clock.advance(100);
    expect(fired).toEqual(['a2', 'c']);
    expect(timers.has('a') || timers.has('d')).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });
});

describe('bounded waits', () => {
  test('settledWithin resolves when the promise settles (resolved or rejected) and cancels its timer', async () => {
    const clock = new VirtualClock();
    await settledWithin(Promise.resolve(1), 1000, clock);
    await settledWithin(Promise.reject(new Error('no')), 1000, clock);
    expect(clock.pendingCount).toBe(0);
  });

  test('settledWithin resolves after the timeout when the promise never settles', async () => {
    const clock = new VirtualClock();
    let done = false;
    const wait = settledWithin(new Promise(() => {}), 1000, clock).then(() => {
      done = true;
    });
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await wait;
    expect(done).toBe(true);
  });

  test('flushedWithin closes the output and waits for it to end, at most the timeout', async () => {
    const clock = new VirtualClock();
    const closed: string[] = [];
    let end: (e: FlowError | undefined) => void = () => {};
    // The smallest output that says when it was closed; the real ones (a flow, a native
    // peer's socket) are flushed this way by the unpeer and shutdown tests.
    const output = (name: string): PeerOutput => ({
      buffered: 1, capacity: 4, sent: 0, dropped: 0,
      push: (_item: WireItem) => true,
      close: () => closed.push(name),
      abort: () => {},
      done: () => new Promise((resolve) => {
        if (name === 'flushes') end = resolve;
      }),
    });
    const flushing = flushedWithin(output('flushes'), 1000, clock);
    const stuck = flushedWithin(output('stuck'), 1000, clock);
    expect(closed).toEqual(['flushes', 'stuck']);
    end(undefined);
    await flushing;
    expect(clock.pendingCount).toBe(1);
    clock.advance(1000);
    await stuck;
    expect(clock.pendingCount).toBe(0);
  });
});
