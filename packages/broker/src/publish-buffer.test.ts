import { BrokerError, count, encodeBinary } from '@broker-ts/data';
import { PublishBuffer } from './publish-buffer';

function takeAll(b: PublishBuffer, mark = { end: Number.POSITIVE_INFINITY }): string[] {
  const out: string[] = [];
  while (b.hasItemFor(mark)) {
    out.push(`${b.headTopic}=${String(b.headValue)}${b.headReceiver === undefined ? '' : `@${b.headReceiver}`}`);
    b.shift();
  }
  return out;
}

describe('PublishBuffer', () => {
  test('the first push of a burst returns its mark, later pushes of the burst none', () => {
    const b = new PublishBuffer(4);
    const mark = b.push('/t', 1, undefined);
    expect(mark).toEqual({ end: Number.POSITIVE_INFINITY });
    expect(b.push('/t', 2, 'peer')).toBeUndefined();
    expect(takeAll(b, mark)).toEqual(['/t=1', '/t=2@peer']);
  });

  test('an item encoded by its publisher keeps its bytes beside its value', () => {
    const b = new PublishBuffer(4);
    const value = [count(1), 'x'];
    const bytes = encodeBinary(value);
    b.push('/t', value, undefined, undefined, bytes);
    b.push('/t', 2n, undefined);
    expect(b.headValue).toBe(value);
    expect(b.headPayload).toBe(bytes);
    b.shift();
    expect(b.headValue).toBe(2n);
    expect(b.headPayload).toBeUndefined();
  });

  test('refuses beyond its capacity and keeps order when the ring wraps and grows', () => {
    const b = new PublishBuffer(3000);
    for (let i = 0; i < 1500; i++) b.push('/t', i, undefined);
    for (let i = 0; i < 1000; i++) b.shift();
    for (let i = 1500; i < 4000; i++) b.push('/t', i, undefined);
    expect(b.full).toBe(true);
    expect(b.length).toBe(3000);
    expect(b.push('/t', -1, undefined)).toBeUndefined();
    expect(b.length).toBe(3000);
    const got = takeAll(b);
    expect(got[0]).toBe('/t=1000');
    expect(got.at(-1)).toBe('/t=3999');
    expect(got).toHaveLength(3000);
  });

  test('a sealed burst ends where it was sealed; the next push opens a new one', () => {
    const b = new PublishBuffer(10);
    const first = b.push('/a', 1, undefined)!;
    b.push('/a', 2, undefined);
    b.seal();
    expect(first.end).toBe(2);
    const second = b.push('/b', 3, undefined);
    expect(second).toBeDefined();
    expect(takeAll(b, first)).toEqual(['/a=1', '/a=2']);
    expect(takeAll(b, first)).toEqual([]);
    expect(takeAll(b, second!)).toEqual(['/b=3']);
  });

  test('dropping the oldest keeps burst boundaries (absolute positions)', () => {
    const b = new PublishBuffer(2);
    const first = b.push('/a', 1, undefined)!;
    b.seal();
    const second = b.push('/b', 2, undefined)!;
    b.shift(); // the owner drops the oldest to make room
    b.push('/b', 3, undefined);
    expect(takeAll(b, first)).toEqual([]);
    expect(takeAll(b, second)).toEqual(['/b=2', '/b=3']);
  });

  test('a bad capacity is refused', () => {
    expect(() => new PublishBuffer(0)).toThrow(BrokerError);
    expect(() => new PublishBuffer(1.5)).toThrow(/positive integer/);
  });
});

describe('PublishBuffer shared state', () => {
  test('an overflow episode is reported on its first drop and ends once the core saw the buffer empty', () => {
    const b = new PublishBuffer(1);
    expect(b.endOverflowEpisode()).toBe(false);
    expect(b.countDrop()).toBe(true);
    expect(b.countDrop()).toBe(false);
    expect(b.dropped).toBe(2);
    b.push('/t', 1, undefined);
    expect(b.endOverflowEpisode()).toBe(false);
    b.shift();
    expect(b.endOverflowEpisode()).toBe(true);
    expect(b.endOverflowEpisode()).toBe(false);
    expect(b.countDrop()).toBe(true);
  });

  test('the core takes items up to the end of the burst it was told about', () => {
    const b = new PublishBuffer(4);
    const mark = b.push('/t', 1, undefined)!;
    b.seal();
    b.push('/t', 2, undefined);
    b.limitTakeTo(mark);
    expect(b.takeable).toBe(true);
    b.shift();
    expect(b.takeable).toBe(false);
  });

  test('park and unpark', () => {
    const b = new PublishBuffer(1);
    b.park();
    expect(b.parked).toBe(true);
    b.unpark();
    expect(b.parked).toBe(false);
  });
});
