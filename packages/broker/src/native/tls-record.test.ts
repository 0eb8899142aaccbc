import * as tls from 'node:tls';
import * as net from 'node:net';
import { once } from 'node:events';
import { encodeHandshakeFrame } from './native-codec';
import { NATIVE_MAGIC } from './native-message';
import { startsLikeTls } from './tls-record';

describe('startsLikeTls', () => {
  it('recognises the first bytes a Node TLS client sends', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const client = tls.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
    client.on('error', () => {});
    const [socket] = (await accepted) as [net.Socket];
    const [first] = (await once(socket, 'data')) as [Buffer];
    expect(startsLikeTls(first)).toBe(true);
    socket.destroy();
    client.destroy();
    server.close();
  });

  it('does not take Broker handshake frames or short input for TLS', () => {
    expect(startsLikeTls(encodeHandshakeFrame({ type: 'probe', magic: NATIVE_MAGIC }))).toBe(false);
    expect(startsLikeTls(Uint8Array.of(0x16))).toBe(false);
    expect(startsLikeTls(Uint8Array.of())).toBe(false);
    expect(startsLikeTls(Uint8Array.of(0x16, 0x02, 0x01))).toBe(false);
  });
});
