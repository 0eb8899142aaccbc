import type { ActorContext } from '../actor-context';
import type { ActorRef } from '../actor-ref';
import { createTestSystem, type DeterministicFixture } from '../deterministic-fixture';
import type { Message } from '../message';
import type { FlowError } from './flow-error';
import { FlowHost, withFlows, type Stream } from './flow-host';
import type { SinkOptions, StreamSink } from './stream-sink';
import type { SourceOptions } from './stream-source';

/** What a test consumer saw. */
interface ConsumerProbe {
  /** Items consumed, in order. */
  items: number[];
  /** Items received and not yet consumed (manual ack). */
  backlog: number[];
  /** Largest backlog seen. */
  maxBacklog: number;
  completed: number;
  errors: FlowError[];
  batches: number;
  sink?: StreamSink<number>;
  host?: FlowHost;
}

interface ConsumerOptions extends SinkOptions {
  /** Refuse every stream. */
  refuse?: boolean;
  /** Consume one item every this many ms (manual ack); absent: consume on arrival. */
  everyMs?: number;
}

type RunMsg = { type: 'run'; fn: (host: FlowHost, ctx: ActorContext<Message>) => void };
type ConsumerMsg = RunMsg | { type: 'tick' } | { type: 'drain' } | { type: 'crash' };

function spawnConsumer(fx: DeterministicFixture, options: ConsumerOptions = {}): [ActorRef, ConsumerProbe] {
  const probe: ConsumerProbe = { items: [], backlog: [], maxBacklog: 0, completed: 0, errors: [], batches: 0 };
  const { refuse, everyMs, ...sinkOptions } = options;
  const manual = everyMs !== undefined || sinkOptions.ack === 'manual';
  const ref = fx.system.spawn((ctx) => {
    const host = new FlowHost(ctx, {
      onOpen: () =>
        refuse === true
          ? undefined
          : {
              ...sinkOptions,
              ack: manual ? 'manual' : 'auto',
              onItems: (items: number[], sink: StreamSink<number>) => {
                probe.sink = sink;
                probe.batches++;
                if (manual) {
                  probe.backlog.push(...items);
                  probe.maxBacklog = Math.max(probe.maxBacklog, probe.backlog.length);
                } else probe.items.push(...items);
              },
              onComplete: () => probe.completed++,
              onError: (e: FlowError) => probe.errors.push(e),
            },
    });
    probe.host = host;
    if (everyMs !== undefined) ctx.schedule(everyMs, { type: 'tick' });
    const consume = (n: number): void => {
      const taken = probe.backlog.splice(0, n);
      probe.items.push(...taken);
      probe.sink?.consumed(taken.length);
    };
    return withFlows<ConsumerMsg>(host, {
      tick: () => {
        consume(1);
        ctx.schedule(everyMs as number, { type: 'tick' });
      },
      drain: () => consume(probe.backlog.length),
      crash: () => {
        throw new Error('consumer crashed on purpose');
      },
      run: (m: RunMsg) => m.fn(host, ctx),
    });
  });
  return [ref, probe];
}

function spawnProducer(fx: DeterministicFixture): [ActorRef, { host?: FlowHost }] {
  const probe: { host?: FlowHost } = {};
  const ref = fx.system.spawn((ctx) => {
    const host = new FlowHost(ctx);
    probe.host = host;
    return withFlows(host, { run: (m: RunMsg) => m.fn(host, ctx) });
  });
  return [ref, probe];
}

/** Runs `fn` inside the actor's turn, then runs every actor until idle. */
function inActor(fx: DeterministicFixture, actor: ActorRef, fn: RunMsg['fn']): void {
  actor.tell({ type: 'run', fn } satisfies RunMsg);
  fx.runUntilIdle();
}

/** Opens a stream from `producer` to `consumer` and runs until it is accepted. */
function openStream(fx: DeterministicFixture, producer: ActorRef, consumer: ActorRef, options: SourceOptions & { meta?: unknown } = {}): Stream<number> {
  let s: Stream<number> | undefined;
  inActor(fx, producer, (host) => {
    s = host.open<number>(consumer, options);
  });
  return s as Stream<number>;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, k) => from + k);

