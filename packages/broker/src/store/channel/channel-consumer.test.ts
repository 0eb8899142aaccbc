import fc from 'fast-check';
import { LossyNetwork, RELIABLE, type LossProfile } from './__fixtures__/lossy-network';
import type { ConsumerMessage, ProducerMessage } from './channel-message';
import { ChannelConsumer } from './channel-consumer';
import { ChannelProducer } from './channel-producer';
import type { ChannelOptions } from './channel-options';

function consumer(options = {}) {
  const sent: [ConsumerMessage, string | null][] = [];
  const got: [number, number][] = [];
  const events: string[] = [];
  const c = new ChannelConsumer<number>(
    {
      consume: (payload, seq) => got.push([seq, payload]),
      send: (msg, to) => sent.push([msg, to]),
      outOfSync: (seq) => events.push(`outOfSync ${seq}`),
      producerLost: (p) => events.push(`lost ${p}`),
    },
    options,
  );
  return { c, sent, got, events, take: () => sent.splice(0) };
}

describe('ChannelConsumer', () => {
  test('it joins by NACKing 0 and starts after the handshake offset, dropping earlier events', () => {
    const { c, take, got } = consumer();
    c.requestHandshake();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [0], epoch: 0 }, null]]);
    c.handleEvent(3, 30);
    c.handleEvent(4, 40);
    expect(c.handleHandshake('P', 3, 0, 5, 100)).toBe(true);
    expect(got).toEqual([[4, 40]]);
    expect(take()).toEqual([[{ kind: 'ack', seq: 4, epoch: 0 }, 'P']]);
    expect(c.handleHandshake('P', 3, 0, 5, 100)).toBe(false);
    expect(c.handleHandshake('Q', 0, 0, 5, 100)).toBe(false);
    expect(c.delivered).toBe(4);
  });

  test('after a resumed handshake that names the latest sequence number, it is not idle before it has that event', () => {
    const { c, got } = consumer();
    c.requestHandshake();
    expect(c.handleHandshake('P', 2, 0, 5, 100, 5)).toBe(true);
    expect(c.idle).toBe(false);
    c.handleEvent(3, 30);
    c.handleEvent(4, 40);
    expect(c.idle).toBe(false);
    c.handleEvent(5, 50);
    expect(got).toEqual([[3, 30], [4, 40], [5, 50]]);
    expect(c.idle).toBe(true);
  });

  test('events are delivered in order exactly once whatever order and duplicates they arrive in', () => {
    const { c, got } = consumer();
    c.handleHandshake('P', 0, 0, 5, 100);
    for (const s of [3, 2, 3, 5, 1, 1, 4, 2]) c.handleEvent(s, s * 10);
    expect(got).toEqual([1, 2, 3, 4, 5].map((s) => [s, s * 10]));
    expect(c.idle).toBe(true);
  });

  test('a gap is NACKed after nackTimeout ticks without progress', () => {
    const { c, take } = consumer({ nackTimeout: 2 });
    c.handleHandshake('P', 0, 0, 5, 100);
    take();
    c.handleEvent(1, 10);
    c.handleEvent(3, 30);
    c.handleEvent(6, 60);
    c.tick(); // progress (1 delivered)
    c.tick();
    expect(take()).toEqual([]);
    c.tick();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [2, 4, 5], epoch: 0 }, 'P']]);
  });

  test('a heartbeat reveals a loss at the tail', () => {
    const { c, take } = consumer({ nackTimeout: 1 });
    c.handleHandshake('P', 0, 0, 5, 100);
    take();
    c.handleHeartbeat(2);
    expect(c.idle).toBe(false);
    c.tick();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [1, 2], epoch: 0 }, 'P']]);
  });

  test('it ACKs its position every heartbeatInterval ticks as a keepalive', () => {
    const { c, take } = consumer();
    c.handleHandshake('P', 7, 0, 3, 100);
    take();
    for (let i = 0; i < 6; i++) c.tick();
    expect(take()).toEqual([
      [{ kind: 'ack', seq: 7, epoch: 0 }, 'P'],
      [{ kind: 'ack', seq: 7, epoch: 0 }, 'P'],
    ]);
  });

  test('retransmitFailed for a needed event reports out of sync and resyncs with a new epoch', () => {
    const { c, take, events } = consumer();
    c.handleHandshake('P', 0, 0, 5, 100);
    c.handleEvent(1, 10);
    take();
    c.handleRetransmitFailed(1, 0); // already delivered: stale
    expect(events).toEqual([]);
    c.handleRetransmitFailed(2, 0);
    expect(events).toEqual(['outOfSync 2']);
    expect(c.initialized).toBe(false);
    expect(c.producer).toBe('P');
    expect(take()).toEqual([[{ kind: 'nack', seqs: [0], epoch: 1 }, 'P']]);
    expect(c.handleHandshake('P', 5, 0, 5, 100)).toBe(false); // answers the old epoch
    expect(c.handleHandshake('P', 5, 1, 5, 100)).toBe(true);
  });

  test('a producer silent for connectionTimeout ticks is given up', () => {
    const { c, events } = consumer();
    c.handleHandshake('P', 0, 0, 5, 4);
    for (let i = 0; i < 3; i++) c.tick();
    c.handleHeartbeat(0);
    for (let i = 0; i < 3; i++) c.tick();
    expect(events).toEqual([]);
    c.tick();
    expect(events).toEqual(['lost P']);
    expect(c.producer).toBeNull();
    expect(c.initialized).toBe(false);
  });

  test('without a producer it repeats its handshake request every handshakeInterval ticks', () => {
    const { c, take } = consumer({ handshakeInterval: 3 });
    for (let i = 0; i < 7; i++) c.tick();
    expect(take()).toEqual([
      [{ kind: 'nack', seqs: [0], epoch: 0 }, null],
      [{ kind: 'nack', seqs: [0], epoch: 0 }, null],
    ]);
  });

  test('held handshake requests stop while a handshake answer arrives in pieces; progress postpones the producer timeout; a resync resumes them', () => {
    const { c, take, events } = consumer({ handshakeInterval: 2, nackTimeout: 2 });
    c.holdHandshakeRequests(true);
    for (let i = 0; i < 6; i++) c.tick();
    expect(take()).toEqual([]);
    c.holdHandshakeRequests(false);
    for (let i = 0; i < 2; i++) c.tick();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [0], epoch: 0 }, null]]);
    // A known producer (a resync): pieces keep it from timing out.
    c.handleHandshake('P', 0, 0, 5, 4);
    c.resync();
    take();
    c.holdHandshakeRequests(true);
    for (let i = 0; i < 9; i++) {
      c.tick();
      c.handshakeProgress();
    }
    expect(events).toEqual([]);
    expect(take()).toEqual([]);
    c.resync();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [0], epoch: 2 }, 'P']]);
    for (let i = 0; i < 2; i++) c.tick();
    expect(take()).toEqual([[{ kind: 'nack', seqs: [0], epoch: 2 }, 'P']]);
  });

  test('a bad handshakeInterval is refused', () => {
    expect(() => consumer({ handshakeInterval: 0 })).toThrow(/handshakeInterval/);
  });

  test('early events are bounded by bufferCapacity', () => {
    const { c } = consumer({ bufferCapacity: 4 });
    c.handleHandshake('P', 0, 0, 5, 100);
    for (let s = 2; s < 100; s++) c.handleEvent(s, s);
    expect(c.buffered).toBeLessThanOrEqual(4);
  });
});

