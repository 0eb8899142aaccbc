import { once } from 'node:events';
import { NetError } from '../../src/net/net-error';
import { TestNode } from './net-test-kit';

const nodes: TestNode[] = [];
function node(id: string, limits?: ConstructorParameters<typeof TestNode>[1]): TestNode {
  const n = new TestNode(id, limits);
  nodes.push(n);
  return n;
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.transport.close()));
});

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof NetError) return e.reason;
    throw e;
  }
  return 'no error';
}

describe('TcpTransport', () => {
  test('two nodes connect and learn each other’s id', async () => {
    const a = node('node-a');
    const b = node('node-b');
    const { port } = await b.transport.listen({ port: 0 });
    expect(port).toBeGreaterThan(0);
    const upAtB = once(b, 'up');
    await expect(a.transport.connect('127.0.0.1', port)).resolves.toBe('node-b');
    expect(await upAtB).toEqual(['node-a']);
    expect(a.transport.nodes()).toEqual(['node-b']);
    expect(b.transport.nodes()).toEqual(['node-a']);
  });

  test('bodies sent both ways arrive complete and in order, batched', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await b.transport.listen();
    await a.transport.connect('127.0.0.1', port);
    await once(b, 'up');
    for (let i = 0; i < 20000; i++) expect(a.transport.send('b', Buffer.from(`m${i}`))).toBe(true);
    for (let i = 0; i < 10; i++) b.transport.send('a', Buffer.from(`r${i}`));
    await b.receivedCount(20000);
    await a.receivedCount(10);
    expect(b.received.map((r) => String(r.body))).toEqual(Array.from({ length: 20000 }, (_, i) => `m${i}`));
    expect(a.received.map((r) => String(r.body))).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
  });

  test('sending to a node that is not connected returns false', () => {
    expect(node('a').transport.send('nobody', Buffer.from('x'))).toBe(false);
  });

  test('connecting twice to the same node returns its id and keeps one connection', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await b.transport.listen();
    const [first, second] = await Promise.all([a.transport.connect('127.0.0.1', port), a.transport.connect('127.0.0.1', port)]);
    expect([first, second]).toEqual(['b', 'b']);
    await expect(a.transport.connect('127.0.0.1', port)).resolves.toBe('b');
    expect(a.transport.nodes()).toEqual(['b']);
    await b.log.waitFor({ event: 'connection-closed', reason: 'duplicate_connection' });
    a.transport.send('b', Buffer.from('still works'));
    await b.receivedCount(1);
    expect(b.transport.nodes()).toEqual(['a']);
  });

  test('two nodes dialling each other at once end with one shared connection', async () => {
    const a = node('a');
    const b = node('b');
    const pa = (await a.transport.listen()).port;
    const pb = (await b.transport.listen()).port;
    const results = await Promise.all([a.transport.connect('127.0.0.1', pb), b.transport.connect('127.0.0.1', pa)]);
    expect(results).toEqual(['b', 'a']);
    expect(a.transport.nodes()).toEqual(['b']);
    expect(b.transport.nodes()).toEqual(['a']);
    a.transport.send('b', Buffer.from('ping'));
    b.transport.send('a', Buffer.from('pong'));
    await b.receivedCount(1);
    await a.receivedCount(1);
  });

  test('a node connecting to itself is refused with self_connection', async () => {
    const a = node('a');
    const { port } = await a.transport.listen();
    expect(await reasonOf(a.transport.connect('127.0.0.1', port))).toBe('self_connection');
    expect(a.transport.nodes()).toEqual([]);
  });

  test('nodes without a common protocol version refuse each other with unsupported_version', async () => {
    const a = node('a', { versions: { min: 3, max: 4 } });
    const b = node('b');
    const { port } = await b.transport.listen();
    expect(await reasonOf(a.transport.connect('127.0.0.1', port))).toBe('unsupported_version');
    await b.log.waitFor({ event: 'connection-closed', reason: 'unsupported_version' });
  });

  test('connecting to a closed port fails with socket_error', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await b.transport.listen();
    await b.transport.close();
    expect(await reasonOf(a.transport.connect('127.0.0.1', port))).toBe('socket_error');
  });

  test('a node that shuts down is reported down with reason shutdown', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await b.transport.listen();
    await a.transport.connect('127.0.0.1', port);
    await b.transport.close();
    expect((await a.down('b')).reason).toBe('shutdown');
    expect(a.transport.nodes()).toEqual([]);
  });

  test('disconnect closes the connection and both sides see the node down', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await b.transport.listen();
    await a.transport.connect('127.0.0.1', port);
    a.transport.disconnect('b');
    expect((await a.down('b')).reason).toBe('connection_closed');
    expect((await b.down('a')).reason).toBe('connection_closed');
  });

  test('heartbeats keep an idle connection alive past the silence limit', async () => {
    const liveness = { heartbeatInterval: 100, missedHeartbeats: 10 };
    const a = node('a', { liveness });
    const b = node('b', { liveness });
    const { port } = await b.transport.listen();
    await a.transport.connect('127.0.0.1', port);
    // 10 intervals of silence would kill the connection; wait for 12 heartbeats each way.
    await Promise.all([a.log.waitFor({ event: 'heartbeat-sent' }, 12), b.log.waitFor({ event: 'heartbeat-sent' }, 12)]);
    expect(a.downs).toEqual([]);
    expect(b.downs).toEqual([]);
  });

  test('a listener on a taken port fails with socket_error', async () => {
    const a = node('a');
    const b = node('b');
    const { port } = await a.transport.listen();
    expect(await reasonOf(b.transport.listen({ port }))).toBe('socket_error');
  });
});

describe('TcpTransport with a shared secret', () => {
  test('nodes that share the secret connect; a node with another secret or none is refused with authentication_failed', async () => {
    const b = node('guarded', { secret: 'cookie' });
    const { port } = await b.transport.listen();
    await expect(node('friend', { secret: 'cookie' }).transport.connect('127.0.0.1', port)).resolves.toBe('guarded');
    await expect(reasonOf(node('stranger', { secret: 'biscuit' }).transport.connect('127.0.0.1', port))).resolves.toBe('authentication_failed');
    await expect(reasonOf(node('anonymous').transport.connect('127.0.0.1', port))).resolves.toBe('authentication_failed');
    expect(b.transport.nodes()).toEqual(['friend']);
  });
});
