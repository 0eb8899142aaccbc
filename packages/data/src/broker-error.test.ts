import { BrokerError } from './broker-error';
import { EnumValue } from './enum-value';
import { Port } from './port';

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

  test('converts to Broker data layouts and back', () => {
    expect(new BrokerError('no_such_key', '').toData()).toEqual(['error', new EnumValue('no_such_key'), null]);
    const withMessage = new BrokerError('peer_invalid', 'cannot unpeer from unknown peer');
    expect(withMessage.toData()).toEqual(['error', new EnumValue('peer_invalid'), ['cannot unpeer from unknown peer']]);
    const endpoint = ['nid', 'foo', new Port(8080, 'tcp'), null];
    const withEndpoint = new BrokerError('peer_invalid', 'invalid host', { endpoint });
    expect(withEndpoint.toData()).toEqual(['error', new EnumValue('peer_invalid'), [endpoint, 'invalid host']]);
    for (const e of [withMessage, withEndpoint, new BrokerError('none', '')]) {
      const back = BrokerError.fromData(e.toData());
      expect(back.code).toBe(e.code);
      expect(back.message).toBe(e.message);
      expect(back.context.endpoint).toEqual(e.context.endpoint);
    }
  });

  test('fromData rejects values that are not errors', () => {
    for (const bad of [null, 'error', ['status', new EnumValue('none'), null], ['error', new EnumValue('no_such_code'), null], ['error', new EnumValue('none'), [1n]]]) {
      expect(() => BrokerError.fromData(bad)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    }
  });
});
