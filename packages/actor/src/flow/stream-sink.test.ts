import { StreamPair } from './__fixtures__/stream-pair';

describe('StreamSink', () => {
  it('accepts with the high watermark as first credit', () => {
    const p = new StreamPair<number>({}, { highWatermark: 64 });
    p.run();
    expect(p.log[0]).toEqual({ type: 'flow.accept', psid: 7, csid: 3, credit: 64 });
    expect(p.source.demand).toBe(64);
  });

  it('carries batches packed by the producer and unpacked by the consumer, counting credit in items', () => {
    const pack = (items: number[]): unknown[] => [items.join(',')];
    const unpack = (items: unknown[]): unknown[] => (items[0] as string).split(',').map(Number);
    const p = new StreamPair<number>({ packBatch: pack, maxBatch: 4 }, { highWatermark: 6, unpackBatch: unpack, ack: 'manual' });
    p.run();
    for (let i = 0; i < 10; i++) p.source.push(i);
    p.run();
    expect(p.log.filter((m) => m.type === 'flow.batch').map((m) => (m as { items: unknown[] }).items)).toEqual([['0,1,2,3'], ['4,5']]);
    expect(p.received).toEqual([0, 1, 2, 3, 4, 5]);
    expect(p.sink!.buffered).toBe(6);
    expect(p.source.demand).toBe(0);
  });

  it('cancels with a protocol error when the producer sends more than granted', () => {
    const p = new StreamPair<number>({}, { highWatermark: 2 });
    p.run();
    p.sink!.onBatch([1, 2, 3]);
    expect(p.received).toEqual([]);
    expect(p.sinkError?.code).toBe('protocol');
    p.run();
    expect(p.source.error?.code).toBe('protocol');
  });

  it('under manual ack grants credit only as the consumer reports items consumed', () => {
    const p = new StreamPair<number>({ capacity: 100 }, { highWatermark: 10, lowWatermark: 4, ack: 'manual' });
    p.run();
    for (let i = 0; i < 50; i++) p.source.push(i);
    p.run();
    expect(p.received.length).toBe(10);
    expect(p.sink!.buffered).toBe(10);
    p.sink!.consumed(5); // level 5 > 4: no grant yet
    p.run();
    expect(p.received.length).toBe(10);
    p.sink!.consumed(1); // level 4: top up by 6
    p.run();
    expect(p.received.length).toBe(16);
    expect(() => p.sink!.consumed(100)).toThrow(/consumed 100 items/);
  });

  it('reports a producer death as producer_down and ignores later messages', () => {
    const p = new StreamPair<number>();
    p.run();
    p.sink!.onProducerDown('node lost');
    expect(p.sinkError?.code).toBe('producer_down');
    expect(p.sinkError?.message).toMatch(/node lost/);
    p.sink!.onBatch([1]);
    p.sink!.onComplete();
    expect(p.received).toEqual([]);
    expect(p.completed).toBe(false);
    expect(p.sinkClosed.length).toBe(1);
  });
});
