/**
 * The Broker error code of an inbound connection that the transport refused before its
 * handshake completed (reported on the listening endpoint's status subscribers).
 */
import type { NetErrorReason } from '@broker-ts/actor';
import type { ErrorCodeName } from '@broker-ts/data';

/**
 * Maps the transport's reason for refusing an inbound connection to Broker's error code.
 * @param reason - the `NetError` reason
 * @returns `wrong_magic_number` for another protocol (garbage, HTTP), `peer_incompatible`
 *   for another protocol version, `peer_timeout` for a silent peer,
 *   `peer_disconnect_during_handshake` for one that hung up, `unexpected_handshake_message`
 *   for malformed or oversized frames, `invalid_peering_request` for a peer claiming our
 *   own id, else `peer_unavailable`
 */
export function refusalCode(reason: NetErrorReason): ErrorCodeName {
  switch (reason) {
    case 'bad_magic':
      return 'wrong_magic_number';
    case 'unsupported_version':
      return 'peer_incompatible';
    case 'handshake_timeout':
      return 'peer_timeout';
    case 'truncated_frame':
    case 'connection_closed':
    case 'socket_error':
      return 'peer_disconnect_during_handshake';
    case 'malformed_message':
    case 'oversized_frame':
      return 'unexpected_handshake_message';
    case 'self_connection':
    case 'unexpected_node':
      return 'invalid_peering_request';
    default:
      return 'peer_unavailable';
  }
}
