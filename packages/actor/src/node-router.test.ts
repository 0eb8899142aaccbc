import pino from 'pino';
import type { ActorRef } from './actor-ref';
import { ActorSystem } from './actor-system';
import { Envelope } from './envelope';
import { connectLoopback } from './loopback-link';
import type { DownMessage, ExitMessage } from './system-message';
import type { NodeLink } from './node-link';

const quiet = (name: string): ActorSystem => new ActorSystem({ name, nodeId: name, logger: pino({ level: 'silent' }) });

/** Waits for the next message of `type` at a fresh local actor, which it returns. */
function inbox(system: ActorSystem) {
  const got: { type: string }[] = [];
  const waiting: [string, (m: unknown) => void][] = [];
  const push = (m: { type: string }): void => {
    const w = waiting.findIndex(([t]) => t === m.type);
    if (w >= 0) waiting.splice(w, 1)[0][1](m);
    else got.push(m);
  };
  const ref = system.spawn(() => ({ down: push, exit: push, echoed: push }), { trapExit: true });
  const next = <T>(type: string): Promise<T> => {
    const i = got.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(got.splice(i, 1)[0] as T);
    return new Promise((r) => waiting.push([type, r as (m: unknown) => void]));
  };
  return { ref, next, got };
}

describe('NodeRouter', () => {
  const systems: ActorSystem[] = [];
  const make = (name: string): ActorSystem => {
    const s = quiet(name);
    systems.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(systems.splice(0).map((s) => s.shutdown()));
  });

  test('delivers to actors on a linked node, refs inside messages included, and answers come back', async () => {
    const a = make('A');
    const b = make('B');
    connectLoopback(a, b);
    const echo = b.spawn((ctx) => ({ echo: (m) => m.text, 'echo-to': (m) => ctx.send(m.to, { type: 'echoed', text: m.text }) }), { name: 'echo' });
    const remote = await a.lookup(b.nodeId, 'echo');
    expect(remote!.equals(echo)).toBe(true);
    expect(remote!.host).toBe(a);
    await expect(a.request(remote!, { type: 'echo', text: 'hi' })).resolves.toBe('hi');
    const box = inbox(a);
    remote!.tell({ type: 'echo-to', to: box.ref, text: 'back' });
    await expect(box.next('echoed')).resolves.toEqual({ type: 'echoed', text: 'back' });
  });

  test('envelopes for a node without a route are answered as unreachable', async () => {
    const a = make('A');
    const ghost = a.refFor('nowhere', 5);
    await expect(a.request(ghost, { type: 'x' })).rejects.toMatchObject({ code: 'unreachable' });
    const box = inbox(a);
    a.spawn((ctx) => {
      ctx.monitor(ghost);
      return { down: (m) => ctx.send(box.ref, m) };
    });
    await expect(box.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'unreachable', node: 'nowhere' } });
    expect(() => ghost.tell({ type: 'lost' })).not.toThrow();
  });

  test('losing a link fails monitors, links and requests involving that node with unreachable, on both sides', async () => {
    const a = make('A');
    const b = make('B');
    const conn = connectLoopback(a, b);
    const target = b.spawn((ctx) => ({ hang: () => void ctx.promise() }), { name: 't' });
    const remote = (await a.lookup(b.nodeId, 't'))!;
    const box = inbox(a);
    a.spawn(
      (ctx) => {
        ctx.monitor(remote);
        ctx.link(remote);
        return { down: (m) => ctx.send(box.ref, m), exit: (m) => ctx.send(box.ref, m) };
      },
      { trapExit: true },
    );
    await a.request(remote, { type: 'ping' }).catch(() => undefined);
    const pending = a.request(remote, { type: 'hang' }, { timeout: Infinity });
    conn.disconnect('cable cut');
    await expect(pending).rejects.toMatchObject({ code: 'unreachable' });
    await expect(box.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'unreachable', node: 'B' } });
    await expect(box.next<ExitMessage>('exit')).resolves.toMatchObject({ reason: { kind: 'unreachable', node: 'B' } });
    expect(a.router.nodes).toEqual([]);
    // B lost A as well: its end of the link died with reason unreachable.
    await new Promise((r) => setImmediate(r));
    expect(b.isAlive(target)).toBe(false);
  });

  test('a hub forwards between nodes behind it, and tells them when one is lost', async () => {
    const hub = make('hub');
    const a = make('A');
    const b = make('B');
    connectLoopback(a, hub, { defaultForA: true });
    const hubToB = connectLoopback(b, hub, { defaultForA: true });
    const echo = b.spawn(() => ({ echo: (m) => `B:${m.text}` }), { name: 'echo' });
    const fromA = (await a.lookup(b.nodeId, 'echo'))!;
    expect(fromA.equals(echo)).toBe(true);
    await expect(a.request(fromA, { type: 'echo', text: 'via hub' })).resolves.toBe('B:via hub');
    const box = inbox(a);
    a.spawn((ctx) => {
      ctx.monitor(fromA);
      return { down: (m) => ctx.send(box.ref, m) };
    });
    await a.request(fromA, { type: 'echo', text: 'sync' });
    hubToB.disconnect();
    await expect(box.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'unreachable', node: 'B' } });
  });

  test('linkUp refuses the own node, a second link to a node, and a second default link', () => {
    const a = make('A');
    const link = (node: string): NodeLink => ({ remoteNode: node, send: () => undefined, close: () => undefined });
    expect(() => a.router.linkUp(link('A'))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    a.router.linkUp(link('B'), { default: true });
    expect(() => a.router.linkUp(link('B'))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => a.router.linkUp(link('C'), { default: true })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(a.router.routeFor('anything')?.remoteNode).toBe('B');
    expect(a.router.hasLink('B')).toBe(true);
    a.router.linkDown('B');
    a.router.linkDown('B');
    expect(a.router.routeFor('anything')).toBeUndefined();
  });

  test('shutting one node down is seen by the other as the node going down', async () => {
    const a = make('A');
    const b = make('B');
    connectLoopback(a, b);
    const t = b.spawn(() => ({}), { name: 't' });
    const remote = (await a.lookup(b.nodeId, 't'))!;
    const box = inbox(a);
    a.spawn((ctx) => {
      ctx.monitor(remote);
      return { down: (m) => ctx.send(box.ref, m) };
    });
    await a.request(a.refFor(b.nodeId, 0), { type: 'whereis', name: 't' });
    await b.shutdown();
    const down = await box.next<DownMessage>('down');
    expect(down.ref.equals(t)).toBe(true);
    expect(['shutdown', 'unreachable']).toContain(down.reason.kind);
  });

  test('an orderly link end is logged at info and passed on as orderly; a failure is logged at warn', () => {
    const lines: Array<{ level: number; event?: string; node?: string }> = [];
    const a = new ActorSystem({ name: 'A', nodeId: 'A', logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) });
    systems.push(a);
    const sent: unknown[] = [];
    const link = (remoteNode: string): NodeLink => ({ remoteNode, send: (env) => void sent.push(env.msg), close: () => undefined });
    a.router.linkUp(link('P'), { default: true });
    a.router.linkUp(link('S'));
    a.router.linkDown('S', 'sibling channel closed', true);
    expect(sent).toContainEqual({ type: 'node-down', node: 'S', orderly: true });
    // A notice from the parent (the default route) about a node behind it, both kinds.
    a.router.receive(new Envelope(a.nodeRef, a.refFor('P', 0), { type: 'node-down', node: 'X', orderly: true }, 0, 0));
    a.router.receive(new Envelope(a.nodeRef, a.refFor('P', 0), { type: 'node-down', node: 'Y' }, 0, 0));
    a.router.linkUp(link('F'));
    a.router.linkDown('F', new Error('crashed'));
    const downs = lines.filter((l) => l.event === 'node-down').map((l) => [l.node, l.level]);
    expect(downs).toEqual([
      ['S', 30],
      ['X', 30],
      ['Y', 40],
      ['F', 40],
    ]);
  });

  test('a node-down notice from a node that is not the route is ignored', async () => {
    const a = make('A');
    const box = inbox(a);
    const remote: ActorRef = a.refFor('B', 1);
    const links: NodeLink[] = [
      { remoteNode: 'B', send: () => undefined, close: () => undefined },
      { remoteNode: 'C', send: () => undefined, close: () => undefined },
    ];
    for (const l of links) a.router.linkUp(l);
    a.spawn((ctx) => {
      ctx.monitor(remote);
      return { down: (m) => ctx.send(box.ref, m) };
    });
    a.router.receive(new Envelope(a.nodeRef, a.refFor('C', 0), { type: 'node-down', node: 'B' }, 0, 0));
    await new Promise((r) => setImmediate(r));
    expect(box.got).toEqual([]);
    a.router.linkDown('B');
    await expect(box.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'unreachable', node: 'B' } });
  });
});