/** One producer and several consumers over a lossy network, both directions. */
type Wire = { from: string; msg: ProducerMessage<number> | ConsumerMessage };

interface SimResult {
  produced: number;
  delivered: Map<string, number[]>;
  offsets: Map<string, number>;
  joins: Map<string, number[]>;
  outOfSync: number;
  steps: number;
  idle: boolean;
}

function simulate(seed: number, profile: LossProfile, opts: { consumers: number; events: number; preAdd: boolean; channel?: Partial<ChannelOptions> }): SimResult {
  const net = new LossyNetwork<Wire>(seed, profile);
  const channel = { connectionTimeout: 1000, ...opts.channel };
  const names = Array.from({ length: opts.consumers }, (_, i) => `c${i}`);
  const delivered = new Map(names.map((n) => [n, [] as number[]]));
  const offsets = new Map<string, number>();
  const joins = new Map(names.map((n) => [n, [] as number[]]));
  let outOfSync = 0;
  const producer = new ChannelProducer<number>(
    {
      send: (to, msg) => net.send(to, { from: 'P', msg }),
      broadcast: (msg) => names.forEach((n) => net.send(n, { from: 'P', msg })),
    },
    channel,
  );
  const consumers = new Map(
    names.map((n) => [
      n,
      new ChannelConsumer<number>(
        {
          consume: (payload, seq) => {
            expect(payload).toBe(seq);
            delivered.get(n)?.push(payload);
          },
          send: (msg) => net.send('P', { from: n, msg }),
          outOfSync: () => {
            outOfSync++;
          },
        },
        channel,
      ),
    ]),
  );
  if (opts.preAdd) names.forEach((n) => producer.add(n));
  else consumers.forEach((c) => c.requestHandshake());
  const deliver = (to: string, { from, msg }: Wire): void => {
    if (to === 'P') {
      const m = msg as ConsumerMessage;
      if (m.kind === 'ack') producer.handleAck(from, m.seq, m.epoch);
      else producer.handleNack(from, m.seqs, m.epoch);
      return;
    }
    const c = consumers.get(to)!;
    const m = msg as ProducerMessage<number>;
    switch (m.kind) {
      case 'handshake':
        if (c.handleHandshake(from, m.offset, m.epoch, m.heartbeatInterval, m.connectionTimeout)) {
          offsets.set(to, m.offset);
          joins.get(to)?.push(m.offset);
        }
        break;
      case 'event':
        c.handleEvent(m.seq, m.payload);
        break;
      case 'heartbeat':
        c.handleHeartbeat(m.seq);
        break;
      case 'retransmitFailed':
        c.handleRetransmitFailed(m.seq, m.epoch);
        break;
    }
  };
  let steps = 0;
  const step = (): void => {
    steps++;
    net.step(deliver);
    producer.tick();
    consumers.forEach((c) => c.tick());
  };
  while (producer.seq < opts.events) {
    if (net.random() < 0.5) producer.produce(producer.seq + 1);
    step();
  }
  net.profile = RELIABLE;
  const done = (): boolean => producer.idle && producer.paths.size === names.length && [...consumers.values()].every((c) => c.idle && c.delivered === opts.events);
  while (!done() && steps < 100_000) step();
  return { produced: producer.seq, delivered, offsets, joins, outOfSync, steps, idle: done() };
}

