/**
 * End to end against the newest Broker built from source (its broker-node, broker-pipe
 * and, where built, its Python bindings), found through BROKER_NEWEST_BUILD or
 * /work/ref/BROKER_NEWEST.env. Where it is absent these tests are skipped and the
 * reason is printed.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  count, decodeBinary, encodeBinary, toString,
} from '@broker-ts/broker';
import { decodeHandshakeBody, encodeHandshakeFrame } from '../../src/native/native-codec';
import { NATIVE_MAGIC, type OperationMessage } from '../../src/native/native-message';
import type { NativeConnection } from '../../src/native/native-connection';
import { decodeInternalCommand, encodeInternalCommand, type InternalCommand } from '../../src/native/internal-command';
import { encodeRoutingUpdate } from '../../src/native/routing-update';
import type { NativeTransportSettings } from '../../src/native/tls-options';
import { ALL_TYPES } from './all-types';
import { makeTestCertificates, type TestCertificates } from '../../../../tools/test-certificates';
import { closeNative, connectNative, listenNative, outcome, RawReader, type TestConnectionOptions } from './native-helpers';
import { newestBroker, newestBrokerPython } from '../../../../tools/requirements';
import { type BrokerProcess, connectWhenListening, freePort, type ReferenceBroker, startBroker } from '../../../../tools/reference-broker';

const live = newestBroker();
const broker = live.broker as ReferenceBroker;
const withPython = newestBrokerPython(live.broker);

const LOW = '00000000-0000-4000-8000-0000000000c1';
const HIGH = 'ffffffff-ffff-4fff-bfff-ffffffffffc1';
const BROKER_LOW = '00000000-0000-4000-8000-0000000000b0';
const BROKER_HIGH = 'ffffffff-ffff-4fff-bfff-ffffffffffb0';


const procs: BrokerProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill()));
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Listens like listenNative and closes the listener after the test, even a failed one. */
async function listen(options: TestConnectionOptions): Promise<Awaited<ReturnType<typeof listenNative>>> {
  const server = await listenNative(options);
  cleanups.push(() => server.close());
  return server;
}

/** Closes `conn` after the test, even a failed one. */
function later<T extends NativeConnection>(conn: T): T {
  cleanups.push(() => closeNative(conn));
  return conn;
}

function node(id: string, args: string[], env: Record<string, string> = {}): BrokerProcess {
  const p = startBroker(broker.node, [`--endpoint-id=${id}`, '-v', ...args], env);
  procs.push(p);
  return p;
}

/** Connects once broker-node listens (a refused connection is retried when refused). */
async function peerWithBroker(port: number, options: TestConnectionOptions): Promise<NativeConnection> {
  (await connectWhenListening(port)).destroy();
  const conn = later(connectNative(port, options));
  const result = await outcome(conn);
  if (!result.ok) throw result.error ?? new Error('closed');
  return conn;
}

const plain: NativeTransportSettings = { disableSsl: true };

