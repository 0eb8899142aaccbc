import { FlowError } from './flow-error';
import { ProducerDemand } from './producer-demand';

describe('ProducerDemand', () => {
  it('never lets the producer send more than granted', () => {
    const d = new ProducerDemand();
    expect(d.reserve(10)).toBe(0);
    d.grant(5);
    expect(d.reserve(3)).toBe(3);
    expect(d.reserve(10)).toBe(2);
    expect(d.demand).toBe(0);
    d.grant(4);
    expect(d.demand).toBe(4);
    expect({ granted: d.granted, sent: d.sent }).toEqual({ granted: 9, sent: 5 });
  });

  it.each([0, -3, 1.5, NaN, Number.MAX_SAFE_INTEGER + 2])('treats a grant of %p as a protocol violation', (n) => {
    const d = new ProducerDemand();
    let err: unknown;
    try {
      d.grant(n);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlowError);
    expect((err as FlowError).code).toBe('protocol');
    expect(d.demand).toBe(0);
  });

  it('refuses a grant that would overflow the safe integer range', () => {
    const d = new ProducerDemand();
    d.grant(Number.MAX_SAFE_INTEGER - 1);
    expect(() => d.grant(5)).toThrow(/invalid credit grant/);
  });
});
