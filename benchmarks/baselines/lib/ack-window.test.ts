/// <reference types="jest" />
import { AckWindow } from './ack-window';

describe('AckWindow', () => {
  it('allows size messages in flight and makes room as acknowledgements arrive', async () => {
    const w = new AckWindow(3);
    expect(w.room).toBe(3);
    w.sent = 3;
    expect(w.room).toBe(0);
    let woke = false;
    const waiting = w.waitForRoom().then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    w.ack(2);
    await waiting;
    expect(woke).toBe(true);
    expect(w.room).toBe(2);
  });

  it('ignores stale cumulative acknowledgements', () => {
    const w = new AckWindow(10);
    w.sent = 10;
    w.ack(8);
    w.ack(5);
    expect(w.acked).toBe(8);
    expect(w.room).toBe(8);
  });

  it('rejects a second concurrent waiter and a bad size', async () => {
    const w = new AckWindow(1);
    w.sent = 1;
    const first = w.waitForRoom();
    await expect(w.waitForRoom()).rejects.toThrow(/one waiting sender/);
    w.ack(1);
    await first;
    expect(() => new AckWindow(0)).toThrow(RangeError);
    expect(() => new AckWindow(1.5)).toThrow(RangeError);
  });
});
