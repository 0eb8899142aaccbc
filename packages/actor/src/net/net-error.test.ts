import { NET_ERROR_REASONS, NetError, NetErrorCodes } from './net-error';

describe('NetError', () => {
  it('numbers every reason once, from 1 without gaps, and lists them in code order', () => {
    const numbers = Object.values(NetErrorCodes);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(NET_ERROR_REASONS).toEqual(Object.keys(NetErrorCodes));
    expect(new NetError('authentication_failed', 'x').codeNumber).toBe(NetErrorCodes.authentication_failed);
  });

  it('rebuilds a known reason from the wire and turns anything else into malformed_message', () => {
    const known = NetError.fromWire('bad_magic', 'GET / HTTP/1.1');
    expect([known.reason, known.codeNumber, known.message]).toEqual(['bad_magic', 1, 'bad_magic: GET / HTTP/1.1']);
    for (const bad of ['toString', '__proto__', 'no_such_reason', 3, null]) expect(NetError.fromWire(bad, 'd').reason).toBe('malformed_message');
  });
});
