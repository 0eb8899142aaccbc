import pino from 'pino';
import { ActorSystem } from './actor-system';
import { connectLoopback } from './loopback-link';

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

  test('refuses to link a system to itself or twice', async () => {
    const a = quiet('A');
    const b = quiet('B');
    expect(() => connectLoopback(a, a)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    connectLoopback(a, b);
    expect(() => connectLoopback(a, b)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    await Promise.all([a.shutdown(), b.shutdown()]);
  });
});
