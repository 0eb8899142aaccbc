import { EventEmitter, once } from 'node:events';
import { ActorSystem } from '../../src/actor-system';
import { ActorRef } from '../../src/actor-ref';
import type { DownMessage } from '../../src/system-message';
import { connectTcp, listenTcp, TcpNetwork } from '../../src/net/tcp-network';
import { decodeEnvelopes } from '../../src/envelope-codec';
import { Kind } from '../../src/net/protocol';
import { LogCollector, RawPeer, spawnWatcher } from './net-test-kit';

/*
 * Two actor systems in this process connected over real TCP sockets: the runtime's
 * semantics (refs in messages, requests, lookup, monitors, links) across the transport.
 * Cross-process behaviour is tested with child processes in cross-process.test.ts.
 */

const systems: ActorSystem[] = [];
const logs = new Map<ActorSystem, LogCollector>();
function system(name: string): ActorSystem {
  const log = new LogCollector();
  const s = new ActorSystem({ name, nodeId: name, logger: log.logger });
  systems.push(s);
  logs.set(s, log);
  return s;
}
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

/** Connects b to a and returns a's port. */
async function pair(a: ActorSystem, b: ActorSystem): Promise<number> {
  // These tests exercise the runtime's full semantics between nodes we own.
  const port = await listenTcp(a, {}, { trusted: true });
  await expect(connectTcp(b, '127.0.0.1', port, { trusted: true })).resolves.toBe(a.nodeId);
  return port;
}


