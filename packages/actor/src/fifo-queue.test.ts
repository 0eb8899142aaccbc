import fc from 'fast-check';
import { FifoQueue } from './fifo-queue';

describe('FifoQueue', () => {
  test('behaves like an array used as a queue for any sequence of pushes and shifts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null))), (ops) => {
        const q = new FifoQueue<number>(2);
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(q.shift()).toBe(model.shift());
          else (q.push(op), model.push(op));
          expect(q.size).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
        }
        expect(q.drain()).toEqual(model);
        expect(q.size).toBe(0);
      }),
    );
  });

  test('shift on an empty queue returns undefined', () => {
    expect(new FifoQueue<number>().shift()).toBeUndefined();
  });
});
