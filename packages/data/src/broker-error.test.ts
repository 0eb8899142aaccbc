import { BrokerError } from './broker-error';

describe('BrokerError', () => {
  test('carries the code name, its number and context, and is an Error', () => {
    const e = new BrokerError('type_clash', 'bad', { offset: 3 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BrokerError');
    expect(e.code).toBe('type_clash');
    expect(e.ec).toBe(11);
    expect(e.context.offset).toBe(3);
    expect(e.message).toBe('bad');
    expect(String(e)).toBe('BrokerError: bad');
  });
});
