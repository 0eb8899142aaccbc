import { BrokerError } from '@broker-ts/data';
import { resolveEndpointOptions } from './endpoint-options';

describe('endpoint options', () => {
  test('defaults are Broker 1.4 and newer Broker ones', () => {
    expect(resolveEndpointOptions()).toMatchObject({ forward: true, ttl: 20, useRealTime: true, disableSsl: false, peerBufferSize: 2048, peerOverflowPolicy: 'disconnect' });
  });

  test('TLS: anonymous by default as in Broker, verified with certificates, plain TCP with disableSsl', () => {
    expect(resolveEndpointOptions().transport.mode).toBe('anonymous');
    expect(resolveEndpointOptions({ disableSsl: false }).transport.mode).toBe('anonymous');
    expect(resolveEndpointOptions({ disableSsl: true }).transport.mode).toBe('plain');
    expect(() => resolveEndpointOptions({ ssl: { certificate: '/nonexistent/c.pem' } })).toThrow(expect.objectContaining({ code: 'cannot_open_file' }));
    expect(() => resolveEndpointOptions({ disableSsl: 'yes' as never })).toThrow(BrokerError);
  });

  test('a bad option is named in the error', () => {
    expect(() => resolveEndpointOptions({ ttl: 0 })).toThrow(/ttl/);
    expect(() => resolveEndpointOptions({ peerOverflowPolicy: 'block' as never })).toThrow(/peerOverflowPolicy/);
    expect(() => resolveEndpointOptions({ forward: 'yes' as never })).toThrow(/forward/);
  });
});
