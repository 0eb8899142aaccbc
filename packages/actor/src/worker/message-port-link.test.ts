import { MessageChannel, type MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { ActorSystem } from '../actor-system';
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
