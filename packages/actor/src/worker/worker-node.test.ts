import * as path from 'node:path';
import pino from 'pino';
import { ActorRef } from '../actor-ref';
import { ActorSystem } from '../actor-system';
import type { DownMessage, ExitMessage } from '../system-message';
import { Supervisor, type ChildInfo } from '../supervisor';
import { spawnWorker, startWorker } from './start-worker';
import type { EchoMsg, TallyMsg } from '../../test/fixtures/worker/echo-actor';

const FIXTURE = path.join(__dirname, '../../test/fixtures/worker/echo-actor.ts');
const PLAIN_JS = path.join(__dirname, '../../test/fixtures/worker/plain-echo.js');

/** A local actor that records what it receives and resolves waiters per message type. */
function collector(system: ActorSystem) {
  const got: { type: string; [k: string]: unknown }[] = [];
  const waiters: { pred: (m: { type: string }) => boolean; resolve: (m: unknown) => void }[] = [];
  const ref = system.spawn(
    () => ({
      echoed: (m) => push(m),
      'saw-down': (m) => push(m),
      down: (m) => push(m),
      exit: (m) => push(m),
    }),
    { trapExit: true },
  );
  function push(m: { type: string }): void {
    got.push(m as never);
    for (const w of [...waiters]) if (w.pred(m)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
  }
  function next<T>(type: string): Promise<T> {
    const found = got.find((m) => m.type === type);
    if (found) return Promise.resolve(found as T);
    return new Promise((resolve) => waiters.push({ pred: (m) => m.type === type, resolve: resolve as (m: unknown) => void }));
  }
  return { ref, got, next };
}

describe('actors in worker threads', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = new ActorSystem({ name: 'main', logger: pino({ level: 'silent' }) });
  });
  afterEach(() => system.shutdown());

  test('spawnWorker returns a ref that answers requests and takes tells like a local actor', async () => {
    const echo = await spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo', args: ['w:'] });
    expect(echo.node).not.toBe(system.nodeId);
    await expect(system.request(echo, { type: 'echo', text: 'hi' })).resolves.toBe('w:hi');
    const c = collector(system);
    echo.tell({ type: 'tell-back', to: c.ref, text: 'back' });
    await expect(c.next('echoed')).resolves.toMatchObject({ text: 'w:back' });
    const self = await system.request<ActorRef>(echo, { type: 'whoami' });
    expect(self).toBeInstanceOf(ActorRef);
    expect(self.equals(echo)).toBe(true);
  });

  test('a class actor exported by a module runs in a worker with its args', async () => {
    const tally = await spawnWorker<TallyMsg>(system, FIXTURE, { exportName: 'Tally', args: [100] });
    for (let i = 1; i <= 10; i++) tally.tell({ type: 'add', n: i });
    await expect(system.request(tally, { type: 'total' })).resolves.toBe(155);
  });

  test('a compiled .js module works as well', async () => {
    const plain = await spawnWorker(system, PLAIN_JS, { exportName: 'plain' });
    await expect(system.request(plain, { type: 'echo', text: 'x' })).resolves.toBe('js:x');
  });

  test('refs travel main -> worker A -> worker B and the answers come back to A, then to main', async () => {
    const [a, b] = await Promise.all([
      spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo', args: ['A:'] }),
      spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo', args: ['B:'] }),
    ]);
    expect(a.node).not.toBe(b.node);
    await expect(system.request(a, { type: 'ask', to: b, text: 'via A' })).resolves.toBe('B:via A');
    const c = collector(system);
    b.tell({ type: 'tell-back', to: c.ref, text: 'direct' });
    await expect(c.next('echoed')).resolves.toMatchObject({ text: 'B:direct' });
  });

  test('remote lookup finds an actor registered by name in a worker', async () => {
    const echo = await spawnWorker(system, FIXTURE, { exportName: 'echo', name: 'echo-service' });
    const found = await system.lookup(echo.node, 'echo-service');
    expect(found?.equals(echo)).toBe(true);
    await expect(system.lookup(echo.node, 'nobody')).resolves.toBeUndefined();
  });

  test('a handler that throws in a worker is DOWN with reason error for a monitor in the main thread', async () => {
    const echo = await spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo' });
    const c = collector(system);
    system.spawn((ctx) => {
      ctx.monitor(echo);
      return { down: (m) => ctx.send(c.ref, m) };
    });
    await system.request(echo, { type: 'echo', text: 'ready' });
    echo.tell({ type: 'fail' });
    const down = await c.next<DownMessage>('down');
    expect(down.ref.equals(echo)).toBe(true);
    expect(down.reason).toMatchObject({ kind: 'error', cause: { message: 'handler failed' } });
  });

  test.each([
    ['an uncaught exception', { type: 'crash' } as EchoMsg],
    ['process.exit in the worker', { type: 'exit-process', code: 3 } as EchoMsg],
  ])('%s turns into DOWN and EXIT with reason unreachable, and pending requests reject', async (_what, killer) => {
    const node = startWorker(system, { name: 'victim' });
    const echo = await node.spawn<EchoMsg>(FIXTURE, { exportName: 'echo' });
    const c = collector(system);
    system.spawn((ctx) => {
      ctx.monitor(echo);
      ctx.link(echo);
      return { down: (m) => ctx.send(c.ref, m), exit: (m) => ctx.send(c.ref, m) };
    }, { trapExit: true });
    await system.request(echo, { type: 'echo', text: 'ready' });
    const pending = system.request(echo, { type: 'hang' }, { timeout: 60_000 });
    const pendingOutcome = pending.then(() => 'resolved', (e) => e.code as string);
    echo.tell(killer);
    const [down, exit] = await Promise.all([c.next<DownMessage>('down'), c.next<ExitMessage>('exit')]);
    expect(down.reason).toEqual({ kind: 'unreachable', node: echo.node });
    expect(exit.reason).toEqual({ kind: 'unreachable', node: echo.node });
    expect(await pendingOutcome).toBe('unreachable');
    await node.exited;
    expect(node.isRunning).toBe(false);
  });

  test('a hung worker (an endless loop) is declared dead by pings without traffic: DOWN unreachable, and the thread is terminated', async () => {
    const node = startWorker(system, { name: 'spinner', livenessTimeout: 1000 });
    const echo = await node.spawn<EchoMsg>(FIXTURE, { exportName: 'echo' });
    const c = collector(system);
    system.spawn((ctx) => {
      ctx.monitor(echo);
      return { down: (m) => ctx.send(c.ref, m) };
    });
    await system.request(echo, { type: 'echo', text: 'ready' });
    echo.tell({ type: 'spin' });
    // Before pings, nothing noticed: the thread spun until shutdown.
    const down = await c.next<DownMessage>('down');
    expect(down.reason).toEqual({ kind: 'unreachable', node: echo.node });
    await node.exited;
    expect(node.isRunning).toBe(false);
  });

  test('a worker actor monitoring an actor of another worker hears DOWN when that worker dies', async () => {
    const [watcher, victim] = await Promise.all([
      spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo' }),
      spawnWorker<EchoMsg>(system, FIXTURE, { exportName: 'echo' }),
    ]);
    const c = collector(system);
    await system.request(watcher, { type: 'watch', ref: victim, report: c.ref });
    victim.tell({ type: 'crash' });
    const seen = await c.next<{ ref: ActorRef; reason: unknown }>('saw-down');
    expect(seen.ref.equals(victim)).toBe(true);
    expect(seen.reason).toEqual({ kind: 'unreachable', node: victim.node });
  });

  test('a supervisor restarts a worker child whose thread crashed', async () => {
    const sup = system.spawn(Supervisor, {
      args: [{ children: [{ id: 'echo', start: () => spawnWorker(system, FIXTURE, { exportName: 'echo', args: ['s:'] }) }] }],
    });
    const childRef = async (): Promise<ActorRef> => {
      for (;;) {
        const [k] = await system.request<ChildInfo[]>(sup, { type: 'which-children' });
        if (k.ref !== null) return k.ref as ActorRef;
        await new Promise((r) => setImmediate(r));
      }
    };
    const first = await childRef();
    await expect(system.request(first, { type: 'echo', text: '1' })).resolves.toBe('s:1');
    first.tell({ type: 'crash' });
    let second = await childRef();
    while (second.equals(first)) second = await childRef();
    expect(second.node).not.toBe(first.node);
    await expect(system.request(second, { type: 'echo', text: '2' })).resolves.toBe('s:2');
  });

  test('a dedicated worker ends when its actor stops', async () => {
    const node = startWorker(system);
    const echo = await node.spawn<EchoMsg>(FIXTURE, { exportName: 'echo', dedicated: true });
    echo.tell({ type: 'quit' });
    await expect(node.exited).resolves.toBe(0);
  });

  test('a missing module or export rejects with spawn_failed and leaves no thread behind', async () => {
    await expect(spawnWorker(system, path.join(__dirname, 'no-such-module.ts'))).rejects.toMatchObject({ code: 'spawn_failed' });
    await expect(spawnWorker(system, FIXTURE, { exportName: 'nope' })).rejects.toMatchObject({ code: 'spawn_failed' });
    expect(system.router.nodes).toEqual([]);
  });

  test('terminate stops the worker in order: its actors run onStop and their monitors hear shutdown', async () => {
    const node = startWorker(system);
    const stopped: unknown[] = [];
    let seen!: () => void;
    const reported = new Promise<void>((r) => (seen = r));
    const box = system.spawn(() => ({ stopped: (m) => void (stopped.push(m.reason), seen()) }));
    const reporter = await node.spawn(FIXTURE, { exportName: 'Reporter', args: [box] });
    const c = collector(system);
    system.spawn((ctx) => {
      ctx.monitor(reporter);
      return { down: (m) => ctx.send(c.ref, m) };
    });
    await expect(system.request(reporter, { type: 'ping' })).resolves.toBe('pong');
    await node.terminate();
    await reported;
    expect(stopped).toEqual([{ kind: 'shutdown' }]);
    await expect(c.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'shutdown' } });
    await expect(node.exited).resolves.toBe(0);
  });

  test('a worker that ends in order is logged at info, one that fails at warn', async () => {
    const lines: Array<{ level: number; event?: string; node?: string }> = [];
    const logged = new ActorSystem({ name: 'logged', logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) });
    try {
      const calm = startWorker(logged, { name: 'calm' });
      await calm.spawn(FIXTURE, { exportName: 'echo' });
      await calm.terminate();
      await expect(calm.exited).resolves.toBe(0);
      const failing = startWorker(logged, { name: 'failing' });
      const echo = await failing.spawn<EchoMsg>(FIXTURE, { exportName: 'echo' });
      echo.tell({ type: 'exit-process', code: 3 });
      await expect(failing.exited).resolves.toBe(3);
      const downs = lines.filter((l) => l.event === 'node-down').map((l) => [l.node, l.level]);
      expect(downs).toEqual([
        [calm.nodeId, 30],
        [failing.nodeId, 40],
      ]);
    } finally {
      await logged.shutdown();
    }
  });

  test('terminate(0) kills the thread at once: its actors are unreachable', async () => {
    const node = startWorker(system);
    const echo = await node.spawn(FIXTURE, { exportName: 'echo' });
    const c = collector(system);
    system.spawn((ctx) => {
      ctx.monitor(echo);
      return { down: (m) => ctx.send(c.ref, m) };
    });
    await system.request(echo, { type: 'echo', text: 'x' });
    await node.terminate(0);
    await expect(c.next<DownMessage>('down')).resolves.toMatchObject({ reason: { kind: 'unreachable' } });
  });

  test('shutdown terminates every worker thread', async () => {
    const node = startWorker(system);
    await node.spawn(FIXTURE, { exportName: 'echo' });
    await system.shutdown();
    await node.exited;
    expect(node.isRunning).toBe(false);
    expect(system.router.nodes).toEqual([]);
  });
});
