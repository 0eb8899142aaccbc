import { EventEmitter, once } from 'node:events';
import { ActorSystem } from '../../src/actor-system';
import { ActorRef } from '../../src/actor-ref';
import type { DownMessage, ExitMessage } from '../../src/system-message';
import { Supervisor, type ChildInfo } from '../../src/supervisor';
import { connectTcp, TcpNetwork } from '../../src/net/tcp-network';
import { killChildNode, startChildNode, type ChildNode } from './child-node';
import { LogCollector, spawnWatcher } from './net-test-kit';

/*
 * Real child processes (the fixture node run by tsx) talking to an actor system in this
 * process over TCP. Every child is SIGKILLed and every system shut down after each test.
 */

jest.setTimeout(60000);

const children: ChildNode[] = [];
let system: ActorSystem;
let log: LogCollector;

beforeEach(() => {
  log = new LogCollector();
  system = new ActorSystem({ name: 'parent', logger: log.logger });
});

afterEach(async () => {
  await Promise.all(children.splice(0).map(killChildNode));
  await system.shutdown();
});

async function child(env?: Record<string, string>): Promise<ChildNode> {
  const c = await startChildNode(env);
  children.push(c);
  // These tests exercise the runtime's full semantics between nodes we own.
  await expect(connectTcp(system, '127.0.0.1', c.port, { trusted: true })).resolves.toBe(c.node);
  return c;
}