const lossy = (dropRate: number): LossProfile => ({ dropRate, duplicateRate: 0.2, maxDelay: 4 });

describe('ChannelConsumer and ChannelProducer over a lossy network', () => {
  test.each([
    ['a third', 1 / 3],
    ['two thirds', 2 / 3],
  ])('with %s of the messages lost (plus duplicates and reordering) every consumer delivers exactly the producer sequence, then the channel goes idle', (_, rate) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = simulate(seed, lossy(rate), { consumers: 3, events: 150, preAdd: true });
        expect(r.idle).toBe(true);
        expect(r.outOfSync).toBe(0);
        for (const d of r.delivered.values()) expect(d).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
      }),
      { numRuns: 40 },
    );
  });

  test('consumers that join by handshake request deliver exactly the events after their offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = simulate(seed, lossy(2 / 3), { consumers: 3, events: 100, preAdd: false });
        expect(r.idle).toBe(true);
        for (const [n, d] of r.delivered) {
          const offset = r.offsets.get(n)!;
          expect(d).toEqual(Array.from({ length: 100 - offset }, (_, i) => offset + i + 1));
        }
      }),
      { numRuns: 30 },
    );
  });

  test('with a tiny retransmission buffer a consumer may fall out of sync, but it never skips an event silently and it converges', () => {
    let sawOutOfSync = false;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = simulate(seed, lossy(2 / 3), { consumers: 2, events: 200, preAdd: false, channel: { bufferCapacity: 3 } });
        expect(r.idle).toBe(true);
        if (r.outOfSync > 0) sawOutOfSync = true;
        for (const [n, d] of r.delivered) {
          // Each join (the first or one after a resync) delivers a contiguous run from its
          // offset; a jump happens only where a new join started.
          const joins = r.joins.get(n)!;
          for (let i = 1; i < d.length; i++) {
            expect(d[i]).toBeGreaterThan(d[i - 1]);
            if (d[i] !== d[i - 1] + 1) expect(joins).toContain(d[i] - 1);
          }
          const offset = r.offsets.get(n)!;
          expect(d.filter((v) => v > offset)).toEqual(Array.from({ length: 200 - offset }, (_, i) => offset + i + 1));
        }
      }),
      { numRuns: 20 },
    );
    expect(sawOutOfSync).toBe(true);
  });
});
