import pino from 'pino';
import { ActorSystem } from './actor-system';
import { connectLoopback } from './loopback-link';
import type { DownMessage } from './system-message';

const quiet = (name: string): ActorSystem => new ActorSystem({ name, nodeId: name, logger: pino({ level: 'silent' }) });

describe('connectLoopback', () => {
  test('carries a burst of messages in order, batched, and rebinds refs to the receiver', async () => {
    const a = quiet('A');
    const b = quiet('B');
    connectLoopback(a, b);
    const got: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    b.spawn(() => ({ m: (x) => void (got.push(x.n), x.n === 2999 && done()) }), { name: 'sink' });
    const sink = (await a.lookup(b.nodeId, 'sink'))!;
    for (let i = 0; i < 3000; i++) sink.tell({ type: 'm', n: i });
    await finished;
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('a message that cannot be encoded fails alone: its request rejects, the rest goes through', async () => {
    const a = quiet('A');
    const b = quiet('B');
    connectLoopback(a, b);
    b.spawn(() => ({ m: (x) => x.n }), { name: 'svc' });
    const svc = (await a.lookup(b.nodeId, 'svc'))!;
    const bad = a.request(svc, { type: 'm', n: Symbol('no') });
    const good = a.request(svc, { type: 'm', n: 2 });
    await expect(bad).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(good).resolves.toBe(2);
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('an answer or a stop reason that cannot be encoded still arrives: an error answer, a DOWN with the cause as text', async () => {
    const a = quiet('A');
    const b = quiet('B');
    connectLoopback(a, b);
    b.spawn(
      () => ({
        fn: () => () => 1,
        reject: async () => {
          throw { why: 'bad', cb: () => 1 };
        },
        die: () => {
          throw { message: 'died', cb: () => 1 };
        },
      }),
      { name: 'svc' },
    );
    const svc = (await a.lookup(b.nodeId, 'svc'))!;
    await expect(a.request(svc, { type: 'fn' })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/could not be sent/) });
    await expect(a.request(svc, { type: 'reject' })).rejects.toMatchObject({ code: 'invalid_argument' });
    let down!: (reason: unknown) => void;
    const downed = new Promise<unknown>((r) => (down = r));
    a.spawn((ctx) => {
      ctx.monitor(svc);
      return { down: (m: DownMessage) => down(m.reason) };
    });
    // The monitor is set up before the stop: a round trip through b first.
    await expect(a.request(svc, { type: 'fn' })).rejects.toMatchObject({ code: 'invalid_argument' });
    svc.tell({ type: 'die' });
    expect(await downed).toEqual({ kind: 'error', cause: 'error: died' });
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('a received byte string keeps its bytes after later batches (each batch is copied out of the reused encoder buffer)', async () => {
    const a = quiet('A');
    const b = quiet('B');
    connectLoopback(a, b);
    const got: Uint8Array[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    // The receiver looks at the bytes only after both batches were encoded and delivered.
    b.spawn(() => ({ m: (x) => void (got.push(x.bytes), got.length === 2 && done()) }), { name: 'sink' });
    const sink = (await a.lookup(b.nodeId, 'sink'))!;
    sink.tell({ type: 'm', bytes: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    await new Promise<void>((r) => queueMicrotask(r));
    sink.tell({ type: 'm', bytes: Buffer.from([9, 9, 9, 9, 9, 9, 9, 9]) });
    await finished;
    expect(got.map((x) => [...x])).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [9, 9, 9, 9, 9, 9, 9, 9],
    ]);
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('a system that shuts down is an orderly end for the other (info); a disconnect is not (warn)', async () => {
    const logged = (): { lines: Array<{ level: number; event?: string }>; system: (name: string) => ActorSystem } => {
      const lines: Array<{ level: number; event?: string }> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      return { lines, system: (name) => new ActorSystem({ name, nodeId: name, logger }) };
    };
    const downLevels = (lines: Array<{ level: number; event?: string }>) => lines.filter((l) => l.event === 'node-down').map((l) => l.level);
    const one = logged();
    const a = quiet('A');
    const b = one.system('B');
    connectLoopback(a, b);
    await a.shutdown();
    await b.shutdown();
    expect(downLevels(one.lines)).toEqual([30]);
    const two = logged();
    const c = quiet('C');
    const d = two.system('D');
    connectLoopback(c, d).disconnect('cable pulled');
    expect(downLevels(two.lines)).toEqual([40]);
    await Promise.all([c.shutdown(), d.shutdown()]);
  });

  test('refuses to link a system to itself or twice', async () => {
    const a = quiet('A');
    const b = quiet('B');
    expect(() => connectLoopback(a, a)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    connectLoopback(a, b);
    expect(() => connectLoopback(a, b)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await Promise.all([a.shutdown(), b.shutdown()]);
  });
});
