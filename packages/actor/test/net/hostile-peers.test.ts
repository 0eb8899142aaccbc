import { setImmediate as nextTurn } from 'node:timers/promises';
import { encode } from 'cbor-x';
import { DEFAULT_MAX_FRAME_SIZE, encodePreamble, Kind, MAGIC, PROTOCOL_VERSION } from '../../src/net/protocol';
import { frameOf, RawPeer, TestNode } from './net-test-kit';

/*
 * Each misbehaving peer is a raw socket writing bad bytes to node b, while a good node a
 * stays connected to b. The bad connection must be closed with the logged reason, and
 * a <-> b must keep working with no node reported down.
 */

let a: TestNode;
let b: TestNode;
let port: number;
const raws: RawPeer[] = [];

beforeEach(async () => {
  a = new TestNode('good-a');
  b = new TestNode('good-b', { liveness: { handshakeTimeout: 300 } });
  port = (await b.transport.listen()).port;
  await a.transport.connect('127.0.0.1', port);
});

afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all([a.transport.close(), b.transport.close()]);
});

async function raw(): Promise<RawPeer> {
  const r = await RawPeer.connect(port);
  raws.push(r);
  return r;
}

/** The good connection still carries messages both ways, and nobody went down. */
async function goodConnectionUnharmed(): Promise<void> {
  const before = { a: a.received.length, b: b.received.length };
  a.transport.send('good-b', Buffer.from('still here?'));
  b.transport.send('good-a', Buffer.from('yes'));
  await b.receivedCount(before.b + 1);
  await a.receivedCount(before.a + 1);
  expect(a.downs).toEqual([]);
  expect(b.downs).toEqual([]);
  expect(b.transport.nodes()).toEqual(['good-a']);
}

const preamble = encodePreamble(PROTOCOL_VERSION);
const oversizedHeader = Buffer.from([0x00, 0x10, 0x00, 0x00]); // 1 MiB, above the handshake limit

const cases: Array<[string, Buffer, string, boolean]> = [
  ['a wrong magic number', Buffer.from([0xb7, 0x41, 0x43, 0x55, 0, 1, 0, 1]), 'bad_magic', false],
  ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), 'bad_magic', false],
  ['garbage bytes', Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x42]), 'bad_magic', false],
  ['an unsupported version', Buffer.concat([Buffer.from(MAGIC), Buffer.from([0, 7, 0, 9]), frameOf({ kind: 'hello', node: 'x', maxFrameSize: DEFAULT_MAX_FRAME_SIZE })]), 'unsupported_version', false],
  ['an oversized frame', Buffer.concat([preamble, oversizedHeader]), 'oversized_frame', false],
  ['a truncated frame, then the end of the stream', Buffer.concat([preamble, frameOf({ kind: 'hello', node: 'truncated-node', maxFrameSize: DEFAULT_MAX_FRAME_SIZE }).subarray(0, 9)]), 'truncated_frame', true],
  ['a frame of an unknown kind', Buffer.concat([preamble, Buffer.from([0, 0, 0, 2, 0x7f, 0x00])]), 'malformed_message', false],
  ['a HELLO whose body is not CBOR', Buffer.concat([preamble, Buffer.from([0, 0, 0, 3, Kind.Hello, 0xff, 0xff])]), 'malformed_message', false],
  ['a HELLO without a node id', Buffer.concat([preamble, Buffer.from([0, 0, 0, 2, Kind.Hello, 0x80])]), 'malformed_message', false],
  ['a message out of order (READY before HELLO)', Buffer.concat([preamble, frameOf({ kind: 'ready' })]), 'malformed_message', false],
];

