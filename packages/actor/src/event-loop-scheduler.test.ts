import pino from 'pino';
import { ActorSystem } from './actor-system';
import { EventLoopScheduler } from './event-loop-scheduler';
import type { Schedulable } from './scheduler';

/** A schedulable with `work` units, recording each resume. */
function job(name: string, work: number, log: string[]): Schedulable {
  let left = work;
  return {
    resume(budget) {
      const n = Math.min(budget, left);
      left -= n;
      log.push(`${name}${n}`);
      return left > 0;
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('EventLoopScheduler', () => {
  test('runs scheduled actors round-robin with at most `throughput` messages per turn', async () => {
    const s = new EventLoopScheduler({ throughput: 3 });
    const log: string[] = [];
    s.schedule(job('a', 7, log));
    s.schedule(job('b', 2, log));
    await tick();
    await tick();
    expect(log).toEqual(['a3', 'b2', 'a3', 'a1']);
    s.close();
  });

  test('yields to the event loop after `turnsPerTick` turns so that I/O is not starved', async () => {
    const s = new EventLoopScheduler({ throughput: 1, turnsPerTick: 2 });
    const log: string[] = [];
    s.schedule(job('a', 10, log));
    await Promise.resolve();
    await Promise.resolve();
    const before = log.length;
    expect(before).toBeLessThanOrEqual(2);
    for (let i = 0; i < 10 && log.length < 10; i++) await tick();
    expect(log).toHaveLength(10);
    s.close();
  });

  /**
   * Runs a chain of `length` one-message turns, each scheduling the next from a microtask
   * (as an actor woken by a promise another resolved), calling `ioCallback` before each
   * when `io` is set; resolves with the turns run before an immediate queued first.
   */
  async function turnsBeforeAnImmediate(length: number, io: boolean): Promise<number> {
    const s = new EventLoopScheduler();
    let turns = 0;
    let left = length;
    const next = (): void => {
      if (left-- === 0) return;
      if (io) s.ioCallback();
      s.schedule({
        resume() {
          turns++;
          queueMicrotask(next);
          return false;
        },
      });
    };
    const atImmediate = new Promise<number>((resolve) => setImmediate(() => resolve(turns)));
    next();
    const before = await atImmediate;
    for (let i = 0; i < 10 && turns < length; i++) await tick();
    s.close();
    expect(turns).toBe(length);
    return before;
  }

  test('a chain of microtask kicks yields to the event loop at its 16th kick', async () => {
    expect(await turnsBeforeAnImmediate(40, false)).toBe(15);
  });

  test('ioCallback starts a new count of kicks: turns woken by separate I/O callbacks run in microtasks', async () => {
    expect(await turnsBeforeAnImmediate(40, true)).toBe(40);
  });

  test('close drops queued actors and pending ticks', async () => {
    const s = new EventLoopScheduler();
    const log: string[] = [];
    s.schedule(job('a', 1, log));
    s.close();
    s.schedule(job('b', 1, log));
    await tick();
    expect(log).toEqual([]);
  });

  test('defer runs its tasks after the microtasks of the current burst, in order, with one immediate for all', async () => {
    const s = new EventLoopScheduler();
    const log: string[] = [];
    s.defer(() => log.push('d1'));
    s.schedule(job('a', 1, log));
    queueMicrotask(() => {
      log.push('micro');
      s.defer(() => log.push('d2'));
    });
    await Promise.resolve();
    expect(log).toEqual(['a1', 'micro']);
    await tick();
    expect(log).toEqual(['a1', 'micro', 'd1', 'd2']);
    s.close();
  });

  test('a deferred task that throws is rethrown from a microtask of its own, after the other tasks of its pass ran', async () => {
    const s = new EventLoopScheduler();
    const ran: string[] = [];
    // The rethrow would end the test process as an uncaught exception: catch its callback.
    const rethrows: Array<() => void> = [];
    const spy = jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => void rethrows.push(cb));
    try {
      s.defer(() => {
        throw new Error('deferred task failed');
      });
      s.defer(() => ran.push('second'));
      await tick();
    } finally {
      spy.mockRestore();
      s.close();
    }
    expect(ran).toEqual(['second']);
    expect(rethrows).toHaveLength(1);
    expect(rethrows[0]).toThrow('deferred task failed');
  });

  test('close drops deferred tasks, and defer after close does nothing', async () => {
    const s = new EventLoopScheduler();
    const ran = jest.fn();
    s.defer(ran);
    s.close();
    s.defer(ran);
    await tick();
    await tick();
    expect(ran).not.toHaveBeenCalled();
  });

  test('rejects a throughput that is not a positive integer', () => {
    expect(() => new EventLoopScheduler({ throughput: 0 })).toThrow(RangeError);
    expect(() => new EventLoopScheduler({ turnsPerTick: 1.5 })).toThrow(RangeError);
  });
});

describe('EventLoopScheduler time slice', () => {
  test('yields to I/O once a slice of time is used, whatever the count of turns', async () => {
    let now = 0;
    const s = new EventLoopScheduler({ throughput: 1, turnsPerTick: 1000, timeSlice: 10, now: () => now });
    const log: string[] = [];
    // Each turn costs 4 ms of (injected) time: the third turn ends the slice.
    const slow: Schedulable = {
      resume() {
        now += 4;
        log.push('turn');
        return true;
      },
    };
    s.schedule(slow);
    await new Promise<void>((resolve) => setImmediate(() => (log.push('io'), resolve())));
    s.close();
    expect(log.slice(0, 4)).toEqual(['turn', 'turn', 'turn', 'io']);
  });

  /**
   * Queues `count` messages of `ms` milliseconds of CPU each at one actor of a real
   * system, and resolves with how many had run when a `setTimeout(0)` fired.
   */
  async function handledBeforeATimer(count: number, ms: number): Promise<number> {
    const system = new ActorSystem({ logger: pino({ level: 'silent' }) });
    let done = 0;
    const busy = system.spawn(() => ({
      spin: () => {
        const end = Date.now() + ms;
        while (Date.now() < end);
        done++;
      },
    }));
    for (let i = 0; i < count; i++) busy.tell({ type: 'spin' });
    const seen = await new Promise<number>((resolve) => setTimeout(() => resolve(done), 0));
    await system.shutdown();
    return seen;
  }

  test('a timer fires while an actor works through a long backlog of slow messages', async () => {
    // Before time slices, 65,536 messages ran before any timer: all 2000 (2 s of work).
    expect(await handledBeforeATimer(2000, 1)).toBeLessThan(2000 / 4);
  });

  test('one actor with a backlog of slow messages ends its turn early once the slice is used up', async () => {
    // Before, a turn ran all 64 messages (the throughput) before anything else ran.
    expect(await handledBeforeATimer(64, 2)).toBeLessThan(32);
  });
});
