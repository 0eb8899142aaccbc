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
