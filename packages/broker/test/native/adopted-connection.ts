/**
 * Connects a bare actor system to an endpoint's listening port the way a broker-ts
 * endpoint does: Broker's native handshake offering broker-ts's extensions, then the
 * actor runtime's handshake on the same socket (`TcpNetwork.adopt`). Tests use it to
 * reach an endpoint's core actor from a node that is no endpoint.
 */
import type { ActorSystem, TcpNetwork } from '@broker-ts/actor';
import { NativeConnection } from '../../src/native/native-connection';
import { nativeTransport, type NativeTransportSettings } from '../../src/native/tls-options';

/**
 * @param port - the endpoint's listening port on 127.0.0.1
 * @param system - the connecting node
 * @param network - that node's TCP network (with the limits the test wants)
 * @param settings - the endpoint's TLS settings (default: Broker's anonymous TLS)
 * @returns the endpoint's node id, once the runtime's handshake completed
 */
export async function adoptedConnection(port: number, system: ActorSystem, network: TcpNetwork, settings: NativeTransportSettings = {}): Promise<string> {
  const conn = NativeConnection.connect('127.0.0.1', port, { localId: system.nodeId, filter: () => [], transport: nativeTransport(settings), extensions: true });
  const info = await new Promise<{ extensions: boolean }>((resolve, reject) => {
    conn.once('established', resolve);
    conn.once('close', (e) => reject(e ?? new Error('closed before the handshake completed')));
  });
  if (!info.extensions) throw new Error('the endpoint did not offer broker-ts extensions');
  return network.adopt(conn.takeSocket(), 'initiator');
}
