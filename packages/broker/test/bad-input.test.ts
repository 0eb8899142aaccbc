import { createConnection, createServer, type Server } from 'node:net';
import { ActorSystem, type ActorRef, TcpNetwork } from '@broker-ts/actor';
import { type BrokerError, type Endpoint, type StatusSubscriber } from '@broker-ts/broker';
import pino from 'pino';
import { NativeConnection } from '../src/native/native-connection';
import { nativeTransport } from '../src/native/tls-options';
import { awaitPeerSubscriptions, codeOf, connect, endpoints, nextError, shutdownAll } from './helpers';

/*
 * Every bad input is reported with its Broker error code on the status subscriber of the
 * endpoint that has something to report, and the existing peering a - b keeps working.
 * The endpoints peer over plain TCP, so that raw bytes reach the listener's Broker
 * handshake (under TLS they fail the TLS handshake first, see test/native/endpoint-native.test.ts).
 */

let a: Endpoint;
let b: Endpoint;
let bPort: number;
let bErrors: StatusSubscriber;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  [a, b] = endpoints(['a', 'b'], { disableSsl: true });
  bErrors = b.makeStatusSubscriber();
  bPort = await connect(a, b);
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await shutdownAll([a, b]);
});

/** The peering a - b still carries messages both ways, and nobody lost a peer. */
async function peeringUnharmed(): Promise<void> {
  const atA = a.makeSubscriber('/alive');
  const atB = b.makeSubscriber('/alive');
  await awaitPeerSubscriptions(a, '/alive');
  await awaitPeerSubscriptions(b, '/alive');
  a.publish('/alive', 'a');
  b.publish('/alive', 'b');
  expect(await atB.get()).toEqual(['/alive', 'a']);
  expect(await atA.get()).toEqual(['/alive', 'b']);
  expect((await a.peers()).map((p) => p.peer.id)).toEqual([b.id]);
  expect((await b.peers()).map((p) => p.peer.id)).toEqual([a.id]);
  atA.close();
  atB.close();
}

/** Sends raw bytes to b's listening port; resolves once b closed the socket. */
function rawBytes(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: bPort }, () => socket.write(bytes));
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

/** A bare actor system (not an endpoint), for peers that speak the wrong protocol. */
function bareSystem(name: string): ActorSystem {
  const system = new ActorSystem({ name, logger: pino({ level: 'silent' }) });
  cleanups.push(() => system.shutdown());
  return system;
}

test.each([
  ['garbage bytes', Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])],
  ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
])('%s on the listening port: invalid_message on the listener (its first 4 bytes are no frame length)', async (_what, bytes) => {
  await rawBytes(bytes);
  const err = await nextError(bErrors, 'invalid_message');
  expect(err.ec).toBe(20);
  expect(err.message).toMatch(/exceeds the limit/);
  await peeringUnharmed();
});

/**
 * Completes Broker's handshake with b offering broker-ts's extensions, and hands the
 * socket to `system`'s TCP transport, as a broker-ts endpoint does.
 * @returns b's node id, once the runtime's handshake completed
 */
async function adoptedConnection(system: ActorSystem, network: TcpNetwork): Promise<string> {
  const conn = NativeConnection.connect('127.0.0.1', bPort, { localId: system.nodeId, filter: () => [], transport: nativeTransport({ disableSsl: true }), extensions: true });
  const info = await new Promise<{ extensions: boolean }>((resolve, reject) => {
    conn.once('established', resolve);
    conn.once('close', (e) => reject(e ?? new Error('closed')));
  });
  expect(info.extensions).toBe(true);
  return network.adopt(conn.takeSocket(), 'initiator');
}

test('a peer speaking another transport protocol version after the handshake: peer_incompatible on the listener', async () => {
  const old = bareSystem('old');
  await expect(adoptedConnection(old, TcpNetwork.of(old, { versions: { min: 90, max: 91 } }))).rejects.toThrow(/unsupported_version|connection_closed/);
  const err = await nextError(bErrors, 'peer_incompatible');
  expect(err.ec).toBe(2);
  await peeringUnharmed();
});

/**
 * Connects a bare actor system to b and returns a function that sends a message to b's
 * core from an actor of that system (so that the core sees a sender), and the messages
 * that actor received.
 */