describe('a hostile peer is disconnected with a logged reason and harms no other connection', () => {
  test.each(cases)('%s', async (_name, bytes, reason, endAfter) => {
    const peer = await raw();
    if (endAfter) peer.socket.end(bytes);
    else peer.socket.write(bytes);
    const line = await b.log.waitFor({ event: 'connection-closed', reason });
    expect(line.component).toBe('network');
    await peer.closed;
    await goodConnectionUnharmed();
  });

  test('bad bytes sent one at a time are refused the same way', async () => {
    const peer = await raw();
    for (const byte of Buffer.from('GET /')) {
      if (peer.socket.destroyed) break;
      peer.socket.write(Buffer.from([byte]));
      await nextTurn();
    }
    await b.log.waitFor({ event: 'connection-closed', reason: 'bad_magic' });
    await peer.closed;
    await goodConnectionUnharmed();
  });

  test('a peer that connects and says nothing is closed with handshake_timeout', async () => {
    const peer = await raw();
    await b.log.waitFor({ event: 'connection-closed', reason: 'handshake_timeout' });
    await peer.closed;
    // It was told why: our preamble, then a REJECT naming the reason.
    expect(peer.data.subarray(0, 4)).toEqual(Buffer.from(MAGIC));
    expect(peer.data.includes(Buffer.from('handshake_timeout'))).toBe(true);
    await goodConnectionUnharmed();
  });

  test('a peer that claims the id of a connected node is refused as duplicate_connection', async () => {
    const peer = await raw();
    peer.socket.write(Buffer.concat([preamble, frameOf({ kind: 'hello', node: 'good-a', maxFrameSize: DEFAULT_MAX_FRAME_SIZE })]));
    await b.log.waitFor({ event: 'connection-closed', reason: 'duplicate_connection' });
    await peer.closed;
    await goodConnectionUnharmed();
  });

  test('a connected peer that sends garbage after the handshake is disconnected with malformed_message', async () => {
    const peer = await raw();
    await peer.handshake('rogue');
    peer.socket.write(Buffer.from([0, 0, 0, 3, Kind.Goodbye, 0xff, 0xff]));
    await b.log.waitFor({ event: 'connection-closed', peer: 'rogue', reason: 'malformed_message' });
    expect((await b.down('rogue')).reason).toBe('malformed_message');
    await peer.closed;
    b.downs.splice(0);
    await goodConnectionUnharmed();
  });

  test('a connected peer that sends an oversized frame is disconnected before anything is allocated', async () => {
    const peer = await raw();
    await peer.handshake('rogue');
    peer.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await b.log.waitFor({ event: 'connection-closed', peer: 'rogue', reason: 'oversized_frame' });
    await peer.closed;
    b.downs.splice(0);
    await goodConnectionUnharmed();
  });

  test('a connected peer that goes silent is declared dead after the heartbeat limit', async () => {
    const c = new TestNode('node-c', { liveness: { heartbeatInterval: 50, missedHeartbeats: 4 } });
    try {
      const cPort = (await c.transport.listen()).port;
      const peer = await RawPeer.connect(cPort);
      raws.push(peer);
      await peer.handshake('silent');
      const error = await c.down('silent');
      expect(error.reason).toBe('heartbeat_timeout');
      await peer.closed;
      // Before it died, c sent it heartbeats (kind 0x10 frames).
      expect(c.log.events('heartbeat-sent').length).toBeGreaterThan(0);
    } finally {
      await c.transport.close();
    }
  });

  test('a connected peer that stops reading overflows the bounded outbound queue and is disconnected', async () => {
    const c = new TestNode('node-c', { maxOutboundBytes: 256 * 1024 });
    try {
      const cPort = (await c.transport.listen()).port;
      const peer = await RawPeer.connect(cPort);
      raws.push(peer);
      await peer.handshake('slow');
      peer.socket.pause();
      const body = encode({ type: 'blob', data: Buffer.alloc(16 * 1024) });
      while (c.downs.length === 0) {
        for (let i = 0; i < 8; i++) c.transport.send('slow', body);
        await nextTurn();
      }
      expect((await c.down('slow')).reason).toBe('outbound_overflow');
      await c.log.waitFor({ event: 'connection-closed', reason: 'outbound_overflow' });
    } finally {
      await c.transport.close();
    }
  });
});

describe('a flood of connections that never finish their handshake', () => {
  test('hundreds of them (slowloris) evict each other, never a legitimate peer: its handshake completes and it talks', async () => {
    const c = new TestNode('node-c', { liveness: { handshakeTimeout: 30000 } });
    const d = new TestNode('node-d');
    const peers: RawPeer[] = [];
    try {
      const cPort = (await c.transport.listen()).port;
      // 300 connections that say half a preamble, then nothing.
      for (let i = 0; i < 300; i++) {
        const p = await RawPeer.connect(cPort);
        p.socket.write(MAGIC);
        peers.push(p);
      }
      await c.log.waitFor({ event: 'connection-accepted' }, 300);
      // Before eviction, the 65th connection and every later one was refused: so was d.
      await expect(d.transport.connect('127.0.0.1', cPort)).resolves.toBe('node-c');
      expect(c.transport.pendingHandshakes).toBeLessThanOrEqual(64);
      d.transport.send('node-c', Buffer.from('hi'));
      await c.receivedCount(1);
      // Every connection beyond the newest 64 pending ones was evicted.
      let evicted = 0;
      for (const p of peers) void p.closed.then(() => evicted++);
      while (evicted < 300 - 64) await nextTurn();
      expect(c.transport.pendingHandshakes).toBeLessThanOrEqual(64);
    } finally {
      for (const p of peers) p.destroy();
      await Promise.all([c.transport.close(), d.transport.close()]);
    }
  });
});

describe('peers that complete the handshake, then trickle huge frames', () => {
  test('cannot pin more memory in partial frames than maxPartialFrameBytes; a legitimate peer keeps talking', async () => {
    const budget = 32 * 1024 * 1024;
    const c = new TestNode('node-c', { maxPartialFrameBytes: budget });
    const d = new TestNode('node-d');
    const peers: RawPeer[] = [];
    const rssBefore = process.memoryUsage().rss;
    let peakPartial = 0;
    try {
      const cPort = (await c.transport.listen()).port;
      await d.transport.connect('127.0.0.1', cPort);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      // 20 peers, each announcing a 16 MiB frame and sending 15 MiB of it: 300 MiB.
      for (let i = 0; i < 20; i++) {
        const p = await RawPeer.connect(cPort);
        peers.push(p);
        await p.handshake(`trickler-${i}`);
        const header = Buffer.alloc(5);
        header.writeUInt32BE(DEFAULT_MAX_FRAME_SIZE);
        header[4] = Kind.Deliver;
        p.socket.write(header);
        for (let k = 0; k < 15 && !p.socket.destroyed; k++) {
          if (!p.socket.write(chunk)) await Promise.race([new Promise((r) => p.socket.once('drain', r)), p.closed]);
          peakPartial = Math.max(peakPartial, c.transport.partialFrameBytes);
        }
      }
      peakPartial = Math.max(peakPartial, c.transport.partialFrameBytes);
      expect(peakPartial).toBeLessThanOrEqual(budget);
      await c.log.waitFor({ event: 'connection-evicted', reason: 'partial_frames' });
      d.transport.send('node-c', Buffer.from('still here'));
      await c.receivedCount(1);
      // Before the budget the listener held all 300 MiB.
      const growth = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      expect(growth).toBeLessThan(200);
    } finally {
      for (const p of peers) p.destroy();
      await Promise.all([c.transport.close(), d.transport.close()]);
    }
  });
});