describe('FlowHost: streams between actors', () => {
  let fx: DeterministicFixture;
  beforeEach(() => {
    fx = createTestSystem();
  });
  afterEach(() => fx.shutdown());

  test('a stream delivers every item in order in few batch messages, completes, and leaves no state behind', async () => {
    const [consumer, c] = spawnConsumer(fx, { highWatermark: 4096 });
    const [producer, p] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { maxBatch: 500, meta: { topic: 'a/b' } });
    expect(s.state).toBe('open');
    expect(c.sink?.meta ?? c.host?.sinkCount).toBe(1); // accepted, no batch yet
    fx.clearTrace();
    inActor(fx, producer, () => {
      for (const i of range(2000)) s.push(i);
      s.close();
    });
    expect(c.items).toEqual(range(2000));
    expect(c.completed).toBe(1);
    expect(fx.hops({ type: 'flow.batch' }).length).toBe(4);
    expect(await s.done()).toBeUndefined();
    expect([p.host?.sourceCount, p.host?.peerCount, c.host?.sinkCount, c.host?.peerCount]).toEqual([0, 0, 0, 0]);
    // Both sides stopped monitoring each other.
    expect(fx.hops({ kind: 'demonitor' }).length).toBe(2);
  });

  test('items pushed in turns of their own, between which other work runs, share one batch: the flush waits for the pass', () => {
    const [consumer, c] = spawnConsumer(fx, { highWatermark: 4096 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { maxBatch: 500 });
    fx.clearTrace();
    // As a publisher that awaits each write: one item per turn, one turn per step.
    for (const i of range(20)) {
      producer.tell({ type: 'run', fn: () => void s.push(i) } satisfies RunMsg);
      expect(fx.scheduler.runOne()).toBe(true);
    }
    expect(c.batches).toBe(0);
    fx.runUntilIdle();
    expect(c.items).toEqual(range(20));
    expect(c.batches).toBe(1);
    expect(fx.hops({ type: 'flow.batch' }).length).toBe(1);
  });

  test('the consumer sees the meta data the producer attached', () => {
    let meta: unknown;
    const consumer = fx.system.spawn((ctx) => {
      const host = new FlowHost(ctx, {
        onOpen: (incoming) => {
          meta = incoming.meta;
          return { onItems: () => undefined };
        },
      });
      return withFlows(host, {});
    });
    const [producer] = spawnProducer(fx);
    openStream(fx, producer, consumer, { meta: { topic: 'zeek/events' } });
    expect(meta).toEqual({ topic: 'zeek/events' });
  });

  test('under block a producer 100x faster than its consumer loses nothing and never exceeds its buffer', () => {
    const [consumer, c] = spawnConsumer(fx, { everyMs: 1, highWatermark: 16 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 64, policy: 'block', maxBatch: 8 });
    const total = 1500;
    let next = 0;
    let maxBuffered = 0;
    let refusals = 0;
    for (let t = 0; t < 1700 && c.items.length < total; t++) {
      // Each virtual millisecond the producer tries 100 items; the consumer takes 1.
      inActor(fx, producer, () => {
        for (let k = 0; k < 100 && next < total; k++) {
          if (!s.push(next)) {
            refusals++;
            break;
          }
          next++;
          maxBuffered = Math.max(maxBuffered, s.buffered);
        }
        if (next === total) s.close();
      });
      fx.advance(1);
    }
    expect(c.items).toEqual(range(total));
    expect(c.completed).toBe(1);
    expect(s.dropped).toBe(0);
    expect(maxBuffered).toBe(64);
    expect(c.maxBacklog).toBeLessThanOrEqual(16);
    expect(refusals).toBeGreaterThan(1000);
  });

  test('under block an awaiting writer resumes as the consumer drains, losing nothing', async () => {
    const [consumer, c] = spawnConsumer(fx, { everyMs: 1, highWatermark: 8 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 16, policy: 'block' });
    let maxBuffered = 0;
    const writer = (async () => {
      for (const i of range(200)) {
        await s.write(i);
        maxBuffered = Math.max(maxBuffered, s.buffered);
      }
      s.close();
    })();
    for (let t = 0; t < 400 && c.items.length < 200; t++) {
      fx.advance(1);
      await fx.settle();
    }
    await writer;
    expect(c.items).toEqual(range(200));
    expect(c.completed).toBe(1);
    expect(maxBuffered).toBeLessThanOrEqual(16);
  });

  test.each([
    ['dropOldest', range(8, 92)],
    ['dropNewest', range(8)],
  ] as const)('under %s the consumer gets the items the policy keeps and drops are counted', (policy, expected) => {
    const [consumer, c] = spawnConsumer(fx, { ack: 'manual', highWatermark: 4 });
    const [producer] = spawnProducer(fx);
    let s: Stream<number> | undefined;
    inActor(fx, producer, (host) => {
      // Pushed before the first credit arrives: only the buffer's 8 items survive.
      s = host.open<number>(consumer, { capacity: 8, policy });
      for (const i of range(100)) s.push(i);
    });
    consumer.tell({ type: 'drain' });
    fx.runUntilIdle();
    consumer.tell({ type: 'drain' });
    fx.runUntilIdle();
    expect(c.items).toEqual(expected);
    expect(s?.dropped).toBe(92);
    expect(s?.sent).toBe(8);
  });

  test('under disconnect an overflow cuts the stream with an overflow error on both sides', async () => {
    const [consumer, c] = spawnConsumer(fx, { ack: 'manual', highWatermark: 4 });
    const [producer, p] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 8, policy: 'disconnect' });
    const results: boolean[] = [];
    inActor(fx, producer, () => {
      for (const i of range(13)) results.push(s.push(i));
    });
    expect(results).toEqual([...Array(12).fill(true), false]);
    const err = await s.done();
    expect(err?.code).toBe('overflow');
    expect(c.errors.map((e) => e.code)).toEqual(['overflow']);
    expect(c.completed).toBe(0);
    expect([p.host?.sourceCount, c.host?.sinkCount, p.host?.peerCount, c.host?.peerCount]).toEqual([0, 0, 0, 0]);
  });

  test('an overflow under disconnect before the first credit reaches the consumer as overflow and leaves no state', () => {
    const [consumer, c] = spawnConsumer(fx, { ack: 'manual', highWatermark: 4 });
    const [producer, p] = spawnProducer(fx);
    let s: Stream<number> | undefined;
    inActor(fx, producer, (host) => {
      s = host.open<number>(consumer, { capacity: 8, policy: 'disconnect' });
      for (const i of range(9)) s.push(i);
    });
    expect(s?.error?.code).toBe('overflow');
    expect(c.errors.map((e) => e.code)).toEqual(['overflow']);
    expect([p.host?.sourceCount, p.host?.peerCount, c.host?.sinkCount, c.host?.peerCount]).toEqual([0, 0, 0, 0]);
  });

  test('a consumer that dies ends the producer stream with consumer_down and wakes its writer', async () => {
    const [consumer, c] = spawnConsumer(fx, { ack: 'manual', highWatermark: 2 });
    const [producer, p] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 4 });
    inActor(fx, producer, () => range(6).forEach((i) => s.push(i)));
    const blocked = s.write(6);
    consumer.tell({ type: 'crash' });
    fx.runUntilIdle();
    await expect(blocked).rejects.toMatchObject({ code: 'consumer_down' });
    expect((await s.done())?.message).toMatch(/consumer crashed on purpose/);
    expect(s.dropped).toBe(4);
    expect(c.items).toEqual([]);
    expect([p.host?.sourceCount, p.host?.peerCount]).toEqual([0, 0]);
  });

  test('a producer that dies ends the consumer stream with producer_down', () => {
    const [consumer, c] = spawnConsumer(fx);
    const [producer] = spawnProducer(fx);
    openStream(fx, producer, consumer);
    fx.system.kill(producer);
    fx.runUntilIdle();
    expect(c.errors.map((e) => e.code)).toEqual(['producer_down']);
    expect(c.errors[0].message).toMatch(/kill/);
    expect([c.host?.sinkCount, c.host?.peerCount]).toEqual([0, 0]);
  });

  test('a producer that completes and then stops is seen completing, with every item', () => {
    const [consumer, c] = spawnConsumer(fx);
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { maxBatch: 10 });
    inActor(fx, producer, (_host, ctx) => {
      for (const i of range(50)) s.push(i);
      s.close();
      ctx.stop();
    });
    expect(c.items).toEqual(range(50));
    expect(c.completed).toBe(1);
    expect(c.errors).toEqual([]);
  });

  test('a producer whose actor stops wakes its waiting writers with aborted', async () => {
    const [consumer] = spawnConsumer(fx, { ack: 'manual', highWatermark: 1 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 2 });
    inActor(fx, producer, () => range(3).forEach((i) => s.push(i)));
    const blocked = s.write(3);
    fx.system.stop(producer);
    fx.runUntilIdle();
    await expect(blocked).rejects.toMatchObject({ code: 'aborted' });
    expect(() => inActor(fx, consumer, () => undefined)).not.toThrow();
  });

  test('a system shutdown wakes waiting writers with aborted', async () => {
    const [consumer] = spawnConsumer(fx, { ack: 'manual', highWatermark: 1 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer, { capacity: 1 });
    inActor(fx, producer, () => range(2).forEach((i) => s.push(i)));
    const blocked = s.write(2);
    await fx.shutdown();
    await expect(blocked).rejects.toMatchObject({ code: 'aborted', message: 'the actor system shut down' });
  });

  test('a slow consumer on one stream does not slow another stream of the same producer', () => {
    const [slow, sc] = spawnConsumer(fx, { everyMs: 10, highWatermark: 4 });
    const [fast, fc] = spawnConsumer(fx, { highWatermark: 256 });
    const [producer] = spawnProducer(fx);
    const toSlow = openStream(fx, producer, slow, { capacity: 32, policy: 'dropOldest' });
    const toFast = openStream(fx, producer, fast, { capacity: 256, policy: 'block' });
    let next = 0;
    let fastRefused = 0;
    for (let t = 0; t < 100; t++) {
      inActor(fx, producer, () => {
        for (let k = 0; k < 100; k++, next++) {
          toSlow.push(next);
          if (!toFast.push(next)) fastRefused++;
        }
      });
      fx.advance(1);
    }
    expect(fastRefused).toBe(0);
    expect(fc.items).toEqual(range(10_000));
    expect(sc.items.length).toBeLessThanOrEqual(10);
    expect(toSlow.buffered).toBeLessThanOrEqual(32);
    expect(toSlow.dropped).toBeGreaterThan(9_000);
    expect(toFast.dropped).toBe(0);
  });

  test('credit flows end to end through a relay: a fast producer is held to the slow consumer speed, nothing lost, every buffer bounded', async () => {
    const [consumer, c] = spawnConsumer(fx, { everyMs: 1, highWatermark: 8 });
    let relayBacklogMax = 0;
    let out: Stream<number> | undefined;
    // The relay consumes with manual credit: it reports items consumed only once the
    // downstream stream took them, so backpressure reaches the producer.
    const relay = fx.system.spawn((ctx) => {
      const pending: number[] = [];
      let sink: StreamSink<number> | undefined;
      let upstreamDone = false;
      const forward = (): void => {
        let n = 0;
        while (n < pending.length && out!.push(pending[n])) n++;
        pending.splice(0, n);
        if (n > 0) sink!.consumed(n);
        if (pending.length > 0) void out!.ready().then((fits) => fits && forward());
        else if (upstreamDone) out!.close();
      };
      const host = new FlowHost(ctx, {
        onOpen: () => ({
          highWatermark: 16,
          ack: 'manual',
          onItems: (items: number[], s: StreamSink<number>) => {
            sink = s;
            pending.push(...items);
            relayBacklogMax = Math.max(relayBacklogMax, pending.length);
            forward();
          },
          onComplete: () => {
            upstreamDone = true;
            forward();
          },
        }),
      });
      out = host.open<number>(consumer, { capacity: 8, policy: 'block' });
      return withFlows(host, {});
    });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, relay, { capacity: 32, policy: 'block' });
    let next = 0;
    let maxBuffered = 0;
    for (let t = 0; t < 400 && c.items.length < 300; t++) {
      inActor(fx, producer, () => {
        for (let k = 0; k < 100 && next < 300 && s.push(next); k++) next++;
        maxBuffered = Math.max(maxBuffered, s.buffered);
        if (next === 300) s.close();
      });
      fx.advance(1);
      await fx.settle();
    }
    expect(c.items).toEqual(range(300));
    expect(c.completed).toBe(1);
    expect(maxBuffered).toBeLessThanOrEqual(32);
    expect(relayBacklogMax).toBeLessThanOrEqual(16);
    expect(out?.buffered).toBe(0);
    // The producer could not run ahead of the consumer by more than the buffers in between.
    expect(s.sent).toBe(300);
  });

  test('a consumer without onOpen refuses streams: the producer ends with rejected', async () => {
    const [consumer, c] = spawnConsumer(fx, { refuse: true });
    const [producer, p] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer);
    expect((await s.done())?.code).toBe('rejected');
    expect(s.push(1)).toBe(false);
    expect([p.host?.peerCount, c.host?.sinkCount]).toEqual([0, 0]);
  });

  test('an actor without a flow host refuses streams too: the producer ends with rejected instead of waiting', async () => {
    const plain = fx.system.spawn(() => ({}));
    const [producer, p] = spawnProducer(fx);
    const s = openStream(fx, producer, plain);
    // The refusal comes back as the answer to the open request: settle the promises too.
    await fx.settle();
    const done = await s.done();
    expect(done?.code).toBe('rejected');
    expect(done?.message).toMatch(/no flow host/);
    expect(s.push(1)).toBe(false);
    expect(p.host?.sourceCount).toBe(0);
  });

  test('a consumer that cancels ends the producer stream with cancelled', async () => {
    const [consumer, c] = spawnConsumer(fx);
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer);
    inActor(fx, producer, () => s.push(1));
    inActor(fx, consumer, () => c.sink?.cancel());
    expect((await s.done())?.code).toBe('cancelled');
    expect(s.push(2)).toBe(false);
    expect([c.host?.sinkCount, c.host?.peerCount]).toEqual([0, 0]);
  });

  test('closeAll ends every stream of an actor in both directions', async () => {
    const [consumer, c] = spawnConsumer(fx);
    const [producer, p] = spawnProducer(fx);
    const a = openStream(fx, producer, consumer);
    const b = openStream(fx, consumer, producer);
    expect([p.host?.sourceCount, c.host?.sinkCount, c.host?.peerCount]).toEqual([1, 1, 1]);
    inActor(fx, consumer, () => c.host?.closeAll());
    expect((await a.done())?.code).toBe('aborted');
    expect(b.state).toBe('closed');
    expect([p.host?.sourceCount, c.host?.sinkCount, c.host?.peerCount, p.host?.peerCount]).toEqual([0, 0, 0, 0]);
  });

  test('bad consumer options refuse the stream with invalid_argument instead of crashing the consumer', async () => {
    const [consumer] = spawnConsumer(fx, { highWatermark: 0 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer);
    expect((await s.done())?.code).toBe('invalid_argument');
    expect(fx.system.isAlive(consumer)).toBe(true);
  });

  test('flow messages from an actor that is not the stream peer are ignored', () => {
    const [consumer, c] = spawnConsumer(fx, { highWatermark: 8 });
    const [producer] = spawnProducer(fx);
    const s = openStream(fx, producer, consumer);
    const rogue = fx.system.spawn((ctx) => ({
      go: () => {
        ctx.send(consumer, { type: 'flow.batch', csid: s.csid, items: range(100) });
        ctx.send(consumer, { type: 'flow.complete', csid: s.csid });
        ctx.send(producer, { type: 'flow.demand', psid: s.psid, credit: 1000 });
        ctx.send(consumer, { type: 'flow.open', psid: 'x', source: 42 });
        ctx.send(consumer, { type: 'flow.open', psid: 99, source: producer, meta: null });
        ctx.send(consumer, { type: 'flow.down', key: producer.key, reason: 'lie' });
      },
    }));
    rogue.tell({ type: 'go' });
    fx.runUntilIdle();
    expect(c.items).toEqual([]);
    expect(c.completed).toBe(0);
    expect(c.errors).toEqual([]);
    expect(s.demand).toBe(8);
    expect(c.host?.sinkCount).toBe(1);
    expect(fx.system.isAlive(consumer)).toBe(true);
  });

  test('open() with bad options throws invalid_argument and opens nothing', () => {
    const [consumer] = spawnConsumer(fx);
    const [producer, p] = spawnProducer(fx);
    let error: unknown;
    inActor(fx, producer, (host) => {
      try {
        host.open(consumer, { capacity: -1 });
      } catch (e) {
        error = e;
      }
    });
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect(p.host?.sourceCount).toBe(0);
  });
});