describe('actors across processes over TCP', () => {
  test('remote lookup by name finds an actor of the child and request/response works', async () => {
    const c = await child();
    const adder = await system.lookup(c.node, 'adder', { timeout: 20000 });
    expect(adder).toBeInstanceOf(ActorRef);
    expect(adder!.node).toBe(c.node);
    await expect(system.request(adder!, { type: 'add', x: 20, y: 22 }, { timeout: 20000 })).resolves.toBe(42);
    await expect(system.lookup(c.node, 'no-such-name', { timeout: 20000 })).resolves.toBeUndefined();
  });

  test('values of many shapes survive the trip to the other process and back', async () => {
    const c = await child();
    const echo = (await system.lookup(c.node, 'echo', { timeout: 20000 }))!;
    const value = { s: 'text ✓', n: -1.5, big: 2n ** 70n, list: [1, null, true], nested: { bytes: new Uint8Array([1, 2, 3]) }, when: new Date(0) };
    await expect(system.request(echo, { type: 'echo', value }, { timeout: 20000 })).resolves.toEqual(value);
  });

  test('a ref from this process, carried to the child, is used by the child to reach back', async () => {
    const c = await child();
    const got = new EventEmitter();
    const inbox = system.spawn(() => ({ greet: (m) => void got.emit('greet', m) }));
    const relay = (await system.lookup(c.node, 'relay', { timeout: 20000 }))!;
    const arrived = once(got, 'greet');
    relay.tell({ type: 'relay', to: inbox, text: 'hello' });
    const [greet] = await arrived;
    expect(greet.text).toBe(`hello from ${c.node}`);
    // The child's own ref came back inside the message and is usable from here.
    expect(greet.from.node).toBe(c.node);
    expect(greet.from.equals(relay)).toBe(true);
  });

  test('the child issues a request to an actor of this process and gets its answer', async () => {
    const c = await child();
    const oracle = system.spawn(() => ({ question: (m) => m.n * 2 }));
    const asker = (await system.lookup(c.node, 'asker', { timeout: 20000 }))!;
    await expect(system.request(asker, { type: 'ask', to: oracle, n: 21 }, { timeout: 20000 })).resolves.toBe(42);
  });

  test('SIGKILL of the child turns into DOWN and EXIT unreachable, and pending requests reject', async () => {
    const c = await child();
    const w = spawnWatcher(system);
    const adder = (await system.lookup(c.node, 'adder', { timeout: 20000 }))!;
    const sloth = (await system.lookup(c.node, 'sloth', { timeout: 20000 }))!;
    w.ref.tell({ type: 'watch', ref: adder });
    w.ref.tell({ type: 'bind', ref: sloth });
    const pending = system.request(sloth, { type: 'never' }, { timeout: 60000 });
    // A round trip guarantees the monitor and link reached the child.
    await system.lookup(c.node, 'adder', { timeout: 20000 });
    c.proc.kill('SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'unreachable' });
    const seen = await w.next(2);
    const down = seen.find((m) => m.type === 'down') as DownMessage;
    const exit = seen.find((m) => m.type === 'exit') as ExitMessage;
    expect(down.ref.equals(adder)).toBe(true);
    expect(down.reason).toEqual({ kind: 'unreachable', node: c.node });
    expect(exit.from.equals(sloth)).toBe(true);
    expect(exit.reason).toEqual({ kind: 'unreachable', node: c.node });
    expect(await c.exited).toBe('SIGKILL');
    expect(TcpNetwork.of(system).nodes).toEqual([]);
  });

  test('a child that stops responding (SIGSTOP) is declared dead by heartbeats and its actors go DOWN', async () => {
    // Short heartbeats on both ends of this connection.
    await system.shutdown();
    system = new ActorSystem({ name: 'parent-hb', logger: log.logger });
    TcpNetwork.of(system, { liveness: { heartbeatInterval: 200, missedHeartbeats: 5 }, trusted: true });
    const c = await child({ HEARTBEAT_MS: '200' });
    const w = spawnWatcher(system);
    const adder = (await system.lookup(c.node, 'adder', { timeout: 20000 }))!;
    w.ref.tell({ type: 'watch', ref: adder });
    await system.lookup(c.node, 'adder', { timeout: 20000 });
    c.proc.kill('SIGSTOP');
    const [down] = await w.next(1);
    expect(down.reason).toEqual({ kind: 'unreachable', node: c.node });
    const line = await log.waitFor({ event: 'node-down', peer: c.node });
    expect(line.reason).toBe('heartbeat_timeout');
  });

  test('a child busy with 3 s of slow messages stays connected under heartbeats that declare a peer dead after 1 s', async () => {
    await system.shutdown();
    system = new ActorSystem({ name: 'parent-busy', logger: log.logger });
    TcpNetwork.of(system, { liveness: { heartbeatInterval: 200, missedHeartbeats: 5 }, trusted: true });
    const c = await child({ HEARTBEAT_MS: '200', MISSED_HEARTBEATS: '5' });
    const busy = (await system.lookup(c.node, 'busy', { timeout: 20000 }))!;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const inbox = system.spawn(() => ({ 'busy-done': () => done() }));
    const w = spawnWatcher(system);
    w.ref.tell({ type: 'watch', ref: busy });
    await system.lookup(c.node, 'busy', { timeout: 20000 });
    // Before time slices the child ran all 3000 messages in one tick and went silent.
    busy.tell({ type: 'work', n: 3000, ms: 1, to: inbox });
    // Either the work finishes, or the child is declared dead (DOWN at the watcher).
    await Promise.race([finished, w.next(1)]);
    expect(TcpNetwork.of(system).nodes).toEqual([c.node]);
    expect(w.seen).toEqual([]);
  });

  test('a supervisor here restarts a crashed child actor living in the other process', async () => {
    const c = await child();
    const spawnRemote = async (): Promise<ActorRef> => (await system.request(system.refFor(c.node, 0), { type: 'spawn-worker' }, { timeout: 20000 })) as ActorRef;
    const sup = system.spawn(Supervisor, { args: [{ strategy: 'one-for-one', maxRestarts: 3, withinMs: 60000, children: [{ id: 'remote-worker', start: spawnRemote }] }] });
    const current = async (): Promise<ActorRef | null> => ((await system.request(sup, { type: 'which-children' }, { timeout: 20000 })) as ChildInfo[])[0].ref as ActorRef | null;
    let first = await current();
    while (first === null) first = await current();
    expect(first.node).toBe(c.node);
    await expect(system.request(first, { type: 'ping' }, { timeout: 20000 })).resolves.toBe('pong');
    first.tell({ type: 'crash' });
    let second = await current();
    while (second === null || second.equals(first)) second = await current();
    expect(second.node).toBe(c.node);
    await expect(system.request(second, { type: 'ping' }, { timeout: 20000 })).resolves.toBe('pong');
  });

  test('when the process of a supervised child is killed, the supervisor restarts it on another node', async () => {
    const c1 = await child();
    const c2 = await child();
    const spawnOnFirstNode = async (): Promise<ActorRef> => {
      const node = TcpNetwork.of(system).nodes[0];
      return (await system.request(system.refFor(node, 0), { type: 'spawn-worker' }, { timeout: 20000 })) as ActorRef;
    };
    const sup = system.spawn(Supervisor, { args: [{ maxRestarts: 3, withinMs: 60000, children: [{ id: 'w', start: spawnOnFirstNode }] }] });
    const current = async (): Promise<ActorRef | null> => ((await system.request(sup, { type: 'which-children' }, { timeout: 20000 })) as ChildInfo[])[0].ref as ActorRef | null;
    let first = await current();
    while (first === null) first = await current();
    expect(first.node).toBe(c1.node);
    c1.proc.kill('SIGKILL');
    let moved = await current();
    while (moved === null || moved.node !== c2.node) moved = await current();
    await expect(system.request(moved, { type: 'ping' }, { timeout: 20000 })).resolves.toBe('pong');
  });
});
