import { ActorError, ActorErrorCodes, reduceCause } from './actor-error';

describe('ActorError', () => {
  test('carries a stable code, its number and a cause', () => {
    const cause = new Error('disk');
    const e = new ActorError('request_timeout', 'too slow', cause);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ActorError');
    expect(e.code).toBe('request_timeout');
    expect(e.codeNumber).toBe(3);
    expect(e.cause).toBe(cause);
    expect(new ActorError('unreachable').message).toBe('unreachable');
  });

  test('code numbers are unique', () => {
    const numbers = Object.values(ActorErrorCodes);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  test('round-trips through plain data, causes reduced to name and message', () => {
    const e = new ActorError('runtime_error', 'bad', new TypeError('inner'));
    const back = ActorError.fromData(JSON.parse(JSON.stringify(e.toData())));
    expect(back).toBeInstanceOf(ActorError);
    expect(back.code).toBe('runtime_error');
    expect(back.message).toBe('bad');
    expect(back.cause).toEqual({ name: 'TypeError', message: 'inner' });
  });

  test('an unknown code from a newer peer becomes runtime_error', () => {
    expect(ActorError.fromData({ code: 'from_the_future' as never, message: 'x' }).code).toBe('runtime_error');
  });

  test('reduceCause keeps plain values and nests actor errors as data', () => {
    expect(reduceCause(42)).toBe(42);
    expect(reduceCause(new ActorError('mailbox_full'))).toEqual({ code: 'mailbox_full', message: 'mailbox_full' });
  });
});
