import { DeterministicScheduler } from './deterministic-scheduler';
import type { Schedulable } from './scheduler';

describe('DeterministicScheduler', () => {
  test('runs nothing until stepped, then one message per step round-robin', () => {
    const s = new DeterministicScheduler();
    const log: string[] = [];
    const mk = (name: string, n: number): Schedulable => ({
      resume: (budget) => {
        expect(budget).toBe(1);
        log.push(name);
        return --n > 0;
      },
    });
    s.schedule(mk('a', 2));
    s.schedule(mk('b', 1));
    expect(log).toEqual([]);
    expect(s.readyCount).toBe(2);
    expect(s.runOne()).toBe(true);
    expect(log).toEqual(['a']);
    expect(s.runUntilIdle()).toBe(2);
    expect(log).toEqual(['a', 'b', 'a']);
    expect(s.runOne()).toBe(false);
  });

  test('runs deferred tasks once no actor is ready, and the actors they make ready after them', () => {
    const s = new DeterministicScheduler();
    const log: string[] = [];
    const actor = (name: string): Schedulable => ({
      resume: () => {
        log.push(name);
        return false;
      },
    });
    s.defer(() => {
      log.push('deferred');
      s.schedule(actor('b'));
    });
    s.schedule(actor('a'));
    expect(s.deferredCount).toBe(1);
    expect(s.runOne()).toBe(true);
    expect(log).toEqual(['a']);
    expect(s.runUntilIdle()).toBe(2);
    expect(log).toEqual(['a', 'deferred', 'b']);
    expect(s.deferredCount).toBe(0);
    expect(s.runOne()).toBe(false);
    s.defer(() => log.push('late'));
    s.close();
    s.defer(() => log.push('after close'));
    expect(s.runUntilIdle()).toBe(0);
    expect(log).toEqual(['a', 'deferred', 'b']);
  });

  test('runUntilIdle throws on a livelock instead of hanging', () => {
    const s = new DeterministicScheduler();
    s.schedule({ resume: () => true });
    expect(() => s.runUntilIdle(100)).toThrow(/livelock/);
  });

  test('close forgets queued actors', () => {
    const s = new DeterministicScheduler();
    const resume = jest.fn(() => false);
    s.schedule({ resume });
    s.close();
    s.schedule({ resume });
    expect(s.runUntilIdle()).toBe(0);
    expect(resume).not.toHaveBeenCalled();
  });
});
