import { BrokerError } from './broker-error';
import { EnumValue } from './enum-value';
import { errorFromData, errorToData } from './error-data';
import { Port } from './port';

describe('the data layout of an error', () => {
  test('converts to Broker data layouts and back', () => {
    expect(errorToData(new BrokerError('no_such_key', ''))).toEqual(['error', new EnumValue('no_such_key'), null]);
    const withMessage = new BrokerError('peer_invalid', 'cannot unpeer from unknown peer');
    expect(errorToData(withMessage)).toEqual(['error', new EnumValue('peer_invalid'), ['cannot unpeer from unknown peer']]);
    const endpoint = ['nid', 'foo', new Port(8080, 'tcp'), null];
    const withEndpoint = new BrokerError('peer_invalid', 'invalid host', { endpoint });
    expect(errorToData(withEndpoint)).toEqual(['error', new EnumValue('peer_invalid'), [endpoint, 'invalid host']]);
    for (const e of [withMessage, withEndpoint, new BrokerError('none', '')]) {
      const back = errorFromData(errorToData(e));
      expect(back.code).toBe(e.code);
      expect(back.message).toBe(e.message);
      expect(back.context.endpoint).toEqual(e.context.endpoint);
    }
  });

  test('errorFromData rejects values that are not errors', () => {
    for (const bad of [null, 'error', ['status', new EnumValue('none'), null], ['error', new EnumValue('no_such_code'), null], ['error', new EnumValue('none'), [1n]]]) {
      expect(() => errorFromData(bad)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    }
  });
});
