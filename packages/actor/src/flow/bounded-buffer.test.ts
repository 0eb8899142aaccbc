import fc from 'fast-check';
import { BoundedBuffer } from './bounded-buffer';
import { FlowError } from './flow-error';
import { OVERFLOW_POLICIES, type OverflowPolicy } from './overflow-policy';

function fill(b: BoundedBuffer<number>, n: number): string[] {
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) outcomes.push(b.push(i));
  return outcomes;
}

describe('BoundedBuffer', () => {
  it('under block refuses items when full, loses nothing and counts no drops', () => {
    const b = new BoundedBuffer<number>(3, 'block');
    expect(fill(b, 5)).toEqual(['accepted', 'accepted', 'accepted', 'full', 'full']);
    expect([...b]).toEqual([0, 1, 2]);
    expect({ pushed: b.pushed, dropped: b.dropped, buffered: b.buffered }).toEqual({ pushed: 3, dropped: 0, buffered: 3 });
  });

  it('under dropOldest keeps the newest items and counts the evicted ones', () => {
    const b = new BoundedBuffer<number>(3, 'dropOldest');
    expect(fill(b, 10).slice(2)).toEqual(['accepted', ...Array(7).fill('droppedOldest')]);
    expect([...b]).toEqual([7, 8, 9]);
    expect(b.dropped).toBe(7);
  });

  it('under dropNewest keeps the oldest items and counts the discarded ones', () => {
    const b = new BoundedBuffer<number>(3, 'dropNewest');
    expect(fill(b, 10)[3]).toBe('droppedNewest');
    expect([...b]).toEqual([0, 1, 2]);
    expect(b.dropped).toBe(7);
  });

  it('under disconnect reports overflow and marks itself overflowed', () => {
    const b = new BoundedBuffer<number>(2, 'disconnect');
    expect(fill(b, 3)).toEqual(['accepted', 'accepted', 'overflow']);
    expect(b.overflowed).toBe(true);
    expect(b.dropped).toBe(1);
  });

  it('take and shift deliver oldest first and free capacity', () => {
    const b = new BoundedBuffer<number>(4);
    fill(b, 4);
    expect(b.freeCapacity).toBe(0);
    expect(b.take(3)).toEqual([0, 1, 2]);
    expect(b.shift()).toBe(3);
    expect(b.shift()).toBeUndefined();
    expect(b.delivered).toBe(4);
    expect(b.freeCapacity).toBe(4);
  });

  it('discard drops everything buffered and counts it', () => {
    const b = new BoundedBuffer<number>(4);
    fill(b, 3);
    expect(b.discard()).toBe(3);
    expect(b.dropped).toBe(3);
    expect(b.buffered).toBe(0);
  });

  it('rejects an unknown policy with an invalid_argument FlowError', () => {
    expect(() => new BoundedBuffer(4, 'dropSome' as OverflowPolicy)).toThrow(FlowError);
    expect(() => new BoundedBuffer(4, 'dropSome' as OverflowPolicy)).toThrow(/unknown overflow policy "dropSome"/);
  });

  it('keeps pushed = delivered + dropped + buffered and never exceeds capacity, for every policy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OVERFLOW_POLICIES),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant(-1), fc.nat({ max: 30 })), { maxLength: 200 }),
        (policy, cap, ops) => {
          const b = new BoundedBuffer<number>(cap, policy);
          let refused = 0;
          for (const op of ops) {
            if (op === -1) {
              if (b.push(0) === 'full') refused++;
            } else if (op % 7 === 0) b.discard();
            else b.take(op);
            expect(b.buffered).toBeLessThanOrEqual(cap);
            expect(b.pushed).toBe(b.delivered + b.dropped + b.buffered);
          }
          if (policy !== 'block') expect(refused).toBe(0);
        },
      ),
    );
  });
});
