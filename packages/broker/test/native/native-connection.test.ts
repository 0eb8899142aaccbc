/**
 * NativeConnection between two broker-ts ends over real sockets: both originator roles,
 * plain TCP and Broker's default anonymous TLS, PING/PONG, back-pressure, and hostile
 * peers (garbage after HELLO, a version mismatch).
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { count, decodeBinary, encodeBinary } from '@broker-ts/broker';
import { decodeHandshakeBody, encodeHandshakeFrame, encodeOperationFrame } from '../../src/native/native-codec';
import type { NativeConnection } from '../../src/native/native-connection';
import { NATIVE_MAGIC, type OperationMessage } from '../../src/native/native-message';
import type { NativeTransportSettings } from '../../src/native/tls-options';
import { until } from '../helpers';
import { closeNative, connectNative, listenNative, type NativeListener, outcome, RawReader } from './native-helpers';

const SMALL = '00000000-0000-4000-8000-00000000000a';
const LARGE = 'ffffffff-ffff-4fff-bfff-fffffffffffa';

/** A raw socket that completes the handshake by hand as the responder, and the accepted connection. */
async function rawPeer(server: NativeListener): Promise<{ raw: net.Socket; conn: NativeConnection }> {
  const raw = net.connect(server.port, '127.0.0.1');
  const reader = new RawReader(raw);
  await reader.frame(); // PROBE
  raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 1, maxVersion: 1 }));
  await reader.frame(); // VERSION_SELECT
  await reader.frame(); // ORIGINATOR_SYN
  raw.write(encodeHandshakeFrame({ type: 'responder_syn_ack', filter: [] }));
  expect(decodeHandshakeBody(await reader.frame())).toEqual({ type: 'originator_ack' });
  const conn = await server.next();
  expect((await outcome(conn)).ok).toBe(true);
  return { raw, conn };
}

/** DATA frames from LARGE numbered by their TTL (1..n). */
function numberedFrames(n: number, payload: Uint8Array): Buffer[] {
  return Array.from({ length: n }, (_, i) => encodeOperationFrame({ type: 'data', sender: LARGE, receiver: SMALL, ttl: i + 1, topic: '/n', payload }));
}

