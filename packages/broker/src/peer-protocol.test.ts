import { encodeBinary } from '@broker-ts/data';
import { asWireItem, packWireItems, unpackWireItems, type WireItem } from './peer-protocol';

function frameOf(items: WireItem[]): Uint8Array {
  const packed = packWireItems(items);
  expect(packed).toHaveLength(1);
  return packed[0] as Uint8Array;
}

describe('compact batch frame', () => {
  const items: WireItem[] = [
    ['/a', encodeBinary('x'), null, 0, 20, null],
    ['/a', encodeBinary([1n, 'two']), 'origin-ü', 2 ** 53 - 1, 0xffff, null],
    ['/b/ä', new Uint8Array(0), null, 300, 1, 'receiver'],
    ['/a', encodeBinary(new Uint8Array(200).fill(7)), 'o', 1, 2, 'r'],
  ];

  test('round-trips every field of every item, topics repeated or not', () => {
    const out = unpackWireItems(packWireItems(items));
    expect(out.map((x) => asWireItem(x))).toEqual(items.map((it) => [it[0], Buffer.from(it[1]), it[2], it[3], it[4], it[5]]));
    expect(unpackWireItems(packWireItems([]))).toEqual([]);
  });

  test('cuts payloads out of the frame without a copy, wherever the frame lies in its buffer', () => {
    const frame = frameOf(items);
    const host = new Uint8Array(frame.length + 13);
    host.set(frame, 13);
    const out = unpackWireItems([host.subarray(13)]).map((x) => asWireItem(x)!);
    out.forEach((item, i) => {
      expect(Array.from(item[1])).toEqual(Array.from(items[i][1]));
      expect(item[1].buffer).toBe(host.buffer);
    });
    host[out[0][1].byteOffset] ^= 0xff;
    expect(out[0][1][0]).toBe(items[0][1][0] ^ 0xff);
  });

  test('round-trips sequence numbers and hop limits at every varint length, up to 2^53 - 1', () => {
    const seqs = [0, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 35 - 1, 2 ** 35, 2 ** 42 - 1, 2 ** 42, 2 ** 49 - 1, 2 ** 49 + 3, Date.now() * 1000, Number.MAX_SAFE_INTEGER];
    const items: WireItem[] = seqs.map((seq, i) => ['/t', encodeBinary(i), null, seq, [0, 1, 127, 128, 0xffff][i % 5], null]);
    expect(unpackWireItems(packWireItems(items))).toEqual(items);
  });

  test('leaves items that are not a frame as they are', () => {
    const legacy = [['/a', new Uint8Array(1), null, 1, 1, null]];
    expect(unpackWireItems(legacy)).toBe(legacy);
    const two = [new Uint8Array([0xb7, 0]), new Uint8Array([0xb7, 0])];
    expect(unpackWireItems(two)).toBe(two);
    const other = [new Uint8Array([1, 2, 3])];
    expect(unpackWireItems(other)).toBe(other);
  });

  test('keeps the items before a malformed byte and turns the rest into nulls', () => {
    const frame = frameOf(items);
    for (let cut = 2; cut < frame.length; cut++) {
      const out = unpackWireItems([frame.subarray(0, cut)]);
      expect(out.length === items.length || (out.length === 1 && out[0] === null)).toBe(true);
      const good = out.filter((x) => x !== null);
      for (let k = 0; k < good.length; k++) expect(asWireItem(good[k])?.[3]).toBe(items[k][3]);
      expect(good.length).toBeLessThan(items.length);
    }
    const trailing = Buffer.concat([frame, Buffer.from([0])]);
    expect(unpackWireItems([trailing]).filter((x) => x === null)).toHaveLength(1);
  });

  test('never allocates for a count the frame cannot hold, and never throws on noise', () => {
    expect(unpackWireItems([new Uint8Array([0xb7, 0xff, 0xff, 0xff, 0xff, 0x0f])])).toEqual([null]);
    expect(unpackWireItems([new Uint8Array([0xb7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])])).toEqual([null]);
    const bad = frameOf(items);
    bad[2] = 9; // neither a new topic nor "same as before"
    expect(unpackWireItems([bad]).every((x) => x === null)).toBe(true);
    let state = 1;
    for (let round = 0; round < 500; round++) {
      const noise = new Uint8Array(1 + (round % 60));
      for (let k = 0; k < noise.length; k++) noise[k] = (state = (state * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      noise[0] = 0xb7;
      const out = unpackWireItems([noise]);
      // Whatever comes out is bounded by the input, and the endpoint checks each item.
      expect(out.length).toBeLessThanOrEqual(noise.length);
    }
  });
});
