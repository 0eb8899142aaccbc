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

  test('an unknown option, a name that is no string, a logger that is no pino logger: invalid_data', () => {
    const invalid = (message: RegExp) => expect.objectContaining({ name: 'BrokerError', code: 'invalid_data', message: expect.stringMatching(message) });
    expect(() => resolveEndpointOptions({ disableSSL: true } as never)).toThrow(invalid(/unknown endpoint option "disableSSL" \(did you mean disableSsl\?\)/));
    expect(() => resolveEndpointOptions({ colour: 'blue' } as never)).toThrow(invalid(/^unknown endpoint option "colour"$/));
    expect(() => resolveEndpointOptions({ name: 42 } as never)).toThrow(invalid(/name must be a string/));
    for (const logger of ['x', null, {}, { child: 1, warn: () => {} }]) {
      expect(() => resolveEndpointOptions({ logger } as never)).toThrow(invalid(/logger must be a pino logger/));
    }
    expect(() => resolveEndpointOptions([] as never)).toThrow(invalid(/endpoint options must be an object/));
  });

  test('endpointId: a UUID read back lower-case; anything else, and the nil UUID, is refused', () => {
    expect(resolveEndpointOptions().endpointId).toBeUndefined();
    expect(resolveEndpointOptions({ endpointId: 'ABCDEF01-2345-4678-89AB-CDEF01234567' }).endpointId).toBe('abcdef01-2345-4678-89ab-cdef01234567');
    for (const bad of ['', 'not-a-uuid', 'abcdef01234546788 9abcdef01234567', 'abcdef01-2345-4678-89ab-cdef0123456', '{abcdef01-2345-4678-89ab-cdef01234567}', 42, null]) {
      expect(() => resolveEndpointOptions({ endpointId: bad as never })).toThrow(BrokerError);
      expect(() => resolveEndpointOptions({ endpointId: bad as never })).toThrow(expect.objectContaining({ code: 'invalid_data', message: expect.stringMatching(/endpointId/) }));
    }
    expect(() => resolveEndpointOptions({ endpointId: '00000000-0000-0000-0000-000000000000' })).toThrow(expect.objectContaining({ code: 'invalid_data', message: expect.stringMatching(/nil/) }));
  });
});
