/**
 * broker-ts's own peering negotiated inside Broker's native handshake: when both ends
 * offer it (a filter entry under `<$>`), the native protocol ends with the handshake and
 * the same socket (plain or TLS) is handed to the actor runtime's TCP transport. When
 * only one end offers it, the connection stays a native one.
 */
import { once } from 'node:events';
import { ActorSystem, TcpNetwork } from '@broker-ts/actor';
import pino from 'pino';
import { BROKER_TS_EXTENSIONS_TOPIC } from '../../src/native/native-message';
import type { NativeConnection } from '../../src/native/native-connection';
import type { NativeTransportSettings } from '../../src/native/tls-options';
import { closeNative, connectNative, listenNative, outcome } from './native-helpers';

const SMALL = '00000000-0000-4000-8000-0000000000e1';
const LARGE = 'ffffffff-ffff-4fff-bfff-ffffffffffe1';

const systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

function system(nodeId: string): ActorSystem {
  const s = new ActorSystem({ name: nodeId.slice(-2), nodeId, logger: pino({ level: 'silent' }) });
  systems.push(s);
  return s;
}

describe('offering broker-ts extensions in the native handshake', () => {
  it.each<[string, NativeTransportSettings, string, string]>([
    ['plain TCP, connector originates', { disableSsl: true }, SMALL, LARGE],
    ['plain TCP, acceptor originates', { disableSsl: true }, LARGE, SMALL],
    ['anonymous TLS, connector originates', {}, SMALL, LARGE],
    ['anonymous TLS, acceptor originates', {}, LARGE, SMALL],
  ])('both ends: the socket continues with the actor runtime (%s)', async (_, settings, connectorId, acceptorId) => {
    const server = await listenNative({ localId: acceptorId, filter: ['/a'], settings, extensions: true });
    const client = connectNative(server.port, { localId: connectorId, filter: ['/c'], settings, extensions: true });
    const accepted = await server.next();
    const [c, a] = await Promise.all([outcome(client), outcome(accepted)]);
    expect(c).toEqual({ ok: true, peer: { remoteId: acceptorId, remoteFilter: ['/a'], originator: connectorId < acceptorId, extensions: true } });
    expect(a).toEqual({ ok: true, peer: { remoteId: connectorId, remoteFilter: ['/c'], originator: acceptorId < connectorId, extensions: true } });
    expect(() => client.send({ type: 'data', sender: connectorId, receiver: acceptorId, ttl: 1, topic: '/a', payload: new Uint8Array([0]) })).toThrow(/cannot send/);

    const acceptorSystem = system(acceptorId);
    const connectorSystem = system(connectorId);
    acceptorSystem.spawn(() => ({ add: (m) => (m.x as number) + (m.y as number) }), { name: 'adder', remote: ['add'] });
    // The connector's runtime speaks first; the acceptor may hand its socket over later.
    const dialled = TcpNetwork.of(connectorSystem).adopt(client.takeSocket(), 'initiator');
    const adopted = TcpNetwork.of(acceptorSystem).adopt(accepted.takeSocket(), 'acceptor');
    await expect(dialled).resolves.toBe(acceptorId);
    await expect(adopted).resolves.toBe(connectorId);
    expect(client.state).toBe('handed-over');
    const adder = await connectorSystem.lookup(acceptorId, 'adder');
    await expect(connectorSystem.request(adder!, { type: 'add', x: 40, y: 2 }, { timeout: 10_000 })).resolves.toBe(42);
    // The connection object no longer owns the socket: closing it does nothing.
    client.close();
    expect(TcpNetwork.of(connectorSystem).nodes).toEqual([acceptorId]);
    // The listening server closes once the runtimes closed the connection they own.
    await Promise.all(systems.splice(0).map((s) => s.shutdown()));
    await server.close();
  });

  it('one end only: a native connection; the other end sees the offer as a filter entry, as a real Broker does', async () => {
    const server = await listenNative({ localId: SMALL, filter: ['/a'], extensions: true });
    const client = connectNative(server.port, { localId: LARGE, filter: ['/c'] });
    const accepted = await server.next();
    const [c, a] = await Promise.all([outcome(client), outcome(accepted)]);
    expect(a).toEqual({ ok: true, peer: { remoteId: LARGE, remoteFilter: ['/c'], originator: true, extensions: false } });
    expect(c).toEqual({ ok: true, peer: { remoteId: SMALL, remoteFilter: ['/a', BROKER_TS_EXTENSIONS_TOPIC], originator: false, extensions: false } });
    expect(() => accepted.takeSocket()).toThrow(/cannot hand over/);
    const got = once(client, 'message');
    accepted.send({ type: 'data', sender: SMALL, receiver: LARGE, ttl: 16, topic: '/c', payload: new Uint8Array([0]) });
    expect(((await got) as [{ topic: string }])[0].topic).toBe('/c');
    await closeNative(client);
    await server.close();
  });

  it('a connection that never completes its handshake cannot hand its socket over', async () => {
    const server = await listenNative({ localId: SMALL, extensions: true });
    const client: NativeConnection = connectNative(server.port, { localId: LARGE, extensions: true });
    expect(() => client.takeSocket()).toThrow(/cannot hand over/);
    await outcome(client);
    await closeNative(client);
    await server.close();
  });
});
