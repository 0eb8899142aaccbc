import pino from 'pino';
import { Actor } from './actor';
import type { ActorContext } from './actor-context';
import { ActorError } from './actor-error';
import { ActorRef } from './actor-ref';
import { ActorSystem } from './actor-system';
import type { Behavior } from './behavior';
import { createTestSystem, type DeterministicFixture } from './deterministic-fixture';
import { ExitReasons } from './exit-reason';
import type { DownMessage } from './system-message';

type CounterMsg = { type: 'inc'; by: number } | { type: 'get' };

class Counter extends Actor<CounterMsg> {
  /** Current count. */
  count: number;
  constructor(ctx: ActorContext<CounterMsg>, start: number) {
    super(ctx);
    this.count = start;
  }
  behavior(): Behavior<CounterMsg> {
    return {
      inc: (m) => {
        this.count += m.by;
      },
      get: () => this.count,
    };
  }
}

function captureLogs(): { logger: pino.Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => events.push(JSON.parse(line)) });
  return { logger, events };
}

describe('ActorSystem', () => {
  let fx: DeterministicFixture;
  beforeEach(() => {
    fx = createTestSystem();
  });
  afterEach(() => fx.shutdown());

  test('a class actor keeps its state across messages and answers requests with its handler result', async () => {
    const c = fx.system.spawn(Counter, { args: [10] });
    c.tell({ type: 'inc', by: 2 });
    c.tell({ type: 'inc', by: 3 });
    const answer = fx.system.request<number>(c, { type: 'get' });
    await fx.settle();
    await expect(answer).resolves.toBe(15);
  });

  test('a behavior function receives its args and the hop trace shows each message with its sender', () => {
    const sink = fx.system.spawn((_ctx) => ({ hello: () => undefined }));
    const relay = fx.system.spawn((ctx, target: ActorRef) => ({ go: () => ctx.send(target, { type: 'hello' }) }), { args: [sink] });
    relay.tell({ type: 'go' });
    fx.runUntilIdle();
    fx.expectNext({ kind: 'message', type: 'go', from: null, to: relay });
    fx.expectNext({ kind: 'message', type: 'hello', from: relay, to: sink });
    fx.expectNoMoreHops();
  });

  test('ref.tell inside a handler uses the running actor as the sender', () => {
    let seen: ActorRef | null = null;
    const b = fx.system.spawn((ctx) => ({ hi: () => void (seen = ctx.sender) }));
    const a = fx.system.spawn(() => ({ go: () => b.tell({ type: 'hi' }) }));
    a.tell({ type: 'go' });
    fx.runUntilIdle();
    expect(seen).not.toBeNull();
    expect(a.equals(seen)).toBe(true);
  });

  test('refs compare by node and id', () => {
    const a = fx.system.spawn(() => ({}));
    const again = fx.system.refFor(a.node, a.id);
    expect(a.equals(again)).toBe(true);
    expect(a === again).toBe(false);
    expect(a.key).toBe(`${fx.system.nodeId}#${a.id}`);
    expect(JSON.stringify(a)).toBe(JSON.stringify({ node: fx.system.nodeId, id: a.id }));
  });

  test('a request nobody answers rejects with request_timeout once the virtual clock passes the timeout', async () => {
    const silent = fx.system.spawn((ctx) => ({ ask: () => void ctx.promise() }));
    const answer = fx.system.request(silent, { type: 'ask' }, { timeout: 500 });
    const settled = jest.fn();
    answer.then(settled, settled);
    fx.runUntilIdle();
    fx.advance(499);
    await fx.settle();
    expect(settled).not.toHaveBeenCalled();
    fx.advance(1);
    await expect(answer).rejects.toMatchObject({ name: 'ActorError', code: 'request_timeout' });
  });

  test('a request to an actor without a handler for it rejects with unexpected_message', async () => {
    const a = fx.system.spawn(() => ({ known: () => 1 }));
    const answer = expect(fx.system.request(a, { type: 'unknown' })).rejects.toMatchObject({ code: 'unexpected_message' });
    await fx.settle();
    await answer;
  });

  test('a request to a stopped actor rejects with request_receiver_down', async () => {
    const a = fx.system.spawn(() => ({}));
    fx.system.stop(a);
    fx.runUntilIdle();
    const answer = expect(fx.system.request(a, { type: 'x' })).rejects.toMatchObject({ code: 'request_receiver_down' });
    await fx.settle();
    await answer;
  });

  test('requests with a bad timeout reject with invalid_argument', async () => {
    const a = fx.system.spawn(() => ({}));
    await expect(fx.system.request(a, { type: 'x' }, { timeout: -1 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(fx.system.request(a, { type: 'x' }, { timeout: Number.NaN })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  test('a message to a dead actor is a logged dead letter, never an exception at the sender', () => {
    const { logger, events } = captureLogs();
    const f = createTestSystem({ logger });
    const a = f.system.spawn(() => ({}));
    f.system.stop(a);
    f.runUntilIdle();
    expect(() => a.tell({ type: 'late' })).not.toThrow();
    expect(events.filter((e) => e.event === 'dead-letter')).toEqual([expect.objectContaining({ to: a.key, type: 'late' })]);
    return f.shutdown();
  });

  test('the registry maps names to live actors, rejects taken names and forgets stopped actors', () => {
    const a = fx.system.spawn(() => ({}), { name: 'a' });
    expect(fx.system.whereis('a')?.equals(a)).toBe(true);
    expect(() => fx.system.spawn(() => ({}), { name: 'a' })).toThrow(expect.objectContaining({ code: 'name_taken' }));
    fx.system.stop(a);
    fx.runUntilIdle();
    expect(fx.system.whereis('a')).toBeUndefined();
    const b = fx.system.spawn(() => ({}), { name: 'a' });
    expect(fx.system.whereis('a')?.equals(b)).toBe(true);
  });

  test('lookup on the own node answers from the registry', async () => {
    const a = fx.system.spawn(() => ({}));
    fx.system.register('svc', a);
    await expect(fx.system.lookup(fx.system.nodeId, 'svc')).resolves.toBe(a);
    await expect(fx.system.lookup(fx.system.nodeId, 'nope')).resolves.toBeUndefined();
  });

  test('register refuses remote refs, dead actors and empty names with invalid_argument', () => {
    const a = fx.system.spawn(() => ({}));
    expect(() => fx.system.register('', a)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => fx.system.register('x', fx.system.refFor('elsewhere', 1))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    fx.system.kill(a);
    fx.runUntilIdle();
    expect(() => fx.system.register('x', a)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  test('a request to an unknown node rejects with unreachable', async () => {
    await expect(fx.system.lookup('no-such-node', 'x')).rejects.toMatchObject({ code: 'unreachable' });
  });

  test('spawn validates its input with typed errors', () => {
    expect(() => fx.system.spawn(42 as never)).toThrow(ActorError);
    expect(() => fx.system.spawn(() => ({}), { mailboxCapacity: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  test('spawn checks every option before the actor exists: nothing half-built, no name taken', () => {
    const invalid = expect.objectContaining({ code: 'invalid_argument' });
    const before = fx.system.actorCount;
    expect(() => fx.system.spawn(() => ({}), { linkTo: 'x' as never, name: 'leaky' })).toThrow(invalid);
    expect(() => fx.system.spawn(() => ({}), { monitorBy: {} as never, name: 'leaky' })).toThrow(invalid);
    expect(() => fx.system.spawn(() => ({}), { onHandlerError: 'Drop' as never, name: 'leaky' })).toThrow(invalid);
    expect(() => fx.system.spawn(() => ({}), { remote: 'yes' as never, name: 'leaky' })).toThrow(invalid);
    expect(() => fx.system.spawn(() => ({}), null as never)).toThrow(invalid);
    expect(fx.system.actorCount).toBe(before);
    expect(fx.system.whereis('leaky')).toBeUndefined();
    expect(fx.system.spawn(() => ({}), { name: 'leaky', remote: ['ping'], onHandlerError: 'drop' })).toBeDefined();
  });

  test('an async behavior function is refused at spawn, with a hint (its promise holds no handlers)', () => {
    const down: string[] = [];
    const watcher = fx.system.spawn(() => ({
      down: (m: DownMessage) => {
        const cause = m.reason.kind === 'error' ? (m.reason.cause as ActorError) : undefined;
        down.push(`${cause?.code}: ${cause?.message}`);
      },
    }));
    fx.system.spawn((async () => ({ get: () => 1 })) as never, { monitorBy: watcher });
    fx.runUntilIdle();
    expect(down).toEqual([expect.stringMatching(/^invalid_argument: a behavior must be an object of handlers, not a promise/)]);
  });

  test('schedule refuses a delay that is no finite number of at least 0 (it would fire at once)', () => {
    const errors: string[] = [];
    const a = fx.system.spawn((ctx) => ({
      try: (m) => {
        try {
          ctx.schedule((m as unknown as { ms: number }).ms, { type: 'fired' });
        } catch (e) {
          errors.push((e as ActorError).code);
        }
      },
      fired: () => void errors.push('fired'),
    }));
    for (const ms of [Infinity, Number.NaN, -5, '500']) a.tell({ type: 'try', ms });
    fx.runUntilIdle();
    expect(errors).toEqual(['invalid_argument', 'invalid_argument', 'invalid_argument', 'invalid_argument']);
  });

  test('shutdown stops every actor, notifies monitors, rejects pending requests and is idempotent', async () => {
    const a = fx.system.spawn((ctx) => ({ ask: () => void ctx.promise() }));
    const b = fx.system.spawn(() => ({}));
    const pending = fx.system.request(a, { type: 'ask' }, { timeout: Infinity });
    fx.runUntilIdle();
    const first = fx.system.shutdown();
    const second = fx.system.shutdown();
    expect(second).toBe(first);
    await first;
    await expect(pending).rejects.toMatchObject({ code: 'broken_promise' });
    expect(fx.system.isAlive(a) || fx.system.isAlive(b)).toBe(false);
    expect(fx.system.state).toBe('stopped');
    expect(fx.clock.pendingCount).toBe(0);
    expect(() => fx.system.spawn(() => ({}))).toThrow(expect.objectContaining({ code: 'system_shutdown' }));
    await expect(fx.system.request(a, { type: 'ask' })).rejects.toMatchObject({ code: 'system_shutdown' });
  });

  test('shutdown runs hooks most recent first, and a failing hook does not stop the others', async () => {
    const order: string[] = [];
    fx.system.addShutdownHook('first', () => void order.push('first'));
    fx.system.addShutdownHook('failing', () => {
      throw new Error('nope');
    });
    fx.system.addShutdownHook('last', async () => void order.push('last'));
    await fx.system.shutdown();
    expect(order).toEqual(['last', 'first']);
  });

  test('a real system with the event-loop scheduler answers requests and shuts down leaving no timers', async () => {
    const sys = new ActorSystem({ logger: pino({ level: 'silent' }) });
    const c = sys.spawn(Counter, { args: [0] });
    for (let i = 0; i < 1000; i++) c.tell({ type: 'inc', by: 1 });
    await expect(sys.request(c, { type: 'get' })).resolves.toBe(1000);
    await sys.shutdown();
    expect((sys.clock as unknown as { pendingCount: number }).pendingCount).toBe(0);
  });

  test('system.stop with an error reason is reported to monitors as that reason', () => {
    const target = fx.system.spawn(() => ({}));
    const downs: unknown[] = [];
    fx.system.spawn((ctx) => {
      ctx.monitor(target);
      return { down: (m) => void downs.push(m.reason) };
    });
    fx.system.stop(target, ExitReasons.error('bad'));
    fx.runUntilIdle();
    expect(downs).toEqual([{ kind: 'error', cause: 'bad' }]);
  });
});
