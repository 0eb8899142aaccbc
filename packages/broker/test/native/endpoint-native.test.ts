/**
 * An endpoint's `listen()` and `peer()` speak Broker's native protocol: checked here
 * without a Broker, against a native peer written with our own `NativeConnection` (no
 * broker-ts extensions, so the endpoint treats it as it treats a real Broker), against
 * hostile bytes on the listener, and between two endpoints over plain TCP and TLS.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { BrokerError, decodeBinary, encodeBinary, Endpoint, type EndpointOptions, type Status } from '@broker-ts/broker';
import { encodeHandshakeFrame } from '../../src/native/native-codec';
import { NIL_ENDPOINT_ID } from '../../src/native/endpoint-id';
import type { NativeConnection } from '../../src/native/native-connection';
import { BROKER_TS_EXTENSIONS_TOPIC, NATIVE_MAGIC, type OperationMessage } from '../../src/native/native-message';
import { decodeRoutingUpdate, encodeRoutingUpdate } from '../../src/native/routing-update';
import { awaitPeerSubscriptions, codeOf, nextError, nextEvent, until } from '../helpers';
import { closeNative, connectNative, listenNative, outcome, RawReader } from './native-helpers';

const RAW_ID = '00000000-0000-4000-8000-0000000000d1';
const plain = { disableSsl: true } satisfies EndpointOptions;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function endpoint(options: EndpointOptions = plain): Endpoint {
  const ep = new Endpoint(options);
  cleanups.push(() => ep.shutdown());
  return ep;
}

/** Collects a native connection's messages; `next` waits for one that `pred` accepts. */
function inbox(conn: NativeConnection): { all: OperationMessage[]; next(pred: (m: OperationMessage) => boolean): Promise<OperationMessage> } {
  const all: OperationMessage[] = [];
  conn.on('message', (m) => all.push(m));
  return {
    all,
    async next(pred) {
      for (;;) {
        const hit = all.find(pred);
        if (hit !== undefined) return hit;
        await once(conn, 'message');
      }
    },
  };
}

async function rawPeer(port: number, filter: string[] = [], localId = RAW_ID): Promise<NativeConnection> {
  const conn = connectNative(port, { localId, filter });
  cleanups.push(() => closeNative(conn));
  const result = await outcome(conn);
  if (!result.ok) throw result.error ?? new Error('closed');
  return conn;
}

