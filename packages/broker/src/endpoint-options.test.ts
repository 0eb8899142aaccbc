import { BrokerError } from '@broker-ts/data';
import { resolveEndpointOptions } from './endpoint-options';

describe('endpoint options', () => {
  test('defaults are Broker 1.4 and newer Broker ones', () => {
    expect(resolveEndpointOptions()).toMatchObject({ forward: true, ttl: 20, useRealTime: true, disableSsl: true, peerBufferSize: 2048, peerOverflowPolicy: 'disconnect' });
  });

  test('TLS settings are refused instead of silently ignored', () => {
    expect(() => resolveEndpointOptions({ ssl: { certificate: 'c.pem' } })).toThrow(BrokerError);
    expect(() => resolveEndpointOptions({ disableSsl: false })).toThrow(/TLS peering is not implemented/);
    expect(resolveEndpointOptions({ disableSsl: true }).disableSsl).toBe(true);
  });

  test('a bad option is named in the error', () => {
    expect(() => resolveEndpointOptions({ ttl: 0 })).toThrow(/ttl/);
    expect(() => resolveEndpointOptions({ peerOverflowPolicy: 'block' as never })).toThrow(/peerOverflowPolicy/);
    expect(() => resolveEndpointOptions({ forward: 'yes' as never })).toThrow(/forward/);
  });
});