describe('actor systems over TCP', () => {
  test('listenTcp binds a port and connectTcp returns the remote node id', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    await pair(a, b);
    // The acceptor counts the connection once the dialler's READY arrives.
    await logs.get(a)!.waitFor({ event: 'node-up', node: 'tcp-b' });
    expect(a.router.hasLink('tcp-b')).toBe(true);
    expect(b.router.hasLink('tcp-a')).toBe(true);
    expect(TcpNetwork.of(b).nodes).toEqual(['tcp-a']);
  });

  test('a remote actor found by name answers requests', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    a.spawn(() => ({ add: (m) => m.x + m.y }), { name: 'adder' });
    await pair(a, b);
    const adder = await b.lookup(a.nodeId, 'adder');
    expect(adder).toBeInstanceOf(ActorRef);
    expect(adder!.node).toBe('tcp-a');
    await expect(b.request(adder!, { type: 'add', x: 2, y: 40 }, { timeout: 10000 })).resolves.toBe(42);
    await expect(b.lookup(a.nodeId, 'nobody')).resolves.toBeUndefined();
  });

  test('refs travel inside messages and replies go straight back to them', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    // On a: forwards `greet` to the ref it carries.
    a.spawn((ctx) => ({ relay: (m) => ctx.send(m.to, { type: 'greet', text: `${m.text} via ${ctx.self.node}` }) }), { name: 'relay' });
    await pair(a, b);
    const got = new EventEmitter();
    const inbox = b.spawn(() => ({ greet: (m) => void got.emit('greet', m.text) }));
    const relay = await b.lookup(a.nodeId, 'relay');
    const arrived = once(got, 'greet');
    relay!.tell({ type: 'relay', to: inbox, text: 'hello' });
    expect(await arrived).toEqual(['hello via tcp-a']);
  });

  test('many messages arrive in order', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    const done = new EventEmitter();
    const got: number[] = [];
    a.spawn(() => ({ n: (m) => void (got.push(m.i), got.length === 50000 && done.emit('done')) }), { name: 'sink' });
    await pair(a, b);
    const sink = await b.lookup(a.nodeId, 'sink');
    const finished = once(done, 'done');
    for (let i = 0; i < 50000; i++) sink!.tell({ type: 'n', i });
    await finished;
    expect(got).toEqual(Array.from({ length: 50000 }, (_, i) => i));
  });

  test.each([
    ['dials', 'old', 'new'],
    ['accepts', 'new', 'old'],
  ])('a node of protocol version 1 that %s talks with a version-2 node in the array layout', async (_role, listener, dialler) => {
    const made = { old: system('tcp-old'), new: system('tcp-new') };
    const old = made.old;
    const current = made.new;
    TcpNetwork.of(old, { trusted: true, versions: { min: 1, max: 1 } });
    TcpNetwork.of(current, { trusted: true });
    const port = await listenTcp(made[listener as 'old' | 'new']);
    await connectTcp(made[dialler as 'old' | 'new'], '127.0.0.1', port);
    for (const s of [old, current]) await logs.get(s)!.waitFor({ event: 'connection-established', version: 1 });
    // Both ways: requests carrying objects of two shapes and a ref, their replies, and a
    // run of messages in order.
    for (const [from, to] of [[old, current], [current, old]]) {
      const got: number[] = [];
      const done = new EventEmitter();
      to.spawn((ctx) => ({
        echo: (m) => ({ pair: m.pair, who: ctx.self.node, back: m.back }),
        n: (m) => void (got.push(m.i), got.length === 3000 && done.emit('done')),
      }), { name: 'peer' });
      const peer = (await from.lookup(to.nodeId, 'peer'))!;
      const back = from.spawn(() => ({}));
      const reply = (await from.request(peer, { type: 'echo', pair: [{ a: 1, b: 'x' }, { c: 2n }], back }, { timeout: 10000 })) as { pair: unknown; who: string; back: ActorRef };
      expect(reply.pair).toEqual([{ a: 1, b: 'x' }, { c: 2n }]);
      expect(reply.who).toBe(to.nodeId);
      expect(reply.back.equals(back)).toBe(true);
      const finished = once(done, 'done');
      for (let i = 0; i < 3000; i++) peer.tell({ type: 'n', i });
      await finished;
      expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    }
  });

  test.each([
    [1, 4],
    [2, 3],
  ])('a raw peer offering only version %i gets DELIVER bodies whose first byte has major type %i', async (version, majorType) => {
    const a = system('tcp-a');
    const port = await listenTcp(a, {}, { trusted: true });
    const peer = await RawPeer.connect(port);
    try {
      await peer.handshake('raw-peer', { min: version, max: version });
      await logs.get(a)!.waitFor({ event: 'node-up', node: 'raw-peer' });
      const welcomeEnd = 12 + peer.data.readUInt32BE(8);
      new ActorRef('raw-peer', 1, a).tell({ type: 'hello', n: 1 });
      await peer.received(welcomeEnd + 4);
      const length = peer.data.readUInt32BE(welcomeEnd);
      await peer.received(welcomeEnd + 4 + length);
      expect(peer.data[welcomeEnd + 4]).toBe(Kind.Deliver);
      const body = peer.data.subarray(welcomeEnd + 5, welcomeEnd + 4 + length);
      expect(body[0] >> 5).toBe(majorType);
      const [env] = decodeEnvelopes(body, { tellFrom: () => undefined });
      expect(env.msg).toEqual({ type: 'hello', n: 1 });
      expect(env.to.key).toBe('raw-peer#1');
    } finally {
      peer.destroy();
    }
  });

  test('two version-2 nodes agree on version 2', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    await pair(a, b);
    for (const s of [a, b]) await logs.get(s)!.waitFor({ event: 'connection-established', version: 2 });
  });

  test('a remote actor that stops is reported DOWN to its monitor with its reason', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    const target = a.spawn(() => ({ die: () => { throw new Error('boom'); } }), { name: 'target' });
    await pair(a, b);
    const w = spawnWatcher(b);
    const remote = (await b.lookup(a.nodeId, 'target'))!;
    w.ref.tell({ type: 'watch', ref: remote });
    // A round trip after the monitor request guarantees it reached a first.
    await b.lookup(a.nodeId, 'target');
    target.tell({ type: 'die' });
    const [down] = await w.next(1);
    expect(down.type).toBe('down');
    expect((down as DownMessage).ref.equals(remote)).toBe(true);
    expect(down.reason.kind).toBe('error');
  });

  test('a lost connection turns into DOWN and EXIT unreachable for monitors and links of that node', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    a.spawn(() => ({}), { name: 'target' });
    await pair(a, b);
    const w = spawnWatcher(b);
    const remote = (await b.lookup(a.nodeId, 'target'))!;
    w.ref.tell({ type: 'watch', ref: remote });
    w.ref.tell({ type: 'bind', ref: remote });
    await b.lookup(a.nodeId, 'target');
    TcpNetwork.of(b).disconnect(a.nodeId);
    const seen = await w.next(2);
    expect(seen.map((m) => m.type).sort()).toEqual(['down', 'exit']);
    for (const m of seen) expect(m.reason).toEqual({ kind: 'unreachable', node: 'tcp-a' });
  });

  test('a pending request to a node that goes away rejects with unreachable', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    a.spawn((ctx) => ({ never: () => ctx.promise() }), { name: 'sloth' });
    await pair(a, b);
    const sloth = (await b.lookup(a.nodeId, 'sloth'))!;
    const pending = b.request(sloth, { type: 'never' }, { timeout: 30000 });
    await b.lookup(a.nodeId, 'sloth');
    TcpNetwork.of(b).disconnect(a.nodeId);
    await expect(pending).rejects.toMatchObject({ code: 'unreachable' });
  });

  test('a shut-down node is reported to the other side, and its shutdown closes every socket', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    a.spawn(() => ({}), { name: 'target' });
    const port = await pair(a, b);
    const w = spawnWatcher(b);
    const remote = (await b.lookup(a.nodeId, 'target'))!;
    w.ref.tell({ type: 'watch', ref: remote });
    await b.lookup(a.nodeId, 'target');
    await a.shutdown();
    const [down] = await w.next(1);
    // The actor stopped with the shutdown before the connection closed: its real reason arrives.
    expect(down.reason.kind).toBe('shutdown');
    await logs.get(b)!.waitFor({ event: 'node-down', node: 'tcp-a' });
    expect(b.router.hasLink('tcp-a')).toBe(false);
    await expect(connectTcp(b, '127.0.0.1', port)).rejects.toMatchObject({ reason: 'socket_error' });
  });

  test('listenTcp and connectTcp during or after shutdown reject with shutdown and leave no socket open', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    const port = await listenTcp(a);
    // Started, then the system shuts down while the socket is bound.
    const listening = listenTcp(b);
    const stopping = b.shutdown();
    await expect(listening).rejects.toMatchObject({ name: 'NetError', reason: 'shutdown' });
    await stopping;
    await expect(listenTcp(b)).rejects.toMatchObject({ name: 'NetError', reason: 'shutdown' });
    await expect(connectTcp(b, '127.0.0.1', port)).rejects.toMatchObject({ name: 'NetError', reason: 'shutdown' });
    // Nothing of b's is left listening or connected.
    expect(a.router.hasLink('tcp-b')).toBe(false);
    expect(TcpNetwork.of(b).nodes).toEqual([]);
  });

  test('listenTcp refuses a port or host that is no such thing before Node sees it', async () => {
    const a = system('tcp-a');
    for (const port of ['abc', -1, 65536, 1.5]) {
      await expect(listenTcp(a, { port: port as never })).rejects.toMatchObject({ name: 'NetError', reason: 'socket_error', message: expect.stringMatching(/port/) });
    }
    await expect(listenTcp(a, { host: 9 as never })).rejects.toMatchObject({ name: 'NetError', reason: 'socket_error', message: expect.stringMatching(/host/) });
  });

  test('messages to a node that is not connected are answered as unreachable', async () => {
    const b = system('tcp-b');
    const ghost = b.refFor('nowhere', 5);
    await expect(b.request(ghost, { type: 'x' }, { timeout: 5000 })).rejects.toMatchObject({ code: 'unreachable' });
  });
  test('a message that cannot be encoded fails alone: the request rejects and the connection goes on', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    a.spawn(() => ({ echo: (m) => m.value }), { name: 'echo' });
    await pair(a, b);
    const echo = (await b.lookup(a.nodeId, 'echo'))!;
    const bad = b.request(echo, { type: 'echo', value: () => 1 }, { timeout: 10000 });
    const good = b.request(echo, { type: 'echo', value: 'fine' }, { timeout: 10000 });
    await expect(bad).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(good).resolves.toBe('fine');
    await logs.get(b)!.waitFor({ event: 'message-dropped' });
    expect(b.router.hasLink('tcp-a')).toBe(true);
  });

  test('a message larger than the frame limit is dropped alone and the connection goes on', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    TcpNetwork.of(b, { maxFrameSize: 64 * 1024, trusted: true });
    a.spawn(() => ({ echo: (m) => m.value.length }), { name: 'echo' });
    await pair(a, b);
    const echo = (await b.lookup(a.nodeId, 'echo'))!;
    const big = b.request(echo, { type: 'echo', value: 'x'.repeat(100 * 1024) }, { timeout: 10000 });
    const small = b.request(echo, { type: 'echo', value: 'x'.repeat(1000) }, { timeout: 10000 });
    await expect(big).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(small).resolves.toBe(1000);
  });

  test('frame limits are exchanged: a node never sends a peer frames above the peer’s limit', async () => {
    const a = system('tcp-a');
    const b = system('tcp-b');
    TcpNetwork.of(b, { maxFrameSize: 64 * 1024, trusted: true });
    a.spawn(() => ({ make: (m) => 'y'.repeat(m.size) }), { name: 'maker' });
    await pair(a, b);
    const maker = (await b.lookup(a.nodeId, 'maker'))!;
    // a's own limit is 16 MiB, but b accepts 64 KiB: a answers with an error instead of a
    // frame b would refuse, and the connection survives.
    await expect(b.request(maker, { type: 'make', size: 100 * 1024 }, { timeout: 10000 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(b.request(maker, { type: 'make', size: 10 }, { timeout: 10000 })).resolves.toBe('y'.repeat(10));
    expect(b.router.hasLink('tcp-a')).toBe(true);
    // Many small messages still share frames up to the limit.
    const many = await Promise.all(Array.from({ length: 200 }, () => b.request(maker, { type: 'make', size: 1000 }, { timeout: 10000 })));
    expect(many.every((v) => v === 'y'.repeat(1000))).toBe(true);
  });
});