describe('an endpoint and a native peer without broker-ts extensions', () => {
  it('accepts it on listen(): statuses, data both ways, ROUTING_UPDATE both ways, PING', async () => {
    const ep = endpoint();
    const statuses = ep.makeStatusSubscriber(true);
    const sub = ep.makeSubscriber('/to-ts');
    const port = await ep.listen();
    const conn = await rawPeer(port, ['/to-raw']);
    const box = inbox(conn);
    expect(conn.peer?.remoteId).toBe(ep.id);
    // A peer without the extensions sees them offered as one filter entry under <$>.
    expect(conn.peer?.remoteFilter).toEqual(['/to-ts', BROKER_TS_EXTENSIONS_TOPIC]);
    expect(conn.peer?.extensions).toBe(false);
    expect(codeOf(await statuses.get())).toBe('endpoint_discovered');
    const added = (await statuses.get()) as Status;
    expect(added.code).toBe('peer_added');
    expect(added.context.id).toBe(RAW_ID);
    // Data from the native peer reaches local subscribers.
    conn.send({ type: 'data', sender: RAW_ID, receiver: NIL_ENDPOINT_ID, ttl: 16, topic: '/to-ts/a', payload: encodeBinary('from raw') });
    expect(await sub.get()).toEqual(['/to-ts/a', 'from raw']);
    // Data to the native peer: sender is the endpoint, receiver all zeros, TTL the endpoint's.
    await awaitPeerSubscriptions(ep, '/to-raw');
    ep.publish('/to-raw/b', 'from ts');
    const data = await box.next((m) => m.type === 'data');
    expect(data).toMatchObject({ sender: ep.id, receiver: NIL_ENDPOINT_ID, ttl: 20, topic: '/to-raw/b' });
    expect(decodeBinary(data.payload)).toBe('from ts');
    // A subscription made after the handshake reaches the peer as a ROUTING_UPDATE.
    ep.makeSubscriber('/later');
    const update = await box.next((m) => m.type === 'routing_update');
    expect(update.topic).toBe('<$>');
    expect(decodeRoutingUpdate(update.payload)).toEqual(['/later', '/to-ts']);
    // The peer's ROUTING_UPDATE replaces its filter.
    conn.send({ type: 'routing_update', sender: RAW_ID, receiver: NIL_ENDPOINT_ID, ttl: 16, topic: '<$>', payload: encodeRoutingUpdate(['/raw-new']) });
    await until(async () => (await ep.peerSubscriptions()).join() === '/raw-new', 'the new filter');
    // PING is answered.
    conn.send({ type: 'ping', sender: RAW_ID, receiver: ep.id, ttl: 1, topic: '<$>', payload: Buffer.from('hi') });
    const pong = await box.next((m) => m.type === 'pong');
    expect(Buffer.from(pong.payload).toString()).toBe('hi');
    expect((await ep.stats()).processed.routingUpdate).toBe(1);
  });

  it('peers with it on peer(), and the peer closing is peer_lost then endpoint_unreachable', async () => {
    const server = await listenNative({ localId: RAW_ID, filter: ['/x'] });
    cleanups.push(() => server.close());
    const ep = endpoint();
    const statuses = ep.makeStatusSubscriber(true);
    expect(await ep.peer('127.0.0.1', server.port)).toBe(true);
    const conn = await server.next();
    await outcome(conn);
    expect(await ep.peerSubscriptions()).toEqual(['/x']);
    expect((await ep.peers()).map((p) => [p.peer.id, p.peer.network?.port, p.outbound])).toEqual([[RAW_ID, server.port, true]]);
    await nextEvent(statuses, 'peer_added');
    await closeNative(conn);
    expect(codeOf(await statuses.get())).toBe('peer_lost');
    expect(codeOf(await statuses.get())).toBe('endpoint_unreachable');
    expect(await ep.peers()).toEqual([]);
  });

  it('relays between two native peers, decrementing the TTL, without duplicate suppression', async () => {
    const ep = endpoint();
    ep.forward(['/r']);
    const port = await ep.listen();
    const left = await rawPeer(port, []);
    const right = await rawPeer(port, ['/r'], '00000000-0000-4000-8000-0000000000d2');
    const box = inbox(right);
    await awaitPeerSubscriptions(ep, '/r');
    const payload = encodeBinary('relayed');
    for (let i = 0; i < 2; i++) left.send({ type: 'data', sender: RAW_ID, receiver: NIL_ENDPOINT_ID, ttl: 5, topic: '/r/x', payload });
    await until(() => box.all.filter((m) => m.type === 'data').length === 2, 'both copies');
    expect(box.all.filter((m) => m.type === 'data').map((m) => [m.sender, m.ttl, Buffer.from(m.payload).equals(payload)])).toEqual([
      [ep.id, 4, true],
      [ep.id, 4, true],
    ]);
  });

  it('refuses a second connection from a peer it has with DROP_CONN redundant_connection', async () => {
    const ep = endpoint();
    const port = await ep.listen();
    await rawPeer(port);
    const second = connectNative(port, { localId: RAW_ID });
    cleanups.push(() => closeNative(second));
    const result = await outcome(second);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error?.code).toBe('redundant_connection');
    expect((await ep.peers()).map((p) => p.peer.id)).toEqual([RAW_ID]);
  });
});

/**
 * A plain socket connected to `port` that reads (and drops) what the endpoint sends, so
 * that the endpoint's end of it is seen; destroyed after the test.
 * @param onClose - called when the socket closes
 */
async function openSocket(port: number, onClose: () => void): Promise<net.Socket> {
  const s = net.createConnection({ host: '127.0.0.1', port });
  cleanups.push(() => void s.destroy());
  s.on('error', () => {});
  s.resume();
  s.on('close', onClose);
  await once(s, 'connect');
  return s;
}

