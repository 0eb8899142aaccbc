import pino from 'pino';
import { Actor } from './actor';
import type { ActorContext } from './actor-context';
import { ActorError } from './actor-error';
import type { ActorRef } from './actor-ref';
import { ActorSystem } from './actor-system';
import type { Behavior } from './behavior';
import { createTestSystem, type DeterministicFixture } from './deterministic-fixture';
import { ExitReasons, type ExitReason } from './exit-reason';
import type { Schedulable } from './scheduler';
import type { DownMessage, ExitMessage } from './system-message';

function captureLogs(): { logger: pino.Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => events.push(JSON.parse(line)) });
  return { logger, events };
}

/** Spawns an observer that records DOWN and EXIT messages of `targets`. */
function observer(fx: DeterministicFixture, targets: ActorRef[], how: 'monitor' | 'link') {
  const seen: (DownMessage | ExitMessage)[] = [];
  const ref = fx.system.spawn(
    (ctx) => {
      for (const t of targets) ctx[how](t);
      return { down: (m) => void seen.push(m), exit: (m) => void seen.push(m) };
    },
    { trapExit: true },
  );
  return { ref, seen };
}

describe('an actor', () => {
  let fx: DeterministicFixture;
  beforeEach(() => {
    fx = createTestSystem();
  });
  afterEach(() => fx.shutdown());

  test('become replaces the behavior and unbecome returns to the one kept below', () => {
    const log: string[] = [];
    const a = fx.system.spawn((ctx) => {
      const excited: Behavior = { hi: () => void log.push('HI!'), calm: () => ctx.unbecome() };
      return { hi: () => void log.push('hi'), excite: () => ctx.become(excited, { keep: true }) };
    });
    for (const type of ['hi', 'excite', 'hi', 'calm', 'hi']) a.tell({ type });
    fx.runUntilIdle();
    expect(log).toEqual(['hi', 'HI!', 'hi']);
  });

  test('become without keep replaces the top, so unbecome on the initial behavior does nothing', () => {
    const log: string[] = [];
    const a = fx.system.spawn((ctx) => ({
      go: () => ctx.become({ go: () => void log.push('second'), back: () => ctx.unbecome() }),
    }));
    for (const type of ['go', 'back', 'go']) a.tell({ type });
    fx.runUntilIdle();
    expect(log).toEqual(['second']);
  });

  test('the idle timeout delivers a timeout message after the given quiet time, once per idle period', () => {
    const times: number[] = [];
    const a = fx.system.spawn((ctx) => {
      ctx.setIdleTimeout(100);
      return { timeout: () => void times.push(fx.clock.now()), poke: () => undefined };
    });
    fx.advance(60);
    a.tell({ type: 'poke' });
    fx.runUntilIdle();
    fx.advance(99);
    expect(times).toEqual([]);
    fx.advance(1);
    expect(times).toEqual([160]);
    fx.advance(100);
    expect(times).toEqual([160, 260]);
    expect(fx.clock.pendingCount).toBe(1);
  });

  test('setIdleTimeout(null) clears the timeout and a bad value throws invalid_argument', () => {
    const hits: number[] = [];
    let err: unknown;
    fx.system.spawn((ctx) => {
      ctx.setIdleTimeout(10);
      ctx.setIdleTimeout(null);
      try {
        ctx.setIdleTimeout(-5);
      } catch (e) {
        err = e;
      }
      return { timeout: () => void hits.push(1) };
    });
    fx.advance(100);
    expect(hits).toEqual([]);
    expect(err).toMatchObject({ code: 'invalid_argument' });
  });

  test('schedule sends a message to self after the delay, and a cancelled one never arrives', () => {
    const got: string[] = [];
    fx.system.spawn((ctx) => {
      ctx.schedule(50, { type: 'tick', n: 'a' });
      ctx.schedule(70, { type: 'tick', n: 'b' }).cancel();
      return { tick: (m) => void got.push(`${m.n}@${fx.clock.now()}`) };
    });
    fx.advance(49);
    expect(got).toEqual([]);
    fx.advance(100);
    expect(got).toEqual(['a@50']);
  });

  test('sendToSelfLater delivers its messages from self once no actor is ready, in order; a stopped actor gets none', () => {
    const got: string[] = [];
    const senders: boolean[] = [];
    const a = fx.system.spawn((ctx) => ({
      go: () => {
        ctx.sendToSelfLater({ type: 'later', n: 1 });
        ctx.sendToSelfLater({ type: 'later', n: 2 });
        got.push('go');
      },
      now: () => void got.push('now'),
      later: (m) => {
        got.push(`later${m.n}`);
        senders.push(ctx.sender?.equals(ctx.self) === true);
      },
    }));
    a.tell({ type: 'go' });
    a.tell({ type: 'now' });
    fx.runUntilIdle();
    expect(got).toEqual(['go', 'now', 'later1', 'later2']);
    expect(senders).toEqual([true, true]);
    const b = fx.system.spawn((ctx) => ({
      go: () => {
        ctx.sendToSelfLater({ type: 'later' });
        ctx.stop();
      },
      later: () => void got.push('b later'),
    }));
    b.tell({ type: 'go' });
    fx.runUntilIdle();
    expect(got).not.toContain('b later');
    expect(fx.scheduler.deferredCount).toBe(0);
  });

  test('timers of a stopped actor are cancelled', () => {
    const a = fx.system.spawn((ctx) => {
      ctx.schedule(50, { type: 'tick' });
      ctx.setIdleTimeout(10);
      return { tick: () => undefined };
    });
    expect(fx.clock.pendingCount).toBe(2);
    fx.system.stop(a);
    fx.runUntilIdle();
    expect(fx.clock.pendingCount).toBe(0);
  });

  test('a handler that throws stops the actor with error(cause): logged, links get EXIT, monitors get DOWN', () => {
    const { logger, events } = captureLogs();
    const f = createTestSystem({ logger });
    const boom = new Error('boom');
    const a = f.system.spawn(() => ({
      go: () => {
        throw boom;
      },
    }));
    const mon = (() => {
      const seen: DownMessage[] = [];
      f.system.spawn((ctx) => {
        ctx.monitor(a);
        return { down: (m) => void seen.push(m) };
      });
      return seen;
    })();
    const linked: ExitMessage[] = [];
    f.system.spawn(
      (ctx) => {
        ctx.link(a);
        return { exit: (m) => void linked.push(m) };
      },
      { trapExit: true },
    );
    const plain = f.system.spawn((ctx) => {
      ctx.link(a);
      return {};
    });
    a.tell({ type: 'go' });
    f.runUntilIdle();
    expect(f.system.isAlive(a)).toBe(false);
    expect(mon).toEqual([{ type: 'down', ref: a, reason: { kind: 'error', cause: boom } }]);
    expect(linked.map((m) => [m.from.equals(a), m.reason])).toEqual([[true, { kind: 'error', cause: boom }]]);
    expect(f.system.isAlive(plain)).toBe(false);
    expect(events.filter((e) => e.event === 'actor-failed').map((e) => e.actor)).toEqual([a.key, plain.key].slice(0, 1));
    return f.shutdown();
  });

  test('a request whose handler throws rejects with runtime_error carrying the cause', async () => {
    const a = fx.system.spawn(() => ({
      q: () => {
        throw new Error('bad');
      },
    }));
    const answer = expect(fx.system.request(a, { type: 'q' })).rejects.toMatchObject({ code: 'runtime_error', message: 'bad' });
    await fx.settle();
    await answer;
    expect(fx.system.isAlive(a)).toBe(false);
  });

  test('an async handler answers with its resolved value, and its rejection answers with an error without stopping the actor', async () => {
    const a = fx.system.spawn(() => ({
      ok: async (m) => (m.n as number) + 1,
      bad: async () => {
        throw new ActorError('invalid_argument', 'nope');
      },
    }));
    const ok = fx.system.request(a, { type: 'ok', n: 1 });
    const bad = expect(fx.system.request(a, { type: 'bad' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await fx.settle();
    await expect(ok).resolves.toBe(2);
    await bad;
    expect(fx.system.isAlive(a)).toBe(true);
  });

  test('an async handler of a plain message that rejects stops the actor with error', async () => {
    const a = fx.system.spawn(() => ({
      go: async () => {
        throw new Error('later');
      },
    }));
    const { seen } = observer(fx, [a], 'monitor');
    a.tell({ type: 'go' });
    await fx.settle();
    expect(seen).toEqual([expect.objectContaining({ type: 'down', reason: { kind: 'error', cause: new Error('later') } })]);
  });

  test('a response promise answers later; its actor stopping first breaks it', async () => {
    let held: { deliver(v: unknown): void } | undefined;
    const a = fx.system.spawn((ctx) => ({
      later: () => {
        held = ctx.promise();
        return 'ignored';
      },
      never: () => void ctx.promise(),
      notRequest: () => {
        const p = ctx.promise();
        expect(p.pending).toBe(false);
        p.deliver('nothing');
      },
    }));
    const later = fx.system.request(a, { type: 'later' });
    a.tell({ type: 'notRequest' });
    fx.runUntilIdle();
    held!.deliver('done');
    await fx.settle();
    await expect(later).resolves.toBe('done');
    const never = expect(fx.system.request(a, { type: 'never' })).rejects.toMatchObject({ code: 'broken_promise' });
    fx.runUntilIdle();
    fx.system.stop(a);
    await fx.settle();
    await never;
  });

  test('delegate forwards a request so that the answer goes straight to the requester', async () => {
    const worker = fx.system.spawn(() => ({ work: (m) => `done ${m.job}` }));
    const front = fx.system.spawn((ctx) => ({ job: (m) => ctx.delegate(worker, { type: 'work', job: m.job }) }));
    const answer = fx.system.request(front, { type: 'job', job: 7 });
    await fx.settle();
    await expect(answer).resolves.toBe('done 7');
    fx.expectNext({ kind: 'request', type: 'job', to: front, from: fx.system.nodeRef });
    fx.expectNext({ kind: 'request', type: 'work', to: worker, from: fx.system.nodeRef });
    fx.expectNext({ kind: 'response', from: worker, to: fx.system.nodeRef });
  });

  test('ctx.request from an actor resolves inside the actor, and a timeout rejects with request_timeout', async () => {
    const results: unknown[] = [];
    const server = fx.system.spawn((ctx) => ({ q: () => 42, slow: () => void ctx.promise() }));
    const client = fx.system.spawn((ctx) => ({
      go: async () => {
        results.push(await ctx.request(server, { type: 'q' }));
        try {
          await ctx.request(server, { type: 'slow' }, { timeout: 100 });
        } catch (e) {
          results.push((e as ActorError).code);
        }
      },
    }));
    client.tell({ type: 'go' });
    await fx.settle();
    fx.advance(100);
    await fx.settle();
    expect(results).toEqual([42, 'request_timeout']);
  });

  test('requests of an actor are dropped when it stops: their timers go away and nothing settles', async () => {
    const server = fx.system.spawn((ctx) => ({ slow: () => void ctx.promise() }));
    const settled = jest.fn();
    const client = fx.system.spawn((ctx) => ({ go: () => void ctx.request(server, { type: 'slow' }, { timeout: 100 }).then(settled, settled) }));
    client.tell({ type: 'go' });
    fx.runUntilIdle();
    fx.system.stop(client);
    fx.runUntilIdle();
    fx.advance(1000);
    await fx.settle();
    expect(settled).not.toHaveBeenCalled();
    expect(fx.system.requests.size).toBe(0);
  });

  test('a linked actor that stops normally does not take its partner down; kill does', () => {
    const a = fx.system.spawn((ctx) => ({ quit: () => ctx.stop() }));
    const b = fx.system.spawn((ctx) => {
      ctx.link(a);
      return {};
    });
    a.tell({ type: 'quit' });
    fx.runUntilIdle();
    expect(fx.system.isAlive(b)).toBe(true);
    const c = fx.system.spawn((ctx) => {
      ctx.link(b);
      return {};
    });
    fx.system.kill(b);
    fx.runUntilIdle();
    expect(fx.system.isAlive(b)).toBe(false);
    expect(fx.system.isAlive(c)).toBe(false);
  });

  test('kill cannot be trapped, but the EXIT it causes at linked actors can', () => {
    const { ref: watcher, seen } = observer(fx, [], 'link');
    const victim = fx.system.spawn(
      (ctx) => {
        ctx.link(watcher);
        return { exit: () => undefined };
      },
      { trapExit: true },
    );
    fx.runUntilIdle();
    fx.system.kill(victim);
    fx.runUntilIdle();
    expect(fx.system.isAlive(victim)).toBe(false);
    expect(seen).toEqual([expect.objectContaining({ type: 'exit', reason: { kind: 'kill' } })]);
  });

  test('unlink and demonitor stop the notifications', () => {
    const a = fx.system.spawn(() => ({}));
    const seen: string[] = [];
    const b = fx.system.spawn(
      (ctx) => {
        ctx.link(a);
        ctx.monitor(a);
        return { off: () => (ctx.unlink(a), ctx.demonitor(a)), down: () => void seen.push('down'), exit: () => void seen.push('exit') };
      },
      { trapExit: true },
    );
    b.tell({ type: 'off' });
    fx.runUntilIdle();
    fx.system.kill(a);
    fx.runUntilIdle();
    expect(seen).toEqual([]);
  });

  test('a monitor taken twice survives one demonitor: one DOWN arrives; two demonitors end it', () => {
    const a = fx.system.spawn(() => ({}));
    const b = fx.system.spawn(() => ({}));
    const seen: string[] = [];
    const watcher = fx.system.spawn((ctx) => {
      for (const t of [a, a, b, b]) ctx.monitor(t);
      return {
        once: () => (ctx.demonitor(a), ctx.demonitor(b), ctx.demonitor(b)),
        down: (m) => void seen.push(m.ref.equals(a) ? 'a' : 'b'),
      };
    });
    fx.runUntilIdle();
    watcher.tell({ type: 'once' });
    fx.runUntilIdle();
    fx.system.kill(a);
    fx.system.kill(b);
    fx.runUntilIdle();
    expect(seen).toEqual(['a']);
  });

  test('ctx.onStop hooks of a behavior function run once with the reason, in order, before monitors hear; removed ones do not', () => {
    const { logger, events } = captureLogs();
    const f = createTestSystem({ logger });
    const calls: string[] = [];
    const a = f.system.spawn((ctx) => {
      ctx.onStop((r) => void calls.push(`first:${r.kind}`));
      const remove = ctx.onStop(() => void calls.push('removed'));
      ctx.onStop(() => {
        throw new Error('hook failed');
      });
      ctx.onStop((r) => void calls.push(`last:${r.kind}`));
      remove();
      return { quit: () => ctx.stop(ExitReasons.kill) };
    });
    f.system.spawn((ctx) => {
      ctx.monitor(a);
      return { down: () => void calls.push('down') };
    });
    f.runUntilIdle();
    a.tell({ type: 'quit' });
    f.runUntilIdle();
    expect(calls).toEqual(['first:kill', 'last:kill', 'down']);
    expect(events.filter((e) => e.event === 'on-stop-failed')).toHaveLength(1);
    return f.shutdown();
  });

  test('ctx.onStop of a class actor runs after its onStop method; at shutdown too', async () => {
    const calls: string[] = [];
    class Stopper extends Actor<{ type: 'noop' }> {
      constructor(ctx: ActorContext<{ type: 'noop' }>) {
        super(ctx);
        ctx.onStop((r) => void calls.push(`hook:${r.kind}`));
      }
      behavior(): Behavior<{ type: 'noop' }> {
        return { noop: () => undefined };
      }
      override onStop(r: ExitReason): void {
        calls.push(`method:${r.kind}`);
      }
    }
    fx.system.spawn(Stopper);
    fx.runUntilIdle();
    await fx.shutdown();
    expect(calls).toEqual(['method:shutdown', 'hook:shutdown']);
  });

  test('monitoring or linking an actor that is already gone reports reason unknown at once', () => {
    const gone = fx.system.spawn(() => ({}));
    fx.system.stop(gone);
    fx.runUntilIdle();
    const { seen } = observer(fx, [gone], 'monitor');
    const { seen: linkSeen } = observer(fx, [gone], 'link');
    fx.runUntilIdle();
    expect(seen.map((m) => m.reason)).toEqual([ExitReasons.unknown]);
    expect(linkSeen.map((m) => m.reason)).toEqual([ExitReasons.unknown]);
  });

  test('spawn options linkTo and monitorBy are in place before the factory runs', () => {
    const { ref: parent, seen } = observer(fx, [], 'link');
    const { ref: mon, seen: monSeen } = observer(fx, [], 'monitor');
    fx.system.spawn(
      () => {
        throw new Error('init failed');
      },
      { linkTo: parent, monitorBy: mon },
    );
    fx.runUntilIdle();
    expect(seen.map((m) => m.reason.kind)).toEqual(['error']);
    expect(monSeen.map((m) => m.reason.kind)).toEqual(['error']);
  });

  test('spawnLinked children die with their parent when it fails', () => {
    let child: ActorRef | undefined;
    const parent = fx.system.spawn((ctx) => {
      child = ctx.spawnLinked(() => ({}));
      return {
        fail: () => {
          throw new Error('x');
        },
      };
    });
    parent.tell({ type: 'fail' });
    fx.runUntilIdle();
    expect(fx.system.isAlive(child!)).toBe(false);
  });

  test('stop(reason) inside a handler finishes the handler, then reports the reason', () => {
    const order: string[] = [];
    const a = fx.system.spawn((ctx) => ({
      go: () => {
        ctx.stop(ExitReasons.error('enough'));
        order.push('after stop');
      },
      next: () => void order.push('next'),
    }));
    const { seen } = observer(fx, [a], 'monitor');
    a.tell({ type: 'go' });
    a.tell({ type: 'next' });
    fx.runUntilIdle();
    expect(order).toEqual(['after stop']);
    expect(seen.map((m) => m.reason)).toEqual([{ kind: 'error', cause: 'enough' }]);
  });

  test('system messages overtake ordinary ones in the mailbox', () => {
    const got: string[] = [];
    const a = fx.system.spawn(() => ({ m: (x) => void got.push(x.n) }));
    a.tell({ type: 'm', n: '1' });
    a.tell({ type: 'm', n: '2' });
    fx.system.stop(a);
    fx.runUntilIdle();
    expect(got).toEqual([]);
  });

  test('messages from one sender arrive in the order sent', () => {
    const got: number[] = [];
    const a = fx.system.spawn(() => ({ m: (x) => void got.push(x.n) }));
    const s = fx.system.spawn((ctx) => ({ go: () => { for (let i = 0; i < 100; i++) ctx.send(a, { type: 'm', n: i }); } }));
    s.tell({ type: 'go' });
    fx.runUntilIdle();
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('mailboxSize is observable from the context and the system', () => {
    let inside = -1;
    const a = fx.system.spawn((ctx) => ({ m: () => void (inside = ctx.mailboxSize) }));
    for (let i = 0; i < 3; i++) a.tell({ type: 'm' });
    expect(fx.system.mailboxSize(a)).toBe(3);
    expect(fx.mailCount(a)).toBe(3);
    fx.dispatchOne();
    expect(inside).toBe(2);
    fx.runUntilIdle();
    expect(fx.system.mailboxSize(a)).toBe(0);
    expect(fx.system.mailboxSize(fx.system.refFor('other-node', 1))).toBeUndefined();
  });

  test('a bounded mailbox turns excess messages into dead letters and excess requests into mailbox_full', async () => {
    const a = fx.system.spawn(() => ({ m: () => 1 }), { mailboxCapacity: 2 });
    a.tell({ type: 'm' });
    a.tell({ type: 'm' });
    a.tell({ type: 'm' });
    const full = expect(fx.system.request(a, { type: 'm' })).rejects.toMatchObject({ code: 'mailbox_full' });
    expect(fx.system.mailboxSize(a)).toBe(2);
    await fx.settle();
    await full;
  });

  test('a message without a string type is logged as unexpected and does not stop the actor', () => {
    const { logger, events } = captureLogs();
    const f = createTestSystem({ logger });
    const a = f.system.spawn(() => ({ m: () => undefined }));
    (a as ActorRef<never>).tell(null as never);
    a.tell({ type: 42 } as never);
    f.runUntilIdle();
    expect(f.system.isAlive(a)).toBe(true);
    expect(events.filter((e) => e.event === 'unexpected-message')).toHaveLength(2);
    return f.shutdown();
  });

  test('a hostile message whose type getter throws counts as untyped: the sender is unharmed, the receiver lives on', () => {
    const hostile = Object.defineProperty({}, 'type', {
      get() {
        throw new Error('gotcha');
      },
    });
    const got: number[] = [];
    const victim = fx.system.spawn(() => ({ m: (x) => void got.push(x.n) }));
    expect(() => victim.tell(hostile as never)).not.toThrow();
    victim.tell({ type: 'm', n: 1 });
    fx.runUntilIdle();
    expect(fx.system.isAlive(victim)).toBe(true);
    expect(got).toEqual([1]);
    expect(fx.trace[0].type).toBeUndefined();
  });

  test('a behavior that is not an object of functions stops the actor with invalid_argument', () => {
    const { ref, seen } = observer(fx, [], 'link');
    fx.system.spawn(() => ({ m: 42 }) as never, { linkTo: ref });
    fx.system.spawn(() => null as never, { linkTo: ref });
    fx.runUntilIdle();
    expect(seen.map((m) => (m.reason as { cause: ActorError }).cause.code)).toEqual(['invalid_argument', 'invalid_argument']);
  });

  test('an Actor subclass gets onStop with the reason before its links hear of it', () => {
    const order: string[] = [];
    class Tracked extends Actor {
      behavior(): Behavior {
        return {};
      }
      override onStop(reason: ExitReason): void {
        order.push(`onStop ${reason.kind}`);
      }
    }
    const a = fx.system.spawn(Tracked);
    fx.system.spawn((ctx) => {
      ctx.monitor(a);
      return { down: () => void order.push('down') };
    });
    fx.system.kill(a);
    fx.runUntilIdle();
    expect(order).toEqual(['onStop kill', 'down']);
  });

  test('the context exposes self, system, sender and a logger bound to the actor', () => {
    const seen: unknown[] = [];
    const a = fx.system.spawn((ctx: ActorContext) => ({
      who: () => void seen.push(ctx.self.key, ctx.system === fx.system, ctx.sender, typeof ctx.log.info),
    }));
    a.tell({ type: 'who' });
    fx.runUntilIdle();
    expect(seen).toEqual([a.key, true, null, 'function']);
  });
});

describe('fairness', () => {
  test('with the deterministic scheduler each step runs one message of the next ready actor, round-robin', () => {
    const fx = createTestSystem();
    const order: string[] = [];
    const a = fx.system.spawn(() => ({ m: () => void order.push('a') }));
    const b = fx.system.spawn(() => ({ m: () => void order.push('b') }));
    for (let i = 0; i < 3; i++) a.tell({ type: 'm' });
    b.tell({ type: 'm' });
    fx.runUntilIdle();
    expect(order).toEqual(['a', 'b', 'a', 'a']);
    return fx.shutdown();
  });

  test('with the event-loop scheduler a flooded actor yields after `throughput` messages', async () => {
    const sys = new ActorSystem({ logger: pino({ level: 'silent' }), throughput: 10 });
    const order: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const busy = sys.spawn(() => ({ m: () => void order.push('busy') }));
    const other = sys.spawn(() => ({ m: () => void order.push('other'), end: () => done() }));
    for (let i = 0; i < 100; i++) busy.tell({ type: 'm' });
    other.tell({ type: 'm' });
    other.tell({ type: 'end' });
    await finished;
    expect(order.indexOf('other')).toBe(10);
    await sys.shutdown();
  });
});

describe('sendToSelfLater under the event-loop scheduler and under one that cannot defer', () => {
  test('the message comes after the burst of messages sent in microtasks, and at once without defer', async () => {
    const run = async (scheduler?: { schedule(a: Schedulable): void; close(): void }): Promise<string[]> => {
      const sys = new ActorSystem({ logger: pino({ level: 'silent' }), ...(scheduler ? { scheduler } : {}) });
      const order: string[] = [];
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const a = sys.spawn((ctx) => ({
        first: () => {
          const before = ctx.mailboxSize;
          ctx.sendToSelfLater({ type: 'later' });
          order.push(ctx.mailboxSize === before ? 'first, later deferred' : 'first, later queued');
        },
        m: (msg) => void order.push(`m${msg.i}`),
        later: () => {
          order.push('later');
          done();
        },
      }));
      a.tell({ type: 'first' });
      // A publisher-like burst: one message per microtask.
      for (let i = 0; i < 5; i++) {
        await Promise.resolve();
        a.tell({ type: 'm', i });
      }
      await finished;
      await sys.shutdown();
      return order;
    };
    expect(await run()).toEqual(['first, later deferred', 'm0', 'm1', 'm2', 'm3', 'm4', 'later']);
    // A scheduler of its own without `defer`: the message is sent at once.
    const queue: Schedulable[] = [];
    let kicked = false;
    const plain = {
      schedule(actor: Schedulable) {
        queue.push(actor);
        if (kicked) return;
        kicked = true;
        setImmediate(function drain() {
          kicked = false;
          for (let x = queue.shift(); x !== undefined; x = queue.shift()) if (x.resume(64)) queue.push(x);
        });
      },
      close() {},
    };
    expect(await run(plain)).toEqual(['first, later queued', 'm0', 'm1', 'm2', 'm3', 'm4', 'later']);
  });
});

describe("an actor spawned with onHandlerError: 'drop'", () => {
  test('survives throwing and rejecting handlers: each message is dropped, a request gets runtime_error, one warning per type, all counted', async () => {
    const { logger, events } = captureLogs();
    const fx = createTestSystem({ logger });
    try {
      const seen: number[] = [];
      const a = fx.system.spawn(
        () => ({
          boom: () => {
            throw new Error('boom');
          },
          later: () => Promise.reject(new Error('later')),
          n: (m) => void seen.push(m.i),
          ask: () => {
            throw new Error('no answer');
          },
        }),
        { onHandlerError: 'drop' },
      );
      const down = observer(fx, [a], 'monitor');
      a.tell({ type: 'boom' });
      a.tell({ type: 'n', i: 1 });
      a.tell({ type: 'boom' });
      a.tell({ type: 'later' });
      a.tell({ type: 'n', i: 2 });
      const answer = fx.system.request(a, { type: 'ask' });
      fx.runUntilIdle();
      await expect(answer).rejects.toMatchObject({ code: 'runtime_error', message: 'no answer' });
      await Promise.resolve();
      fx.runUntilIdle();
      expect(seen).toEqual([1, 2]);
      expect(fx.system.isAlive(a)).toBe(true);
      expect(down.seen).toEqual([]);
      expect(fx.system.handlerFailures).toBe(4);
      const warnings = events.filter((e) => e.event === 'handler-failed' && e.level === 40).map((e) => e.type);
      expect(warnings.sort()).toEqual(['ask', 'boom', 'later']);
    } finally {
      await fx.shutdown();
    }
  });

  test('without the option a throwing handler still stops the actor with reason error', () => {
    const fx = createTestSystem();
    const a = fx.system.spawn(() => ({
      boom: () => {
        throw new Error('boom');
      },
    }));
    const down = observer(fx, [a], 'monitor');
    a.tell({ type: 'boom' });
    fx.runUntilIdle();
    expect(fx.system.isAlive(a)).toBe(false);
    expect(down.seen).toMatchObject([{ type: 'down', reason: { kind: 'error' } }]);
    return fx.shutdown();
  });
});
