import { StreamPair } from './__fixtures__/stream-pair';
import { FlowError } from './flow-error';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, k) => from + k);

describe('StreamSource with a StreamSink', () => {
  it('sends the items pushed in one turn as one batch, in order, then completes', async () => {
    const p = new StreamPair<number>();
    p.run();
    for (const i of range(100)) expect(p.source.push(i)).toBe(true);
    p.source.close();
    p.run();
    expect(p.received).toEqual(range(100));
    expect(p.batchSizes()).toEqual([100]);
    expect(p.completed).toBe(true);
    expect(p.source.state).toBe('closed');
    expect(await p.source.done()).toBeUndefined();
    expect(p.sourceClosed).toEqual([undefined]);
    expect(p.sinkClosed).toEqual([undefined]);
  });

  it('splits into batches of at most maxBatch and sends a full batch without waiting for the turn to end', () => {
    const p = new StreamPair<number>({ maxBatch: 32 });
    p.run();
    for (const i of range(70)) p.source.push(i);
    expect(p.batchSizes()).toEqual([32, 32]); // before any flush ran
    p.run();
    expect(p.batchSizes()).toEqual([32, 32, 6]);
    expect(p.received).toEqual(range(70));
  });

  it('with itemBytes, cuts batches at maxBatchBytes; an item larger than that goes alone', () => {
    // An item's size is its value: batches of at most 100 "bytes".
    const p = new StreamPair<number>({ itemBytes: (n: number) => n, maxBatchBytes: 100 });
    p.run();
    for (const i of [40, 40, 40, 150, 10, 10, 90, 1]) p.source.push(i);
    p.run();
    expect(p.received).toEqual([40, 40, 40, 150, 10, 10, 90, 1]);
    expect(p.batchSizes()).toEqual([2, 1, 1, 2, 2]);
  });

  it('never has more items in flight than the consumer granted', () => {
    const p = new StreamPair<number>({ capacity: 10_000 }, { highWatermark: 50, lowWatermark: 10 });
    p.run();
    for (const i of range(1000)) p.source.push(i);
    let inFlight = 0;
    let maxInFlight = 0;
    while (p.step()) {
      inFlight = p.toSink.reduce((s, m) => s + (m.type === 'flow.batch' ? m.items.length : 0), 0);
      maxInFlight = Math.max(maxInFlight, inFlight);
      expect(p.source.demand + inFlight).toBeLessThanOrEqual(50);
    }
    expect(maxInFlight).toBeGreaterThan(0);
    expect(p.received).toEqual(range(1000));
    expect(p.sinkError).toBeUndefined();
    // Grants come in batches of at least high - low = 40, not one per batch.
    const grants = p.log.filter((m) => m.type === 'flow.demand');
    expect(grants.every((m) => (m as { credit: number }).credit >= 40)).toBe(true);
  });

  it('under block refuses items when full and write() waits until the consumer drains', async () => {
    let consume = (): void => undefined;
    const p = new StreamPair<number>({ capacity: 4, policy: 'block' }, { highWatermark: 2, lowWatermark: 0, ack: 'manual' }, (items, sink) => {
      consume = () => sink.consumed(items.length);
    });
    p.run();
    // A flush runs after the turn: the first 2 items use the credit, the next 4 wait.
    for (const i of range(2)) expect(p.source.push(i)).toBe(true);
    p.run();
    for (const i of range(4, 2)) expect(p.source.push(i)).toBe(true);
    expect(p.source.buffered).toBe(4);
    expect(p.source.freeCapacity).toBe(0);
    expect(p.source.push(99)).toBe(false);
    let written = false;
    const w = p.source.write(6).then(() => {
      written = true;
    });
    await Promise.resolve();
    expect(written).toBe(false);
    consume();
    p.run();
    await w;
    expect(written).toBe(true);
    expect(p.source.dropped).toBe(0);
    expect(p.source.buffered).toBeLessThanOrEqual(4);
  });

  it('under dropOldest keeps the newest items and counts the drops', () => {
    const p = new StreamPair<number>({ capacity: 5, policy: 'dropOldest' }, { highWatermark: 1, lowWatermark: 0, ack: 'manual' });
    p.run();
    p.source.push(0);
    p.run();
    for (const i of range(19, 1)) expect(p.source.push(i)).toBe(true);
    p.run();
    expect(p.received).toEqual([0]);
    expect(p.source.dropped).toBe(14);
    expect([p.source.pushed, p.source.sent, p.source.buffered]).toEqual([20, 1, 5]);
    p.sink!.consumed(1);
    p.source.close();
    for (let k = 0; k < 5; k++) {
      p.run();
      if (p.sink!.buffered > 0) p.sink!.consumed(1);
    }
    p.run();
    expect(p.received).toEqual([0, 15, 16, 17, 18, 19]);
    expect(p.completed).toBe(true);
  });

  it('under dropNewest keeps the oldest items and counts the drops', () => {
    const p = new StreamPair<number>({ capacity: 5, policy: 'dropNewest' }, { highWatermark: 1, lowWatermark: 0, ack: 'manual' });
    p.run();
    p.source.push(0);
    p.run();
    const accepted = range(19, 1).map((i) => p.source.push(i));
    expect(accepted.filter(Boolean).length).toBe(5);
    p.run();
    expect(p.source.dropped).toBe(14);
    for (let k = 0; k < 6; k++) {
      p.sink!.consumed(p.sink!.buffered);
      p.run();
    }
    expect(p.received).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('under disconnect cuts the stream with an overflow error on both sides', async () => {
    const p = new StreamPair<number>({ capacity: 3, policy: 'disconnect' }, { highWatermark: 1, lowWatermark: 0, ack: 'manual' });
    p.run();
    p.source.push(0);
    p.run();
    for (const i of range(3, 1)) expect(p.source.push(i)).toBe(true);
    expect(p.source.push(4)).toBe(false);
    expect(p.source.state).toBe('closed');
    expect(p.source.error?.code).toBe('overflow');
    await expect(p.source.write(5)).rejects.toMatchObject({ code: 'overflow' });
    expect(await p.source.done()).toBe(p.source.error);
    p.run();
    expect(p.sinkError).toBeInstanceOf(FlowError);
    expect(p.sinkError?.code).toBe('overflow');
    expect(p.source.dropped).toBe(4); // the overflowing item and the 3 buffered
    expect(p.source.push(6)).toBe(false);
  });

  it('an overflow before the consumer accepted still reaches it with the overflow reason', async () => {
    const p = new StreamPair<number>({ capacity: 2, policy: 'disconnect' });
    [0, 1, 2].forEach((i) => p.source.push(i));
    expect((await p.source.done())?.code).toBe('overflow');
    expect(p.sourceClosed).toEqual([]); // kept until the consumer answers
    p.run();
    expect(p.sinkError?.code).toBe('overflow');
    expect(p.sourceClosed.map((e) => e?.code)).toEqual(['overflow']);
    expect(p.received).toEqual([]);
  });

  it('a stream aborted before acceptance is released when the consumer turns out to be gone', () => {
    const p = new StreamPair<number>();
    p.source.abort();
    p.source.onConsumerDown('gone');
    expect(p.sourceClosed.map((e) => e?.code)).toEqual(['aborted']);
  });

  it('ends with consumer_down when the consumer dies, discarding the buffer and waking writers', async () => {
    const p = new StreamPair<number>({ capacity: 2 }, { highWatermark: 1, lowWatermark: 0, ack: 'manual' });
    p.run();
    p.source.push(0);
    p.run();
    p.source.push(1);
    p.source.push(2);
    const w = p.source.write(3);
    p.source.onConsumerDown('killed');
    await expect(w).rejects.toMatchObject({ code: 'consumer_down' });
    expect(p.source.dropped).toBe(2);
    expect(p.sourceClosed.map((e) => e?.code)).toEqual(['consumer_down']);
  });

  it('close() before the consumer accepts still delivers everything and completes', () => {
    const p = new StreamPair<string>();
    p.source.push('a');
    p.source.push('b');
    p.source.close();
    expect(p.source.push('c')).toBe(false);
    p.run();
    expect(p.received).toEqual(['a', 'b']);
    expect(p.completed).toBe(true);
  });

  it('ready() tells whether an item fits: true once room is made, false once the stream is closing', async () => {
    const p = new StreamPair<number>({ capacity: 1 }, { highWatermark: 1, lowWatermark: 0, ack: 'manual' });
    p.run();
    p.source.push(0); // sent at once: it is the whole demand
    p.source.push(1);
    const waiting = p.source.ready();
    p.run();
    p.sink!.consumed(1);
    p.run();
    await expect(waiting).resolves.toBe(true);
    p.source.push(2);
    const closing = p.source.ready();
    p.source.close();
    await expect(closing).resolves.toBe(false);
    await expect(p.source.ready()).resolves.toBe(false);
  });

  it('write() on a completed stream rejects with code closed', async () => {
    const p = new StreamPair<number>();
    p.run();
    p.source.close();
    p.run();
    await expect(p.source.write(1)).rejects.toMatchObject({ code: 'closed' });
  });

  it('a consumer cancel ends the producer side with the consumer reason', async () => {
    const p = new StreamPair<number>();
    p.run();
    p.sink!.cancel();
    p.run();
    expect(p.source.error?.code).toBe('cancelled');
    expect(p.source.push(1)).toBe(false);
    expect((await p.source.done())?.code).toBe('cancelled');
  });

  it('an invalid credit grant aborts the stream with a protocol error', () => {
    const p = new StreamPair<number>();
    p.run();
    p.source.onDemand(-5);
    p.run();
    expect(p.source.error?.code).toBe('protocol');
    expect(p.sinkError?.code).toBe('protocol');
  });

  it('reports sendRate from the host clock', () => {
    const p = new StreamPair<number>();
    p.run();
    p.now = 100;
    for (const i of range(300)) p.source.push(i);
    p.run();
    p.now = 600;
    expect(p.source.sendRate).toBeCloseTo(300);
  });

  it.each([{ capacity: 0 }, { maxBatch: 0 }, { maxBatchBytes: 0.5 }, { policy: 'spill' as never }])('rejects bad options %p', (o) => {
    expect(() => new StreamPair<number>(o)).toThrow(FlowError);
  });
});