async function rogueNode(): Promise<{ id: string; send(msg: object): void; received: Array<{ type: string; code?: string }>; next(): Promise<{ type: string; code?: string }> }> {
  const rogue = bareSystem('rogue');
  const node = await adoptedConnection(rogue, TcpNetwork.of(rogue));
  const core = await rogue.lookup(node, 'broker.core');
  if (core === undefined) throw new Error('no broker core at b');
  const received: Array<{ type: string; code?: string }> = [];
  const waiting: Array<(m: { type: string; code?: string }) => void> = [];
  const record = (m: { type: string; code?: string }) => {
    received.push(m);
    waiting.shift()?.(m);
  };
  const actor = rogue.spawn((ctx) => ({
    send: (m: { type: 'send'; msg: object }) => ctx.send(core as ActorRef, m.msg as never),
    'broker.reject': record,
    'broker.welcome': record,
  }), { remote: true });
  return {
    id: rogue.nodeId,
    send: (msg) => actor.tell({ type: 'send', msg }),
    received,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

test('a peer speaking another peering protocol version is refused with peer_incompatible on both sides', async () => {
  const rogue = await rogueNode();
  const answer = rogue.next();
  rogue.send({ type: 'broker.hello', endpoint: rogue.id, filter: [], protocol: 99 });
  expect(await answer).toMatchObject({ type: 'broker.reject', code: 'peer_incompatible' });
  const err = await nextError(bErrors, 'peer_incompatible');
  expect(err.message).toMatch(/protocol 99/);
  await peeringUnharmed();
});

test('malformed peering messages from a connected node are refused without harm', async () => {
  const rogue = await rogueNode();
  for (const msg of [
    { type: 'broker.hello', endpoint: 42, filter: 'x', protocol: 1 },
    { type: 'broker.hello', endpoint: 'someone else', filter: [], protocol: 1 },
    { type: 'broker.hello', endpoint: rogue.id, filter: 'not a list', protocol: 1 },
    { type: 'broker.hello', endpoint: rogue.id, filter: [1, 2], protocol: 1 },
    { type: 'broker.hello', endpoint: rogue.id, filter: [], protocol: '1' },
    { type: 'broker.filter', filter: 7 },
    { type: 'broker.bye' },
    { type: 'broker.welcome', endpoint: 'x', filter: null },
    { type: 'no-such-message' },
  ]) {
    rogue.send(msg);
  }
  await peeringUnharmed();
  expect(rogue.received.filter((m) => m.type === 'broker.welcome')).toEqual([]);
});

test('peering to a closed port: peer() resolves false and peer_unavailable is reported', async () => {
  const [gone] = endpoints(['gone']);
  const port = await gone.listen();
  await gone.shutdown();
  const aErrors = a.makeStatusSubscriber();
  expect(await a.peer('127.0.0.1', port)).toBe(false);
  expect((await nextError(aErrors, 'peer_unavailable')).ec).toBe(4);
  await peeringUnharmed();
});

test('peering to a server that speaks HTTP fails with peer_unavailable (as Broker reports any failed peering), not a crash', async () => {
  const http: Server = createServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
  const port = (http.address() as { port: number }).port;
  const aErrors = a.makeStatusSubscriber();
  expect(await a.peer('127.0.0.1', port)).toBe(false);
  const err = (await aErrors.get()) as BrokerError;
  expect(codeOf(err)).toBe('peer_unavailable');
  expect(err.message).toMatch(/exceeds the limit/);
  await peeringUnharmed();
});

test('peering with itself fails with peer_unavailable and breaks nothing', async () => {
  const bStatus = b.makeStatusSubscriber();
  expect(await b.peer('127.0.0.1', bPort)).toBe(false);
  const err = await nextError(bStatus, 'peer_unavailable');
  expect(err.message).toMatch(/own id/);
  await peeringUnharmed();
});

test('a subscriber closed in the middle of a get fails that get with end_of_file only', async () => {
  const sub = b.makeSubscriber('/x');
  const pending = sub.get();
  sub.close();
  await expect(pending).rejects.toMatchObject({ code: 'end_of_file', ec: 18 });
  await peeringUnharmed();
});

test('bad options are refused with invalid_data', () => {
  expect(() => endpoints(['x'], { peerBufferSize: 0 })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  expect(() => endpoints(['x'], { ttl: -1 })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  expect(() => endpoints(['x'], { peerOverflowPolicy: 'explode' as never })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  expect(() => a.peerNoWait('127.0.0.1', 1, { retry: -5 })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
});

test('listening on an address in use fails with cannot_open_resource', async () => {
  await expect(a.listen('127.0.0.1', bPort)).rejects.toMatchObject({ code: 'cannot_open_resource' });
  await peeringUnharmed();
});
