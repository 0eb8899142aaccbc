import * as path from 'node:path';
import pino from 'pino';
import type { ActorRef } from '../actor-ref';
import { ActorSystem } from '../actor-system';
import type { EchoMsg } from '../../test/fixtures/worker/echo-actor';
import type { CheckerMsg, SequencerMsg } from '../../test/fixtures/worker/sibling-actors';
import { SiblingIntroducer } from './sibling-introducer';
import { spawnWorker, startWorker } from './start-worker';

const ECHO = path.join(__dirname, '../../test/fixtures/worker/echo-actor.ts');
const SIBLING = path.join(__dirname, '../../test/fixtures/worker/sibling-actors.ts');

describe('direct channels between sibling workers', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = new ActorSystem({ name: 'main', logger: pino({ level: 'silent' }) });
  });
  afterEach(() => system.shutdown());

  /** The nodes a worker node has direct links to (its `node-links` service). */
  const linksOf = (node: string): Promise<string[]> => system.request<string[]>(system.refFor(node, 0), { type: 'node-links' });

  /** Waits (message by message, no timer) until `pred` holds for the links of `node`. */
  async function untilLinks(node: string, pred: (links: string[]) => boolean): Promise<string[]> {
    for (;;) {
      const links = await linksOf(node);
      if (pred(links)) return links;
      await new Promise((r) => setImmediate(r));
    }
  }

  async function twoEchoes(): Promise<[ActorRef<EchoMsg>, ActorRef<EchoMsg>]> {
    return Promise.all([
      spawnWorker<EchoMsg>(system, ECHO, { exportName: 'echo', args: ['A:'] }),
      spawnWorker<EchoMsg>(system, ECHO, { exportName: 'echo', args: ['B:'] }),
    ]);
  }

  test('after the first relayed exchange, A asks B and B answers A without crossing the main thread', async () => {
    const [a, b] = await twoEchoes();
    await expect(system.request(a, { type: 'ask', to: b, text: 'first' })).resolves.toBe('B:first');
    expect(system.router.forwardedBatches).toBeGreaterThan(0);
    await untilLinks(a.node, (l) => l.includes(b.node));
    await untilLinks(b.node, (l) => l.includes(a.node));
    const before = system.router.forwardedBatches;
    for (let i = 0; i < 20; i++) await expect(system.request(a, { type: 'ask', to: b, text: `${i}` })).resolves.toBe(`B:${i}`);
    expect(system.router.forwardedBatches).toBe(before);
    expect(SiblingIntroducer.of(system).pairCount).toBe(1);
  });

  test('a stream from A to B keeps its order across the switch from the relay to the direct channel', async () => {
    const [wa, wb] = [startWorker(system, { name: 'A' }), startWorker(system, { name: 'B' })];
    const [seq, check] = await Promise.all([wa.spawn<SequencerMsg>(SIBLING, { exportName: 'sequencer' }), wb.spawn<CheckerMsg>(SIBLING, { exportName: 'checker' })]);
    const total = 20_000;
    seq.tell({ type: 'burst', to: check, next: 0, last: total, chunk: 100 });
    // Once the main thread has relayed A's first batch (and so introduced A and B), hold
    // it: relayed batches pile up in its port while A switches to the channel, so the
    // direct messages would overtake them without the relay-end marker.
    while (system.router.forwardedBatches === 0) await new Promise((r) => setImmediate(r));
    for (const t0 = Date.now(); Date.now() - t0 < 200; );
    let report: { received: number; outOfOrder: number };
    do {
      report = await system.request(check, { type: 'report' });
      if (report.received < total) await new Promise((r) => setImmediate(r));
    } while (report.received < total && report.outOfOrder === 0);
    expect(report).toEqual({ received: total, outOfOrder: 0 });
    expect(await linksOf(wa.nodeId)).toContain(wb.nodeId);
    // Some of the stream went through the main thread (before the introduction), not all of it.
    expect(system.router.forwardedBatches).toBeGreaterThan(0);
    expect(system.router.forwardedBatches).toBeLessThan(total / 100);
  });

  test('when B crashes while A holds a direct channel to it, A\'s monitor hears DOWN unreachable and the channel is gone', async () => {
    const [a, b] = await twoEchoes();
    await system.request(a, { type: 'ask', to: b, text: 'hello' });
    await untilLinks(a.node, (l) => l.includes(b.node));
    const seen = new Promise<{ ref: ActorRef; reason: unknown }>((resolve) => {
      const report = system.spawn(() => ({ 'saw-down': (m) => resolve(m as never) }));
      a.tell({ type: 'watch', ref: b, report });
    });
    await system.request(a, { type: 'echo', text: 'watching' });
    b.tell({ type: 'crash' });
    const down = await seen;
    expect(down.ref.equals(b)).toBe(true);
    expect(down.reason).toEqual({ kind: 'unreachable', node: b.node });
    await untilLinks(a.node, (l) => !l.includes(b.node));
    await expect(system.request(a, { type: 'ask', to: b, text: 'gone' })).rejects.toMatchObject({ code: 'unreachable' });
    expect(SiblingIntroducer.of(system).pairCount).toBe(0);
  });

  test('an orderly stop of B reaches A\'s monitor over the channel as shutdown; A keeps working', async () => {
    const wb = startWorker(system, { name: 'B' });
    const [a, b] = await Promise.all([spawnWorker<EchoMsg>(system, ECHO, { exportName: 'echo', args: ['A:'] }), wb.spawn<EchoMsg>(ECHO, { exportName: 'echo', args: ['B:'] })]);
    await system.request(a, { type: 'ask', to: b, text: 'hello' });
    await untilLinks(a.node, (l) => l.includes(b.node));
    const seen = new Promise<{ reason: unknown }>((resolve) => {
      const report = system.spawn(() => ({ 'saw-down': (m) => resolve(m as never) }));
      a.tell({ type: 'watch', ref: b, report });
    });
    // A's ask travels behind its monitor request: once answered, B has the monitor.
    await expect(system.request(a, { type: 'ask', to: b, text: 'sync' })).resolves.toBe('B:sync');
    await wb.terminate();
    expect((await seen).reason).toEqual({ kind: 'shutdown' });
    await untilLinks(a.node, (l) => !l.includes(b.node));
    await expect(system.request(a, { type: 'echo', text: 'still here' })).resolves.toBe('A:still here');
  });

  test('directSiblings: false keeps a worker\'s sibling traffic on the relay', async () => {
    const [a, b] = await Promise.all([
      spawnWorker<EchoMsg>(system, ECHO, { exportName: 'echo', directSiblings: false }),
      spawnWorker<EchoMsg>(system, ECHO, { exportName: 'echo', args: ['B:'] }),
    ]);
    for (let i = 0; i < 5; i++) await expect(system.request(a, { type: 'ask', to: b, text: `${i}` })).resolves.toBe(`B:${i}`);
    expect(system.router.forwardedBatches).toBeGreaterThanOrEqual(10);
    expect(await linksOf(a.node)).toEqual([system.nodeId]);
    expect(await linksOf(b.node)).toEqual([system.nodeId]);
  });

  test('shutdown with direct channels up ends every thread', async () => {
    const wa = startWorker(system);
    const wb = startWorker(system);
    const [a, b] = await Promise.all([wa.spawn<EchoMsg>(ECHO, { exportName: 'echo' }), wb.spawn<EchoMsg>(ECHO, { exportName: 'echo', args: ['B:'] })]);
    await system.request(a, { type: 'ask', to: b, text: 'x' });
    await untilLinks(b.node, (l) => l.includes(a.node));
    await system.shutdown();
    await Promise.all([wa.exited, wb.exited]);
    expect(system.router.nodes).toEqual([]);
    expect(SiblingIntroducer.of(system).pairCount).toBe(0);
  });
});
