import { FlowError } from './flow-error';
import { isOverflowPolicy, toOverflowPolicy } from './overflow-policy';

describe('FlowError', () => {
  it('round-trips through its data form', () => {
    const e = FlowError.fromData(new FlowError('overflow', 'too much').toData());
    expect(e).toBeInstanceOf(FlowError);
    expect([e.code, e.message, e.name]).toEqual(['overflow', 'too much', 'FlowError']);
  });

  it.each([null, 42, {}, { code: 'nonsense', message: 'x' }, { code: 7 }])('turns malformed wire data %p into a protocol error', (d) => {
    expect(FlowError.fromData(d).code).toBe('protocol');
  });
});

describe('overflow policy names', () => {
  it('accepts the four policies and rejects anything else with a clear error', () => {
    expect(['block', 'dropOldest', 'dropNewest', 'disconnect'].every(isOverflowPolicy)).toBe(true);
    expect(isOverflowPolicy('drop_oldest')).toBe(false);
    expect(toOverflowPolicy('dropNewest')).toBe('dropNewest');
    expect(() => toOverflowPolicy(3)).toThrow(/expected one of block, dropOldest, dropNewest, disconnect/);
  });
});
