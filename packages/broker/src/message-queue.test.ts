import { BrokerError } from '@broker-ts/data';
import { MessageQueue, type TimerSource } from './message-queue';

/** Timers fired by hand, so no test waits on real time. */
class ManualTimers implements TimerSource {
  private pending: Array<{ at: number; cb: () => void; live: boolean }> = [];
  now = 0;
  setTimer(delayMs: number, cb: () => void) {
    const t = { at: this.now + delayMs, cb, live: true };
    this.pending.push(t);
    return { cancel: () => { t.live = false; } };
  }
  advance(ms: number): void {
    this.now += ms;
    for (const t of this.pending.filter((p) => p.live && p.at <= this.now)) { t.live = false; t.cb(); }
    this.pending = this.pending.filter((p) => p.live);
  }
  get count(): number { return this.pending.filter((p) => p.live).length; }
}

describe('MessageQueue', () => {
  let timers: ManualTimers;
  beforeEach(() => { timers = new ManualTimers(); });

  test('items come out in order and drains are reported', async () => {
    const drained: number[] = [];
    const q = new MessageQueue<number>(10, timers, (n) => drained.push(n));
    q.push(1); q.push(2); q.push(3);
    expect(q.available()).toBe(3);
    expect(await q.get()).toBe(1);
    expect(q.poll()).toEqual([2, 3]);
    expect(drained).toEqual([1, 2]);
    expect(q.poll()).toEqual([]);
  });

  test('a full queue refuses items and says how much room is left', () => {
    const q = new MessageQueue<number>(2, timers);
    expect(q.push(1)).toBe(true);
    expect(q.freeCapacity).toBe(1);
    expect(q.push(2)).toBe(true);
    expect(q.push(3)).toBe(false);
    expect(q.freeCapacity).toBe(0);
  });

  test('a pending get is served by the next push', async () => {
    const q = new MessageQueue<string>(1, timers);
    const p = q.get();
    q.push('x');
    expect(await p).toBe('x');
    expect(q.available()).toBe(0);
  });

  test('get with a timeout yields null when nothing arrives, and cancels its timer otherwise', async () => {
    const q = new MessageQueue<string>(4, timers);
    const p = q.get({ timeout: 100 });
    timers.advance(99);
    q.push('late?');
    expect(await p).toBe('late?');
    expect(timers.count).toBe(0);
    const p2 = q.get({ timeout: 100 });
    timers.advance(100);
    expect(await p2).toBeNull();
    expect(await q.get({ timeout: 0 })).toBeNull();
  });

  test('getMany waits for n items, or returns fewer at the timeout', async () => {
    const q = new MessageQueue<number>(8, timers);
    q.push(1);
    const p = q.getMany(3);
    q.push(2); q.push(3); q.push(4);
    expect(await p).toEqual([1, 2, 3]);
    expect(q.available()).toBe(1);
    const p2 = q.getMany(5, { timeout: 50 });
    timers.advance(50);
    expect(await p2).toEqual([4]);
    const p3 = q.getMany(2, { timeout: 50 });
    timers.advance(50);
    expect(await p3).toEqual([]);
    expect(await q.getMany(0)).toEqual([]);
    await expect(q.getMany(-1)).rejects.toThrow(BrokerError);
  });

  test('closing fails a pending get with end_of_file and ends iteration after buffered items', async () => {
    const q = new MessageQueue<number>(8, timers);
    const pending = q.get();
    q.close();
    await expect(pending).rejects.toMatchObject({ code: 'end_of_file' });
    const q2 = new MessageQueue<number>(8, timers);
    q2.push(1); q2.push(2);
    q2.close();
    expect(q2.push(3)).toBe(false);
    const seen: number[] = [];
    for await (const x of q2) seen.push(x);
    expect(seen).toEqual([1, 2]);
    await expect(q2.get()).rejects.toBeInstanceOf(BrokerError);
  });

  test('getMany returns what it collected when closed midway', async () => {
    const q = new MessageQueue<number>(8, timers);
    const p = q.getMany(3);
    q.push(1);
    q.close();
    expect(await p).toEqual([1]);
  });

  test('async iteration yields items as they arrive', async () => {
    const q = new MessageQueue<number>(8, timers);
    const it = q[Symbol.asyncIterator]();
    const first = it.next();
    q.push(7);
    expect(await first).toEqual({ value: 7, done: false });
    q.close();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test('a long run with interleaved reads keeps order and bounded storage', async () => {
    const q = new MessageQueue<number>(5000, timers);
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) q.push(round * 3000 + i);
      while (q.available() > 0) expect(await q.get()).toBe(next++);
    }
    expect(next).toBe(150_000);
  });

  test('the capacity must be a positive integer', () => {
    expect(() => new MessageQueue(0, timers)).toThrow(BrokerError);
  });
});
