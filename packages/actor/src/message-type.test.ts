import { messageTypeOf } from './message-type';

describe('messageTypeOf', () => {
  test('returns string types and undefined for everything else, even hostile getters', () => {
    expect(messageTypeOf({ type: 'x' })).toBe('x');
    expect(messageTypeOf({ type: 1 })).toBeUndefined();
    expect(messageTypeOf(null)).toBeUndefined();
    expect(messageTypeOf('x')).toBeUndefined();
    const hostile = Object.defineProperty({}, 'type', {
      get() {
        throw new Error('no');
      },
    });
    expect(messageTypeOf(hostile)).toBeUndefined();
  });
});
