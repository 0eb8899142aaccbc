import { createTestSystem } from './deterministic-fixture';

describe('DeterministicFixture', () => {
  test('records every hop and expectNext checks them one by one', async () => {
    const fx = createTestSystem();
    const pong = fx.system.spawn(() => ({ ping: (m) => m.n }));
    const pinger = fx.system.spawn((ctx) => ({ go: async () => ctx.request(pong, { type: 'ping', n: 1 }) }));
    pinger.tell({ type: 'go' });
    await fx.settle();
    fx.expectNext({ kind: 'message', type: 'go', to: pinger, from: null });
    fx.expectNext({ kind: 'request', type: 'ping', from: pinger, to: pong, message: { n: 1 } });
    fx.expectNext({ kind: 'response', from: pong, to: pinger, message: (m) => m === 1 });
    fx.expectNoMoreHops();
    await fx.shutdown();
  });

  test('expectNext explains a mismatch and an exhausted trace', async () => {
    const fx = createTestSystem();
    const a = fx.system.spawn(() => ({ x: () => undefined }));
    a.tell({ type: 'x' });
    expect(() => fx.expectNext({ type: 'y' })).toThrow(/type is x/);
    expect(() => fx.expectNext({ to: fx.system.refFor('other', 1) })).toThrow(/to is/);
    expect(() => fx.expectNext({ message: { n: 2 } })).toThrow(/message\.n/);
    fx.expectNext({ type: 'x' });
    expect(() => fx.expectNext({ type: 'x' })).toThrow(/no more hops/);
    a.tell({ type: 'x' });
    expect(() => fx.expectNoMoreHops()).toThrow(/no more hops, next is/);
    fx.skipHops();
    fx.expectNoMoreHops();
    expect(fx.hops({ type: 'x' })).toHaveLength(2);
    fx.clearTrace();
    expect(fx.trace).toEqual([]);
    await fx.shutdown();
  });

  test('dispatchOne steps a single message and mailCount shows what is left', async () => {
    const fx = createTestSystem();
    const seen: number[] = [];
    const a = fx.system.spawn(() => ({ m: (x) => void seen.push(x.n) }));
    a.tell({ type: 'm', n: 1 });
    a.tell({ type: 'm', n: 2 });
    expect(fx.mailCount(a)).toBe(2);
    expect(fx.dispatchOne()).toBe(true);
    expect(seen).toEqual([1]);
    expect(fx.mailCount(a)).toBe(1);
    expect(fx.runUntilIdle()).toBe(1);
    expect(fx.dispatchOne()).toBe(false);
    await fx.shutdown();
  });

  test('advance moves virtual time, firing timers in order with the actors run in between', async () => {
    const fx = createTestSystem({ startTime: 500 });
    const log: string[] = [];
    fx.system.spawn((ctx) => {
      ctx.schedule(10, { type: 't', tag: 'first' });
      return {
        t: (m) => {
          log.push(`${m.tag}@${fx.clock.now()}`);
          if (m.tag === 'first') ctx.schedule(10, { type: 't', tag: 'second' });
        },
      };
    });
    fx.advance(25);
    expect(log).toEqual(['first@510', 'second@520']);
    expect(fx.clock.now()).toBe(525);
    expect(() => fx.advance(-1)).toThrow(RangeError);
    await fx.shutdown();
  });

  test('tracing can be turned off', async () => {
    const fx = createTestSystem({ trace: false });
    fx.system.spawn(() => ({})).tell({ type: 'x' });
    expect(fx.trace).toEqual([]);
    await fx.shutdown();
  });
});