describe('NativeConnection between two broker-ts ends', () => {
  it.each<[string, NativeTransportSettings, string, string]>([
    ['plain TCP, connector smaller', { disableSsl: true }, SMALL, LARGE],
    ['plain TCP, connector larger', { disableSsl: true }, LARGE, SMALL],
    ['anonymous TLS, connector smaller', {}, SMALL, LARGE],
    ['anonymous TLS, connector larger', {}, LARGE, SMALL],
  ])('peers over %s and exchanges DATA both ways', async (_, settings, connectorId, acceptorId) => {
    const server = await listenNative({ localId: acceptorId, filter: ['/a'], settings });
    const client = connectNative(server.port, { localId: connectorId, filter: ['/c'], settings });
    const accepted = await server.next();
    const [c, a] = await Promise.all([outcome(client), outcome(accepted)]);
    expect(c).toEqual({ ok: true, peer: { remoteId: acceptorId, remoteFilter: ['/a'], originator: connectorId < acceptorId, extensions: false } });
    expect(a).toEqual({ ok: true, peer: { remoteId: connectorId, remoteFilter: ['/c'], originator: acceptorId < connectorId, extensions: false } });
    if (!settings.disableSsl) {
      expect(client.cipher).toBe('TLS_ECDH_anon_WITH_AES_256_CBC_SHA');
      expect(accepted.cipher).toBe('TLS_ECDH_anon_WITH_AES_256_CBC_SHA');
    }
    const got = once(accepted, 'message');
    client.send({ type: 'data', sender: connectorId, receiver: acceptorId, ttl: 16, topic: '/a/x', payload: encodeBinary(['hi', count(1n)]) });
    const [msg] = (await got) as [OperationMessage];
    expect(msg.topic).toBe('/a/x');
    expect(decodeBinary(msg.payload)).toEqual(['hi', count(1n)]);
    const back = once(client, 'message');
    accepted.send({ type: 'data', sender: acceptorId, receiver: connectorId, ttl: 16, topic: '/c', payload: encodeBinary(42n) });
    expect(decodeBinary(((await back) as [OperationMessage])[0].payload)).toBe(42n);
    await closeNative(client);
    await server.close();
  });

  it('answers a PING with a PONG that echoes the payload', async () => {
    const server = await listenNative({ localId: SMALL });
    const client = connectNative(server.port, { localId: LARGE });
    const accepted = await server.next();
    await Promise.all([outcome(client), outcome(accepted)]);
    const pong = once(client, 'message');
    client.send({ type: 'ping', sender: LARGE, receiver: SMALL, ttl: 1, topic: '<$>', payload: Buffer.from('foo') });
    const [msg] = (await pong) as [OperationMessage];
    expect(msg).toMatchObject({ type: 'pong', sender: SMALL, receiver: LARGE, ttl: 16, topic: '<$>' });
    expect(Buffer.from(msg.payload).toString()).toBe('foo');
    await closeNative(client);
    await server.close();
  });

  it('signals back-pressure and delivers everything in order after drain', async () => {
    const server = await listenNative({ localId: SMALL });
    const client = connectNative(server.port, { localId: LARGE });
    const accepted = await server.next();
    await Promise.all([outcome(client), outcome(accepted)]);
    const payload = encodeBinary('x'.repeat(60_000));
    const received: number[] = [];
    accepted.on('message', (m) => received.push(m.ttl));
    let sent = 0;
    while (client.send({ type: 'data', sender: LARGE, receiver: SMALL, ttl: sent + 1, topic: '/t', payload })) sent++;
    sent++;
    expect(client.writableLength).toBeGreaterThan(0);
    await once(client, 'drain');
    for (let i = 0; i < 5; i++) client.send({ type: 'data', sender: LARGE, receiver: SMALL, ttl: ++sent, topic: '/t', payload });
    while (received.length < sent) await once(accepted, 'message');
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    await closeNative(client);
    await server.close();
  });

  it('refuses to send before the handshake completed', async () => {
    const server = await listenNative({ localId: SMALL });
    const client = connectNative(server.port, { localId: LARGE });
    expect(() => client.send({ type: 'ping', sender: LARGE, receiver: SMALL, ttl: 1, topic: '<$>', payload: Buffer.alloc(0) })).toThrow(/cannot send/);
    await outcome(client);
    await closeNative(client);
    await server.close();
  });

  it('drops a peer that sends a valid HELLO and then garbage, and keeps serving others', async () => {
    const server = await listenNative({ localId: SMALL });
    const raw = net.connect(server.port, '127.0.0.1');
    const reader = new RawReader(raw);
    expect(decodeHandshakeBody(await reader.frame())).toEqual({ type: 'probe', magic: NATIVE_MAGIC });
    raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 1, maxVersion: 1 }));
    expect((await reader.frame())[0]).toBe(8); // VERSION_SELECT
    expect((await reader.frame())[0]).toBe(10); // ORIGINATOR_SYN
    const hostile = await server.next();
    const closed = once(hostile, 'close');
    raw.write(Buffer.from('00000006deadbeefcafe', 'hex'));
    const drop = decodeHandshakeBody(await reader.frame());
    expect(drop).toMatchObject({ type: 'drop_conn', code: 20, description: 'invalid message type tag' });
    const [error] = await closed;
    expect(error).toMatchObject({ code: 'invalid_message' });
    await reader.closed();
    // Another peer is served normally.
    const client = connectNative(server.port, { localId: '11111111-1111-4111-8111-111111111111' });
    expect((await outcome(client)).ok).toBe(true);
    await closeNative(client);
    raw.destroy();
    await server.close();
  });

  it('drops a malformed operation message, reports it, and keeps the peering', async () => {
    const server = await listenNative({ localId: SMALL });
    const { raw, conn } = await rawPeer(server);
    const dropped = once(conn, 'dropped');
    const message = once(conn, 'message');
    raw.write(Buffer.from('00000003010203', 'hex'));
    raw.write(encodeOperationFrame({ type: 'data', sender: LARGE, receiver: SMALL, ttl: 3, topic: '/still/here', payload: encodeBinary(7n) }));
    const [error] = await dropped;
    expect(error).toMatchObject({ code: 'invalid_data', message: 'message too short' });
    const [msg] = (await message) as [OperationMessage];
    expect(msg.topic).toBe('/still/here');
    expect(conn.state).toBe('established');
    raw.destroy();
    await server.close();
  });

  it('handles every frame the peer sent before it closed the stream, then reports the close', async () => {
    const server = await listenNative({ localId: SMALL });
    const { raw, conn } = await rawPeer(server);
    const received: number[] = [];
    conn.on('message', (m) => received.push(m.ttl));
    const closed = once(conn, 'close');
    // More frames than one slice of decoding, in one write, then the end of the stream.
    raw.end(Buffer.concat(numberedFrames(3000, encodeBinary(['x', count(1n)]))));
    const [error, remote] = await closed;
    expect(received).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(error).toBeUndefined();
    expect(remote).toBe(true);
    await server.close();
  });

  it('reports a stream that ends inside a frame after the frames before it', async () => {
    const server = await listenNative({ localId: SMALL });
    const { raw, conn } = await rawPeer(server);
    const received: number[] = [];
    conn.on('message', (m) => received.push(m.ttl));
    const closed = once(conn, 'close');
    const frames = numberedFrames(4, encodeBinary('y'));
    raw.end(Buffer.concat([...frames.slice(0, 3), frames[3].subarray(0, 20)]));
    const [error] = await closed;
    expect(received).toEqual([1, 2, 3]);
    expect(error).toMatchObject({ code: 'end_of_file' });
    await server.close();
  });

  it('while paused reads up to its input limit and stops reading; resumed, it delivers everything in order', async () => {
    const limit = 256 * 1024;
    const server = await listenNative({ localId: SMALL, maxInputBytes: limit });
    const { raw, conn } = await rawPeer(server);
    const received: number[] = [];
    conn.on('message', (m) => received.push(m.ttl));
    conn.pause();
    const frames = numberedFrames(64, encodeBinary('z'.repeat(60_000)));
    for (const f of frames) raw.write(f);
    await until(() => conn.inputFull, 'the input limit');
    expect(conn.bufferedInput).toBeGreaterThanOrEqual(limit);
    expect(received).toEqual([]);
    conn.resume();
    await until(() => received.length === frames.length, 'every frame');
    expect(received).toEqual(Array.from({ length: frames.length }, (_, i) => i + 1));
    expect(conn.inputFull).toBe(false);
    expect(conn.bufferedInput).toBe(0);
    raw.destroy();
    await server.close();
  });

  it('answers a HELLO without a common version with DROP_CONN peer_incompatible', async () => {
    const server = await listenNative({ localId: SMALL });
    const raw = net.connect(server.port, '127.0.0.1');
    const reader = new RawReader(raw);
    await reader.frame();
    raw.write(encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: LARGE, minVersion: 200, maxVersion: 201 }));
    expect(decodeHandshakeBody(await reader.frame())).toEqual({ type: 'drop_conn', magic: NATIVE_MAGIC, senderId: SMALL, code: 2, description: 'unsupported versions offered' });
    await reader.closed();
    raw.destroy();
    await server.close();
  });

  it('reports a peer that closes in the middle of the handshake', async () => {
    const server = await listenNative({ localId: SMALL });
    const raw = net.connect(server.port, '127.0.0.1');
    const reader = new RawReader(raw);
    await reader.frame();
    const accepted = await server.next();
    const closed = once(accepted, 'close');
    raw.end();
    const [error, remote] = await closed;
    expect(error).toMatchObject({ code: 'peer_disconnect_during_handshake' });
    expect(remote).toBe(true);
    await server.close();
  });

  it('times out a silent peer', async () => {
    const server = await listenNative({ localId: SMALL, handshakeTimeoutMs: 200 });
    const raw = net.connect(server.port, '127.0.0.1');
    const accepted = await server.next();
    const [error] = await once(accepted, 'close');
    expect(error).toMatchObject({ code: 'peer_timeout' });
    raw.destroy();
    await server.close();
  });
});
