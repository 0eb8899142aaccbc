import fc from 'fast-check';
import { FlowError } from './flow-error';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const r = new RingBuffer<number>(40);
    for (let i = 0; i < 10; i++) r.push(i);
    expect(r.take(7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (let i = 10; i < 40; i++) expect(r.push(i)).toBe(true);
    expect(r.length).toBe(33);
    expect([...r]).toEqual(Array.from({ length: 33 }, (_, k) => k + 7));
    expect(r.shift()).toBe(7);
    expect(r.peek()).toBe(8);
  });

  it('refuses an item when full and stores nothing', () => {
    const r = new RingBuffer<string>(2);
    expect(r.push('a')).toBe(true);
    expect(r.push('b')).toBe(true);
    expect(r.full).toBe(true);
    expect(r.push('c')).toBe(false);
    expect([...r]).toEqual(['a', 'b']);
  });

  it('returns undefined from shift and peek when empty, and an empty batch from take', () => {
    const r = new RingBuffer<number>(3);
    expect(r.shift()).toBeUndefined();
    expect(r.peek()).toBeUndefined();
    expect(r.take(5)).toEqual([]);
  });

  it('clear empties it and reports how many items it held', () => {
    const r = new RingBuffer<number>(5);
    r.push(1);
    r.push(2);
    expect(r.clear()).toBe(2);
    expect(r.length).toBe(0);
    r.push(3);
    expect([...r]).toEqual([3]);
  });

  it.each([0, -1, 1.5, NaN, Infinity])('rejects capacity %p with an invalid_argument FlowError', (c) => {
    expect(() => new RingBuffer(c)).toThrow(FlowError);
    expect(() => new RingBuffer(c)).toThrow(/capacity/);
  });

  it('behaves like a bounded array queue under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.oneof(fc.integer(), fc.constant('shift'), fc.nat({ max: 60 }).map((n) => ({ take: n }))), { maxLength: 300 }), (cap, ops) => {
        const r = new RingBuffer<number>(cap);
        const model: number[] = [];
        for (const op of ops) {
          if (op === 'shift') expect(r.shift()).toBe(model.shift());
          else if (typeof op === 'object') expect(r.take(op.take)).toEqual(model.splice(0, op.take));
          else {
            const fits = model.length < cap;
            expect(r.push(op)).toBe(fits);
            if (fits) model.push(op);
          }
          expect(r.length).toBe(model.length);
        }
        expect([...r]).toEqual(model);
      }),
    );
  });
});
