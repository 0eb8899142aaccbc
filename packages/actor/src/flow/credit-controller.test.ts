import fc from 'fast-check';
import { CreditController } from './credit-controller';
import { FlowError } from './flow-error';

describe('CreditController', () => {
  it('grants the high watermark first, then tops up only at the low watermark', () => {
    const c = new CreditController({ highWatermark: 100, lowWatermark: 40 });
    expect(c.grant()).toBe(100);
    expect(c.grant()).toBe(0);
    c.onReceived(30);
    expect(c.onConsumed(30)).toBe(0); // level 70 > 40
    c.onReceived(30);
    expect(c.onConsumed(30)).toBe(60); // level 40: top up to 100
    expect(c.outstanding).toBe(100);
  });

  it('stops granting while received items stay unconsumed', () => {
    const c = new CreditController({ highWatermark: 10, lowWatermark: 5 });
    c.grant();
    c.onReceived(10);
    expect(c.onConsumed(0)).toBe(0);
    expect(c.buffered).toBe(10);
    expect(c.onConsumed(4)).toBe(0);
    expect(c.onConsumed(1)).toBe(5);
  });

  it('defaults the low watermark to half the high watermark', () => {
    expect(new CreditController({ highWatermark: 9 }).lowWatermark).toBe(4);
    expect(new CreditController().highWatermark).toBe(1024);
  });

  it('reports more items than granted as a protocol FlowError', () => {
    const c = new CreditController({ highWatermark: 4 });
    c.grant();
    expect(() => c.onReceived(5)).toThrow(expect.objectContaining({ code: 'protocol' }));
  });

  it('rejects consuming more than buffered', () => {
    const c = new CreditController({ highWatermark: 4 });
    expect(() => c.onConsumed(1)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it.each([
    [{ highWatermark: 0 }, /highWatermark/],
    [{ highWatermark: 10, lowWatermark: 10 }, /below highWatermark/],
    [{ highWatermark: 10, lowWatermark: -1 }, /lowWatermark/],
  ])('rejects options %p', (opts, msg) => {
    expect(() => new CreditController(opts)).toThrow(FlowError);
    expect(() => new CreditController(opts)).toThrow(msg);
  });

  it('never lets granted-but-unreceived plus unconsumed exceed the high watermark, and never starves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.nat({ max: 80 }), { maxLength: 200 }), (high, steps) => {
        const c = new CreditController({ highWatermark: high });
        c.grant();
        for (const s of steps) {
          // The producer sends some of its credit, the consumer consumes some of its backlog.
          c.onReceived(Math.min(s, c.outstanding));
          c.onConsumed(Math.min(s % 7, c.buffered));
          expect(c.outstanding + c.buffered).toBeLessThanOrEqual(high);
        }
        // Once everything is consumed there is always credit in flight: no deadlock.
        c.onConsumed(c.buffered);
        expect(c.outstanding).toBeGreaterThan(0);
      }),
    );
  });
});
