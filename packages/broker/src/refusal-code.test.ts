import { NET_ERROR_REASONS, NetError } from '@broker-ts/actor';
import { ErrorCode } from '@broker-ts/data';
import { connectFailure, handshakeFailureCode } from './refusal-code';

test('every transport failure reason has a Broker code on each side', () => {
  for (const reason of NET_ERROR_REASONS) {
    for (const side of ['dialer', 'listener'] as const) expect(Object.keys(ErrorCode)).toContain(handshakeFailureCode(reason, side));
  }
});

test('the sides differ only where the reason means something else to each', () => {
  const differing = NET_ERROR_REASONS.filter((r) => handshakeFailureCode(r, 'dialer') !== handshakeFailureCode(r, 'listener'));
  expect(differing.sort()).toEqual(['bad_magic', 'malformed_message', 'oversized_frame', 'self_connection', 'socket_error', 'truncated_frame', 'unexpected_node']);
  // Another protocol's bytes: another service on the dialled port, or a client that is no peer.
  expect(handshakeFailureCode('bad_magic', 'dialer')).toBe('peer_incompatible');
  expect(handshakeFailureCode('bad_magic', 'listener')).toBe('wrong_magic_number');
  expect(handshakeFailureCode('unsupported_version', 'dialer')).toBe('peer_incompatible');
  expect(handshakeFailureCode('unsupported_version', 'listener')).toBe('peer_incompatible');
});

test('a failed connect gets the dialer code and a message; an error without a known reason is peer_unavailable', () => {
  expect(connectFailure(new NetError('bad_magic', 'got HTTP'))).toEqual({ code: 'peer_incompatible', message: 'incompatible peer: bad_magic: got HTTP' });
  expect(connectFailure(new NetError('socket_error', 'ECONNREFUSED'))).toEqual({ code: 'peer_unavailable', message: 'unable to connect to remote peer: socket_error: ECONNREFUSED' });
  expect(connectFailure(Object.assign(new Error('odd'), { reason: 'toString' })).code).toBe('peer_unavailable');
  expect(connectFailure(null)).toEqual({ code: 'peer_unavailable', message: 'unable to connect to remote peer: null' });
});