describe('hostile bytes on the listener', () => {
  /** Sends raw bytes to `port` and resolves once the endpoint closed the socket. */
  function rawBytes(port: number, bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.createConnection({ host: '127.0.0.1', port }, () => socket.end(bytes));
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
  }

  it.each([
    ['garbage', Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), 'invalid_message'],
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), 'invalid_message'],
    ['a truncated HELLO', encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: RAW_ID, minVersion: 1, maxVersion: 1 }).subarray(0, 9), 'peer_disconnect_during_handshake'],
    ['a HELLO with a wrong magic', encodeHandshakeFrame({ type: 'hello', magic: 0x12345678, senderId: RAW_ID, minVersion: 1, maxVersion: 1 }), 'wrong_magic_number'],
    ['a HELLO without a common version', encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: RAW_ID, minVersion: 200, maxVersion: 201 }), 'peer_incompatible'],
    ['an unknown message tag', Buffer.from('0000000163', 'hex'), 'invalid_message'],
  ])('%s: an error event on the listener, and the endpoint keeps serving', async (_, bytes, code) => {
    const ep = endpoint();
    const errors = ep.makeStatusSubscriber();
    const port = await ep.listen();
    await rawBytes(port, bytes);
    const err = await nextError(errors, code);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).toMatch(/^refused an incoming connection/);
    const conn = await rawPeer(port);
    expect(conn.peer?.remoteId).toBe(ep.id);
  });

  it('connections that never finish their handshake (a slowloris flood) keep no peer out: beyond 64 the oldest is closed', async () => {
    const ep = endpoint();
    const errors = ep.makeStatusSubscriber();
    const port = await ep.listen();
    const closedByServer: number[] = [];
    for (let i = 0; i < 100; i++) await openSocket(port, () => closedByServer.push(i));
    // Each one accepted beyond 64 closes the oldest; the 64 newest wait for their deadline.
    await until(() => closedByServer.length >= 36, 'the 36 oldest closed');
    expect([...closedByServer].sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect((await nextError(errors, 'peer_timeout')).message).toMatch(/64 incoming connections were in theirs/);
    const conn = await rawPeer(port);
    expect(conn.peer?.remoteId).toBe(ep.id);
  });

  it('slow giant handshake frames are held within one budget: beyond 64 MiB the connection holding the most is closed', async () => {
    const ep = endpoint();
    const errors = ep.makeStatusSubscriber();
    const port = await ep.listen();
    const closedByServer: number[] = [];
    // Each announces a handshake frame just under the 16 MiB limit and sends 15 MiB of it.
    const header = Buffer.alloc(4);
    header.writeUInt32BE((16 << 20) - 1);
    const body = Buffer.alloc(15 << 20);
    for (let i = 0; i < 5; i++) {
      const s = await openSocket(port, () => closedByServer.push(i));
      await new Promise<void>((resolve) => s.write(Buffer.concat([header, body]), () => resolve()));
    }
    // 75 MiB announced and sent: one connection goes, the four others fit in 64 MiB.
    const err = await nextError(errors, 'invalid_message');
    expect(err.message).toMatch(/held more than 64 MiB of partial handshake frames, this one the most/);
    await until(() => closedByServer.length === 1, 'one sender closed');
    const conn = await rawPeer(port);
    expect(conn.peer?.remoteId).toBe(ep.id);
    expect(closedByServer).toHaveLength(1);
  });

  it('TLS garbage on a TLS listener: peer_unavailable, and a TLS peer still peers', async () => {
    const ep = endpoint({});
    const errors = ep.makeStatusSubscriber();
    const port = await ep.listen();
    await rawBytes(port, Buffer.from('not a TLS client hello at all'));
    expect((await nextError(errors, 'peer_unavailable')).message).toMatch(/TLS/);
    const other = endpoint({});
    expect(await other.peer('127.0.0.1', port)).toBe(true);
  });
});

describe('two broker-ts endpoints', () => {
  it.each([
    ['plain TCP (disableSsl)', plain],
    ['the default anonymous TLS', {}],
  ])('peer and exchange messages over %s', async (_, options) => {
    const a = endpoint(options);
    const b = endpoint(options);
    const atB = b.makeSubscriber('/t');
    const port = await b.listen();
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    await awaitPeerSubscriptions(a, '/t');
    a.publish('/t', 'over the wire');
    expect(await atB.get()).toEqual(['/t', 'over the wire']);
  });

  it('a TLS endpoint and a plain one do not peer: peer_unavailable', async () => {
    const a = endpoint({});
    const b = endpoint(plain);
    const errors = a.makeStatusSubscriber();
    const refusals = b.makeStatusSubscriber();
    const port = await b.listen();
    expect(await a.peer('127.0.0.1', port)).toBe(false);
    expect(codeOf(await errors.get())).toBe('peer_unavailable');
    // The plain listener recognises the TLS client rather than reading a garbled frame.
    const refused = await refusals.get();
    expect(codeOf(refused)).toBe('peer_unavailable');
    expect((refused as BrokerError).message).toMatch(/TLS handshake.*plain TCP/);
  });

  it('endpointId fixes the id peers see; an endpoint presenting the same id is refused', async () => {
    const id = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
    const a = endpoint({ ...plain, endpointId: id });
    expect(a.id).toBe(id.toLowerCase());
    const refusals = a.makeStatusSubscriber();
    const b = endpoint(plain);
    const statuses = b.makeStatusSubscriber(true);
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    expect(((await nextEvent(statuses, 'peer_added')) as Status).context.id).toBe(id.toLowerCase());
    const twin = endpoint({ ...plain, endpointId: id });
    const errors = twin.makeStatusSubscriber();
    expect(await twin.peer('127.0.0.1', port)).toBe(false);
    // The listener refuses the HELLO carrying its own id; the dialer's failed peering is
    // peer_unavailable, as Broker's connector reports every refused dial.
    expect(codeOf(await refusals.get())).toBe('peer_invalid');
    const failed = await errors.get();
    expect(codeOf(failed)).toBe('peer_unavailable');
    expect((failed as { message: string }).message).toMatch(/own id/);
  });
});