/** A plain-TCP broker-node (id BROKER_LOW) and a raw socket connected to it, for hostile-peer tests. */
async function rawPeerOfBroker(): Promise<{ p: number; raw: net.Socket; reader: RawReader }> {
  const p = await freePort();
  node(BROKER_LOW, ['--topics=["/test"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
  const raw = await connectWhenListening(p);
  cleanups.push(async () => void raw.destroy());
  raw.on('error', () => {});
  return { p, raw, reader: new RawReader(raw) };
}

/**
 * Sends PING on `conn` and waits for the PONG. Broker handles each peer's messages in
 * order and answers PING from its core, so the PONG says that the peering is installed
 * in Broker's core and that everything sent before it on `conn` has been routed.
 */
async function sync(conn: NativeConnection, ourId: string, brokerId: string): Promise<void> {
  const pong = new Promise<void>((resolve) => {
    const on = (m: OperationMessage): void => {
      if (m.type === 'pong' && Buffer.from(m.payload).toString() === 'sync') {
        conn.off('message', on);
        resolve();
      }
    };
    conn.on('message', on);
  });
  conn.send({ type: 'ping', sender: ourId, receiver: brokerId, ttl: 1, topic: '<$>', payload: Buffer.from('sync') });
  await pong;
}

live.req.describe('native peering with the newest Broker', () => {
  jest.setTimeout(60_000);

  it.each([
    ['broker-ts originates (smaller id), plain TCP', LOW, BROKER_HIGH, plain],
    ['Broker originates (smaller id), plain TCP', HIGH, BROKER_LOW, plain],
    ['broker-ts originates, default anonymous TLS', LOW, BROKER_HIGH, {}],
    ['Broker originates, default anonymous TLS', HIGH, BROKER_LOW, {}],
  ])('connects to broker-node: %s', async (_, ourId, brokerId, settings) => {
    const p = await freePort();
    node(brokerId, ['--topics=["/test"]', ...(settings.disableSsl ? ['--disable-ssl'] : [])], { BROKER_PORT: `${p}/tcp` });
    // Offering broker-ts's extensions changes nothing for a real Broker.
    const conn = await peerWithBroker(p, { localId: ourId, filter: ['/mine'], settings, extensions: true });
    expect(conn.peer).toEqual({ remoteId: brokerId, remoteFilter: ['/test'], originator: ourId < brokerId, extensions: false });
    if (!settings.disableSsl) expect(conn.cipher).toBe('TLS_ECDH_anon_WITH_AES_256_CBC_SHA');
    const pong = once(conn, 'message');
    conn.send({ type: 'ping', sender: ourId, receiver: brokerId, ttl: 1, topic: '<$>', payload: Buffer.from('foo') });
    const [msg] = (await pong) as [OperationMessage];
    expect(msg).toMatchObject({ type: 'pong', sender: brokerId, receiver: ourId, topic: '<$>' });
    expect(Buffer.from(msg.payload).toString()).toBe('foo');
    await closeNative(conn);
  });

  it.each([
    ['broker-ts originates (smaller id), plain TCP', LOW, BROKER_HIGH, plain],
    ['Broker originates (smaller id), plain TCP', HIGH, BROKER_LOW, plain],
    ['broker-ts originates, default anonymous TLS', LOW, BROKER_HIGH, {}],
    ['Broker originates, default anonymous TLS', HIGH, BROKER_LOW, {}],
  ])('accepts a peering from broker-node: %s', async (_, ourId, brokerId, settings) => {
    const server = await listen({ localId: ourId, filter: ['/mine'], settings, extensions: true });
    node(brokerId, ['--topics=["/test"]', `--peers=[<tcp://127.0.0.1:${server.port}>]`, ...(settings.disableSsl ? ['--disable-ssl'] : [])]);
    const conn = await server.next();
    const result = await outcome(conn);
    expect(result).toEqual({ ok: true, peer: { remoteId: brokerId, remoteFilter: ['/test'], originator: ourId < brokerId, extensions: false } });
    await server.close();
  });

  describe('verified TLS', () => {
    let certs: TestCertificates;
    beforeAll(() => {
      certs = makeTestCertificates();
    });
    afterAll(() => certs.remove());

    const brokerSsl = (c: TestCertificates, key = c.key, passphrase?: string): string[] => [
      `--broker.ssl.certificate=${c.cert}`,
      `--broker.ssl.key=${key}`,
      `--broker.ssl.cafile=${c.ca}`,
      ...(passphrase ? [`--broker.ssl.passphrase=${passphrase}`] : []),
    ];

    it('peers when both sides hold certificates of the same CA', async () => {
      const p = await freePort();
      node(BROKER_HIGH, ['--topics=["/test"]', ...brokerSsl(certs, certs.encryptedKey, certs.passphrase)], { BROKER_PORT: `${p}/tcp` });
      const conn = await peerWithBroker(p, { localId: LOW, settings: { ssl: { certificate: certs.cert, key: certs.key, cafile: certs.ca } } });
      expect(conn.peer?.remoteId).toBe(BROKER_HIGH);
      await closeNative(conn);
    });

    it.each([
      ['a self-signed certificate', (c: TestCertificates): NativeTransportSettings => ({ ssl: { certificate: c.selfSignedCert, key: c.selfSignedKey, cafile: c.selfSignedCert } })],
      ['anonymous TLS', (): NativeTransportSettings => ({})],
      ['plain TCP', (): NativeTransportSettings => plain],
    ])('is refused by an authenticating Broker when offering %s', async (_, settings) => {
      const p = await freePort();
      node(BROKER_HIGH, ['--topics=["/test"]', ...brokerSsl(certs)], { BROKER_PORT: `${p}/tcp` });
      (await connectWhenListening(p)).destroy();
      const result = await outcome(later(connectNative(p, { localId: LOW, settings: settings(certs), handshakeTimeoutMs: 10_000 })));
      expect(result.ok).toBe(false);
    });
  });

  it('delivers a Zeek event with all 15 data types to Broker intact (broker-pipe prints it)', async () => {
    const p = await freePort();
    const pipe = startBroker(broker.pipe, ['--mode=subscribe', '--topic=/test', `--local-port=${p}`, '--disable-ssl']);
    procs.push(pipe);
    const conn = await peerWithBroker(p, { localId: LOW, settings: plain });
    // broker-pipe creates its subscriber after it starts listening: send until one
    // copy is printed (each attempt paced by a PING/PONG round trip through Broker).
    const printed = pipe.waitForOutput(/^.*all_types.*$/m);
    let seen = false;
    void printed.then(() => (seen = true), () => (seen = true));
    while (!seen) {
      conn.send({ type: 'data', sender: LOW, receiver: conn.peer!.remoteId, ttl: 16, topic: '/test', payload: encodeBinary(ALL_TYPES) });
      await sync(conn, LOW, conn.peer!.remoteId);
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    const line = await printed;
    expect(line).toBe(`data(/test, ${toString(ALL_TYPES)})`);
    await closeNative(conn);
  });

  it('relays the all-types event through broker-node from one broker-ts peer to another, byte for byte', async () => {
    const p = await freePort();
    node(BROKER_HIGH, ['--topics=["/test"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    const sender = await peerWithBroker(p, { localId: LOW, filter: [], settings: plain });
    const receiverId = '00000000-0000-4000-8000-0000000000c2';
    const receiver = await peerWithBroker(p, { localId: receiverId, filter: ['/test'], settings: plain });
    // The handshake can complete before Broker's core has installed the peering.
    await sync(receiver, receiverId, BROKER_HIGH);
    const got = once(receiver, 'message');
    const payload = encodeBinary(ALL_TYPES);
    sender.send({ type: 'data', sender: LOW, receiver: '00000000-0000-0000-0000-000000000000', ttl: 5, topic: '/test/all', payload });
    const [msg] = (await got) as [OperationMessage];
    expect(msg).toMatchObject({ type: 'data', sender: BROKER_HIGH, topic: '/test/all' });
    // Newest Broker forwards with its default TTL, not the received one minus one: the
    // envelope decorator that rewrites the sender does not carry the TTL
    // (libbroker/broker/envelope.hh, envelope::ttl() returns defaults::ttl).
    expect(msg.ttl).toBe(16);
    expect(Buffer.from(msg.payload)).toEqual(Buffer.from(payload));
    expect(decodeBinary(msg.payload)).toEqual(ALL_TYPES);
    await closeNative(sender);
    await closeNative(receiver);
  });

  it('follows our ROUTING_UPDATE: Broker forwards a topic to us only after we subscribe to it', async () => {
    const p = await freePort();
    node(BROKER_HIGH, ['--topics=["/other"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    const ZERO = '00000000-0000-0000-0000-000000000000';
    const RECEIVER = '00000000-0000-4000-8000-0000000000c3';
    const sender = await peerWithBroker(p, { localId: LOW, filter: [], settings: plain });
    const receiver = await peerWithBroker(p, { localId: RECEIVER, filter: [], settings: plain });
    const received: OperationMessage[] = [];
    receiver.on('message', (m) => received.push(m));
    sender.send({ type: 'data', sender: LOW, receiver: ZERO, ttl: 16, topic: '/late/x', payload: encodeBinary('before the update') });
    await sync(sender, LOW, BROKER_HIGH);
    receiver.send({ type: 'routing_update', sender: RECEIVER, receiver: ZERO, ttl: 16, topic: '<$>', payload: encodeRoutingUpdate(['/late']) });
    await sync(receiver, RECEIVER, BROKER_HIGH);
    sender.send({ type: 'data', sender: LOW, receiver: ZERO, ttl: 16, topic: '/late/x', payload: encodeBinary('after the update') });
    while (!received.some((m) => m.type === 'data')) await once(receiver, 'message');
    await sync(sender, LOW, BROKER_HIGH);
    await sync(receiver, RECEIVER, BROKER_HIGH);
    const data = received.filter((m) => m.type === 'data');
    expect(data.map((m) => [m.topic, decodeBinary(m.payload)])).toEqual([['/late/x', 'after the update']]);
  });

  it('speaks the store channel with a Broker master: attaches as a clone and has a put applied and broadcast', async () => {
    const p = await freePort();
    node(BROKER_HIGH, ['--topics=["/test"]', '--master-stores=["s"]', '--disable-ssl'], { BROKER_PORT: `${p}/tcp` });
    const ZERO = '00000000-0000-0000-0000-000000000000';
    const me = { endpoint: LOW, object: 7n };
    const conn = await peerWithBroker(p, { localId: LOW, filter: ['s/<$>/data/clone'], settings: plain });
    const commands: InternalCommand[] = [];
    conn.on('message', (m) => {
      if (m.type === 'command') commands.push(decodeInternalCommand(m.payload));
    });
    const next = async (pred: (c: InternalCommand) => boolean): Promise<InternalCommand> => {
      for (;;) {
        const hit = commands.find(pred);
        if (hit) return hit;
        await once(conn, 'message');
      }
    };
    const toMaster = (cmd: InternalCommand): void => {
      conn.send({ type: 'command', sender: LOW, receiver: ZERO, ttl: 16, topic: 's/<$>/data/master', payload: encodeInternalCommand(cmd) });
    };
    // A clone's handshake: a NACK for sequence 0, answered by ACK_CLONE with the state.
    toMaster({ seq: 0n, sender: me, receiver: { endpoint: ZERO, object: 0n }, content: { type: 'nack', seqs: [0n] } });
    const ack = await next((c) => c.content.type === 'ack_clone');
    expect(ack.receiver).toEqual(me);
    expect(ack.sender.endpoint).toBe(BROKER_HIGH);
    if (ack.content.type !== 'ack_clone') throw new Error('unreachable');
    const master = ack.sender;
    toMaster({ seq: 0n, sender: me, receiver: master, content: { type: 'cumulative_ack', seq: ack.content.offset } });
    // Then as a writer: attach, and send a put with the next sequence number.
    toMaster({ seq: 0n, sender: me, receiver: master, content: { type: 'attach_writer', offset: 1n, heartbeatInterval: 5 } });
    toMaster({ seq: 2n, sender: me, receiver: master, content: { type: 'put', key: 'from-ts', value: count(42n), expiry: null, publisher: me } });
    const put = await next((c) => c.content.type === 'put' && c.content.key === 'from-ts');
    expect(put.content).toEqual({ type: 'put', key: 'from-ts', value: count(42n), expiry: null, publisher: me });
    expect(put.sender).toEqual(master);
  });

  withPython.test('receives a Zeek event with all 15 data types published by Broker (Python bindings)', async () => {
    const server = await listen({ localId: HIGH, filter: ['/test'], settings: plain });
    const py = startBroker('python3', [path.join(__dirname, 'capture', 'python-peers.py'), 'publisher', String(server.port)], { PYTHONPATH: broker.python ?? '' });
    procs.push(py);
    const conn = await server.next();
    await outcome(conn);
    await py.waitForOutput(/ready/);
    const got = once(conn, 'message');
    py.child.stdin!.write('go\n');
    const [msg] = (await got) as [OperationMessage];
    expect(msg.type).toBe('data');
    expect(decodeBinary(msg.payload)).toEqual(ALL_TYPES);
    await server.close();
  });

  it('drops a peer that sends a valid HELLO and then garbage, and keeps serving others', async () => {
    const { p, raw, reader } = await rawPeerOfBroker();
    expect(decodeHandshakeBody(await reader.frame())).toEqual({ type: 'probe', magic: NATIVE_MAGIC });
    raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: HIGH, minVersion: 1, maxVersion: 1 }));
    expect((await reader.frame())[0]).toBe(8); // VERSION_SELECT: Broker has the smaller id
    expect((await reader.frame())[0]).toBe(10); // ORIGINATOR_SYN
    raw.write(Buffer.from('00000006deadbeefcafe', 'hex'));
    // Broker closes (after a DROP_CONN if it sends one).
    const frames: Buffer[] = [];
    try {
      for (;;) frames.push(await reader.frame());
    } catch {
      // closed
    }
    for (const f of frames) expect(decodeHandshakeBody(f).type).toBe('drop_conn');
    raw.destroy();
    const conn = await peerWithBroker(p, { localId: LOW, settings: plain });
    expect(conn.peer?.remoteId).toBe(BROKER_LOW);
    await closeNative(conn);
  });

  it('answers a HELLO without a common version with DROP_CONN peer_incompatible', async () => {
    const { raw, reader } = await rawPeerOfBroker();
    await reader.frame();
    raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: HIGH, minVersion: 200, maxVersion: 201 }));
    expect(decodeHandshakeBody(await reader.frame())).toEqual({
      type: 'drop_conn',
      magic: NATIVE_MAGIC,
      senderId: BROKER_LOW,
      code: 2,
      description: 'unsupported versions offered',
    });
    raw.destroy();
  });

  it('refuses a raw peer with a wrong magic (DROP_CONN wrong_magic_number) and still accepts a real Broker on the same listener', async () => {
    const server = await listen({ localId: HIGH, filter: ['/test'], settings: plain });
    const raw = net.connect(server.port, '127.0.0.1');
    cleanups.push(async () => void raw.destroy());
    const reader = new RawReader(raw);
    await reader.frame();
    const bad = encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC + 1, senderId: LOW, minVersion: 1, maxVersion: 1 });
    raw.write(bad);
    expect(decodeHandshakeBody(await reader.frame())).toMatchObject({ type: 'drop_conn', code: 38 });
    raw.destroy();
    node(BROKER_LOW, ['--topics=["/test"]', '--disable-ssl', `--peers=[<tcp://127.0.0.1:${server.port}>]`]);
    await server.next();
    const conn = await server.next();
    expect((await outcome(conn)).ok).toBe(true);
    await server.close();
  });
});
