import { MessageChannel, type MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { ActorSystem } from '../actor-system';
import { registerCodecExtension } from '../envelope-codec';
import { connectLoopback } from '../loopback-link';
import { MessagePortLink, type PortLike } from './message-port-link';

function logged(name: string): { system: ActorSystem; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const logger = pino({ level: 'trace' }, { write: (l: string) => events.push(JSON.parse(l)) });
  return { system: new ActorSystem({ name, nodeId: name, logger }), events };
}

/** A real port that counts its postMessage calls. */
function counting(port: MessagePort): PortLike & { posts: number } {
  const c = {
    posts: 0,
    postMessage(value: unknown, transfer?: readonly ArrayBuffer[]) {
      c.posts++;
      port.postMessage(value, transfer as ArrayBuffer[]);
    },
    on: (e: 'message', l: (v: unknown) => void) => port.on(e, l),
    off: (e: 'message', l: (v: unknown) => void) => port.off(e, l),
  };
  return c;
}

describe('MessagePortLink', () => {
  let channel: MessageChannel;
  let a: ReturnType<typeof logged>;
  let b: ReturnType<typeof logged>;
  let portA: ReturnType<typeof counting>;
  beforeEach(() => {
    channel = new MessageChannel();
    a = logged('A');
    b = logged('B');
    portA = counting(channel.port1);
    a.system.router.linkUp(new MessagePortLink(a.system, portA, 'B', { maxBatch: 256 }));
    b.system.router.linkUp(new MessagePortLink(b.system, channel.port2, 'A'));
  });
  afterEach(async () => {
    await Promise.all([a.system.shutdown(), b.system.shutdown()]);
    channel.port1.close();
  });

  test('carries requests, tells and refs across a real MessagePort', async () => {
    b.system.spawn(() => ({ double: (m) => m.n * 2, who: (_m, ctx) => ctx.self }), { name: 'svc' });
    const svc = (await a.system.lookup('B', 'svc'))!;
    await expect(a.system.request(svc, { type: 'double', n: 21 })).resolves.toBe(42);
    const self = await a.system.request(svc, { type: 'who' });
    expect(svc.equals(self as never)).toBe(true);
  });

  test('batches the envelopes of one synchronous burst into few postMessage calls, in order', async () => {
    const got: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    b.system.spawn(() => ({ m: (x) => void (got.push(x.n), got.length === 1000 && done()) }), { name: 'sink' });
    const sink = (await a.system.lookup('B', 'sink'))!;
    const before = portA.posts;
    for (let i = 0; i < 1000; i++) sink.tell({ type: 'm', n: i });
    await finished;
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(portA.posts - before).toBeLessThanOrEqual(5);
  });

  test('input that is not an envelope batch is logged as decode-failed and dropped; the link keeps working', async () => {
    b.system.spawn(() => ({ ping: () => 'pong' }), { name: 'svc' });
    channel.port1.postMessage('garbage');
    channel.port1.postMessage(new Uint8Array([0xff, 0xff]));
    const svc = (await a.system.lookup('B', 'svc'))!;
    await expect(a.system.request(svc, { type: 'ping' })).resolves.toBe('pong');
    expect(b.events.filter((e) => e.event === 'decode-failed')).toHaveLength(2);
  });

  test('a message that cannot cross is a dead letter and fails its request; its neighbours pass', async () => {
    b.system.spawn(() => ({ echo: (m) => m.v }), { name: 'svc' });
    const svc = (await a.system.lookup('B', 'svc'))!;
    const bad = a.system.request(svc, { type: 'echo', v: Symbol('x') });
    const good = a.system.request(svc, { type: 'echo', v: 'ok' });
    await expect(bad).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(good).resolves.toBe('ok');
    expect(a.events.some((e) => e.event === 'encode-failed')).toBe(true);
  });
});

describe('MessagePortLink forwarding through a hub', () => {
  class Probe {
    constructor(readonly v: number) {}
  }
  let decodes = 0;
  registerCodecExtension<Probe, number>({
    Class: Probe,
    tag: 41990,
    encode: (p, enc) => enc(p.v),
    decode: (v) => (decodes++, new Probe(v)),
  });

  const quiet = (name: string): ActorSystem => new ActorSystem({ name, nodeId: name, logger: pino({ level: 'silent' }) });
  const channels: MessageChannel[] = [];
  const systems: ActorSystem[] = [];
  /** Links `child` to `hub` over a real MessageChannel; the hub is the child's default route. */
  function attach(child: ActorSystem, hub: ActorSystem): void {
    const ch = new MessageChannel();
    channels.push(ch);
    child.router.linkUp(new MessagePortLink(child, ch.port1, hub.nodeId), { default: true });
    hub.router.linkUp(new MessagePortLink(hub, ch.port2, child.nodeId));
  }
  afterEach(async () => {
    await Promise.all(systems.splice(0).map((s) => s.shutdown()));
    for (const ch of channels.splice(0)) ch.port1.close();
  });

  test('a batch for a node behind the hub is passed on without being decoded there', async () => {
    const [hub, a, b] = ['hub', 'A', 'B'].map(quiet);
    systems.push(hub, a, b);
    attach(a, hub);
    attach(b, hub);
    b.spawn(() => ({ probe: (m) => (m.p as Probe).v * 2 }), { name: 'svc' });
    const svc = (await a.lookup('B', 'svc'))!;
    decodes = 0;
    await expect(a.request(svc, { type: 'probe', p: new Probe(21) })).resolves.toBe(42);
    expect(decodes).toBe(1);
  });

  test('a forwarded batch for a node the hub cannot reach is answered as unreachable', async () => {
    const [hub, a] = ['hub', 'A'].map(quiet);
    systems.push(hub, a);
    attach(a, hub);
    await expect(a.request(a.refFor('ghost', 1), { type: 'x' })).rejects.toMatchObject({ code: 'unreachable' });
  });

  test('towards a link without sendBatch the hub decodes and routes envelope by envelope', async () => {
    const [hub, a, b] = ['hub', 'A', 'B'].map(quiet);
    systems.push(hub, a, b);
    attach(a, hub);
    connectLoopback(b, hub, { defaultForA: true });
    b.spawn(() => ({ probe: (m) => (m.p as Probe).v + 1 }), { name: 'svc' });
    const svc = (await a.lookup('B', 'svc'))!;
    await expect(a.request(svc, { type: 'probe', p: new Probe(1) })).resolves.toBe(2);
  });
});

describe('MessagePortLink options for sibling channels', () => {
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    await Promise.all(systems.splice(0).map((s) => s.shutdown()));
  });
  function pair(): { a: ActorSystem; b: ActorSystem; channel: MessageChannel } {
    const a = logged('A').system;
    const b = logged('B').system;
    systems.push(a, b);
    return { a, b, channel: new MessageChannel() };
  }

  test('a paused link reads nothing until resume, then everything in order', async () => {
    const { a, b, channel } = pair();
    a.router.linkUp(new MessagePortLink(a, channel.port1, 'B'));
    const linkB = new MessagePortLink(b, channel.port2, 'A', { paused: true });
    b.router.linkUp(linkB);
    const got: number[] = [];
    let all!: () => void;
    const done = new Promise<void>((r) => (all = r));
    const sink = b.spawn(() => ({ n: (m: { type: 'n'; i: number }) => void (got.push(m.i), got.length === 3 && all()) }));
    const ref = a.refFor(sink.node, sink.id);
    for (let i = 0; i < 3; i++) ref.tell({ type: 'n', i });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]);
    linkB.resume();
    await done;
    expect(got).toEqual([0, 1, 2]);
  });

  test('control messages go to the control handler after what was queued; postControl transfers ports', async () => {
    const { a, b, channel } = pair();
    const linkA = new MessagePortLink(a, channel.port1, 'B');
    a.router.linkUp(linkA);
    const seen: unknown[] = [];
    let ctl!: (d: object) => void;
    const control = new Promise<object>((r) => (ctl = r));
    const sink = b.spawn(() => ({ hi: () => void seen.push('hi') }));
    // When the control message arrives, the message sent before it has been delivered.
    b.router.linkUp(new MessagePortLink(b, channel.port2, 'A', { control: (d) => (seen.push((b.mailboxSize(sink) ?? 0) + seen.length), ctl(d)) }));
    a.refFor(sink.node, sink.id).tell({ type: 'hi' });
    const extra = new MessageChannel();
    expect(linkA.postControl({ hello: extra.port1 }, [extra.port1])).toBe(true);
    const data = (await control) as { hello: MessagePort };
    expect(seen.at(-1)).toBe(1);
    expect(data.hello.constructor.name).toBe('MessagePort');
    data.hello.close();
    extra.port2.close();
    linkA.close();
    expect(linkA.postControl({ late: true })).toBe(false);
  });

  test('a link that owns its port closes it: the other end sees close', async () => {
    const { a, channel } = pair();
    const link = new MessagePortLink(a, channel.port1, 'B', { ownsPort: true });
    a.router.linkUp(link);
    const closed = new Promise<void>((r) => channel.port2.once('close', () => r()));
    channel.port2.on('message', () => undefined);
    link.close();
    await closed;
  });
});
