import type { ActorContext } from './actor-context';
import type { ActorRef } from './actor-ref';
import { createTestSystem, type DeterministicFixture } from './deterministic-fixture';
import type { Message } from './message';
import type { DownMessage } from './system-message';
import { Supervisor, type ChildInfo, type ChildSpec, type RestartStrategy, type SupervisorOptions } from './supervisor';

/** A child that crashes on `crash` and stops normally on `quit`. */
function worker(ctx: ActorContext) {
  return {
    crash: () => {
      throw new Error('crash');
    },
    quit: () => ctx.stop(),
    ping: () => 'pong',
  };
}

function spec(id: string, restart?: ChildSpec['restart']): ChildSpec {
  return { id, restart, start: (ctx) => ctx.spawn(worker) };
}

describe('Supervisor', () => {
  let fx: DeterministicFixture;
  beforeEach(() => {
    fx = createTestSystem();
  });
  afterEach(() => fx.shutdown());

  async function children(sup: ActorRef): Promise<ChildInfo[]> {
    const answer = fx.system.request<ChildInfo[]>(sup, { type: 'which-children' });
    await fx.settle();
    return answer;
  }

  function startSupervisor(options: SupervisorOptions): ActorRef {
    const sup = fx.system.spawn(Supervisor, { args: [options] });
    fx.runUntilIdle();
    return sup;
  }

  test('starts its children in order and reports them', async () => {
    const sup = startSupervisor({ children: [spec('a'), spec('b')] });
    const kids = await children(sup);
    expect(kids.map((k) => k.id)).toEqual(['a', 'b']);
    expect(kids.every((k) => k.ref !== null && fx.system.isAlive(k.ref))).toBe(true);
  });

  const cases: [RestartStrategy, string[]][] = [
    ['one-for-one', ['b']],
    ['one-for-all', ['a', 'b', 'c']],
    ['rest-for-one', ['b', 'c']],
  ];
  test.each(cases)('%s restarts exactly %j when b crashes', async (strategy, restarted) => {
    const sup = startSupervisor({ strategy, children: [spec('a'), spec('b'), spec('c')] });
    const before = await children(sup);
    before[1].ref!.tell({ type: 'crash' });
    fx.runUntilIdle();
    const after = await children(sup);
    const changed = after.filter((k, i) => !k.ref!.equals(before[i].ref)).map((k) => k.id);
    expect(changed).toEqual(restarted);
    expect(after.every((k) => fx.system.isAlive(k.ref!))).toBe(true);
    for (const k of before) if (restarted.includes(k.id)) expect(fx.system.isAlive(k.ref!)).toBe(false);
  });

  test('a transient child is restarted after a crash but not after a normal stop; a temporary one never', async () => {
    const sup = startSupervisor({ children: [spec('t', 'transient'), spec('tmp', 'temporary')] });
    let kids = await children(sup);
    kids[0].ref!.tell({ type: 'crash' });
    fx.runUntilIdle();
    kids = await children(sup);
    expect(kids[0].ref).not.toBeNull();
    kids[0].ref!.tell({ type: 'quit' });
    kids[1].ref!.tell({ type: 'crash' });
    fx.runUntilIdle();
    kids = await children(sup);
    expect(kids).toEqual([{ id: 't', ref: null }]);
  });

  test('exceeding the restart intensity stops the supervisor with restart_intensity and its children with it', async () => {
    const downs: DownMessage[] = [];
    const sup = startSupervisor({ maxRestarts: 2, withinMs: 1000, children: [spec('a'), spec('b')] });
    fx.system.spawn((ctx) => {
      ctx.monitor(sup);
      return { down: (m) => void downs.push(m) };
    });
    const first = await children(sup);
    for (let i = 0; i < 3; i++) {
      const kids = await children(sup);
      kids[0].ref!.tell({ type: 'crash' });
      fx.runUntilIdle();
      fx.advance(100);
    }
    expect(fx.system.isAlive(sup)).toBe(false);
    expect(downs).toHaveLength(1);
    expect(downs[0].reason).toMatchObject({ kind: 'error', cause: { code: 'restart_intensity' } });
    expect(fx.system.isAlive(first[1].ref!)).toBe(false);
    expect(fx.system.actorCount).toBe(1);
  });

  test('restarts spread over more than the window never exceed the intensity', async () => {
    const sup = startSupervisor({ maxRestarts: 1, withinMs: 1000, children: [spec('a')] });
    for (let i = 0; i < 5; i++) {
      const kids = await children(sup);
      kids[0].ref!.tell({ type: 'crash' });
      fx.runUntilIdle();
      fx.advance(1001);
    }
    expect(fx.system.isAlive(sup)).toBe(true);
  });

  test('a failing child supervisor escalates to its parent supervisor, which restarts it', async () => {
    const inner: SupervisorOptions = { maxRestarts: 0, children: [spec('leaf')] };
    const top = startSupervisor({ children: [{ id: 'inner', start: (ctx) => ctx.spawn(Supervisor, { args: [inner] }) }] });
    const [innerBefore] = await children(top);
    const [leaf] = await children(innerBefore.ref!);
    leaf.ref!.tell({ type: 'crash' });
    fx.runUntilIdle();
    await fx.settle();
    const [innerAfter] = await children(top);
    expect(innerAfter.ref).not.toBeNull();
    expect(innerAfter.ref!.equals(innerBefore.ref)).toBe(false);
    const [newLeaf] = await children(innerAfter.ref!);
    expect(fx.system.isAlive(newLeaf.ref!)).toBe(true);
  });

  test('a child whose start throws counts as a crash and is retried within the intensity', async () => {
    let attempts = 0;
    const flaky: ChildSpec = {
      id: 'flaky',
      start: (ctx) => {
        if (++attempts < 3) throw new Error('not yet');
        return ctx.spawn(worker);
      },
    };
    const sup = startSupervisor({ maxRestarts: 5, children: [flaky] });
    const [k] = await children(sup);
    expect(attempts).toBe(3);
    expect(k.ref).not.toBeNull();
  });

  test('asynchronous starts are serialized and start-child answers the new ref', async () => {
    const sup = startSupervisor({
      children: [{ id: 'slow', start: async (ctx) => ctx.spawn(worker) }],
    });
    await fx.settle();
    const started = fx.system.request<ActorRef<Message>>(sup, { type: 'start-child', spec: spec('extra') });
    await fx.settle();
    const ref = await started;
    expect(fx.system.isAlive(ref)).toBe(true);
    expect((await children(sup)).map((k) => k.id)).toEqual(['slow', 'extra']);
    const removed = fx.system.request(sup, { type: 'terminate-child', id: 'extra' });
    await fx.settle();
    await expect(removed).resolves.toBe(true);
    expect(fx.system.isAlive(ref)).toBe(false);
  });

  test('a bad start-child request is answered with invalid_argument; the supervisor and its children go on', async () => {
    const sup = startSupervisor({ children: [spec('a')] });
    const [a] = await children(sup);
    for (const bad of [spec('a'), { id: 7, start: () => null }, { id: 'x' }, null]) {
      const answer = fx.system.request(sup, { type: 'start-child', spec: bad as never });
      await fx.settle();
      await expect(answer).rejects.toMatchObject({ code: 'invalid_argument' });
    }
    expect(fx.system.isAlive(sup)).toBe(true);
    expect((await children(sup)).map((k) => [k.id, k.ref?.equals(a.ref!)])).toEqual([['a', true]]);
  });

  test('a start that returns no ActorRef is a failed start (restarted within the intensity), never a crash of the supervisor', async () => {
    let attempts = 0;
    const forgetful: ChildSpec = {
      id: 'forgetful',
      start: ((ctx: ActorContext) => {
        ctx.spawn(worker);
        return ++attempts < 3 ? undefined : ctx.spawn(worker);
      }) as never,
    };
    const sup = startSupervisor({ maxRestarts: 5, children: [spec('a'), forgetful] });
    const kids = await children(sup);
    expect(attempts).toBe(3);
    expect(fx.system.isAlive(sup)).toBe(true);
    expect(kids.every((k) => k.ref !== null && fx.system.isAlive(k.ref))).toBe(true);
  });

  test('stopping a supervisor stops its children with reason shutdown', async () => {
    const sup = startSupervisor({ children: [spec('a')] });
    const [a] = await children(sup);
    const reasons: unknown[] = [];
    fx.system.spawn((ctx) => {
      ctx.monitor(a.ref!);
      return { down: (m) => void reasons.push(m.reason) };
    });
    fx.system.stop(sup);
    fx.runUntilIdle();
    expect(reasons).toEqual([{ kind: 'shutdown' }]);
  });

  test('bad options stop the supervisor at spawn with invalid_argument', () => {
    const reasons: unknown[] = [];
    fx.system.spawn((ctx) => {
      ctx.spawnLinked(Supervisor, { args: [{ strategy: 'nope' as RestartStrategy, children: [] }] });
      ctx.trapExit = true;
      return { exit: (m) => void reasons.push(m.reason) };
    });
    fx.runUntilIdle();
    expect(reasons).toEqual([{ kind: 'error', cause: expect.objectContaining({ code: 'invalid_argument' }) }]);
  });
});
