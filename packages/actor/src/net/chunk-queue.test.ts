import { ChunkQueue } from './chunk-queue';

/** The bytes 0..n-1 cut into chunks at the given positions. */
function cut(n: number, at: number[]): Buffer[] {
  const all = Buffer.from(Array.from({ length: n }, (_, i) => i));
  const bounds = [0, ...at, n];
  return bounds.slice(1).map((end, i) => all.subarray(bounds[i], end));
}

describe('ChunkQueue', () => {
  test('reads a 32-bit length wherever the chunks cut it, without consuming it', () => {
    for (let a = 1; a < 4; a++) {
      for (let b = a; b < 4; b++) {
        const q = new ChunkQueue();
        for (const c of cut(6, [a, b])) q.push(c);
        expect(q.peekUInt32BE()).toBe(0x00010203);
        expect(q.length).toBe(6);
        q.skip(4);
        expect([...q.take(2)]).toEqual([4, 5]);
        expect(q.length).toBe(0);
      }
    }
  });

  test('takes a view of one chunk and copies across chunks, in order', () => {
    const chunks = cut(10, [3, 4, 8]);
    const q = new ChunkQueue();
    for (const c of chunks) q.push(c);
    q.push(Buffer.alloc(0));
    const view = q.take(2);
    const spanning = q.take(5);
    expect([...view]).toEqual([0, 1]);
    expect([...spanning]).toEqual([2, 3, 4, 5, 6]);
    // The view shares the chunk's memory; the bytes taken across chunks are a copy.
    chunks[0][1] = 99;
    chunks[1][0] = 99;
    expect(view[1]).toBe(99);
    expect(spanning[1]).toBe(3);
    expect(q.take(0).length).toBe(0);
    expect([...q.takeAll()]).toEqual([7, 8, 9]);
    expect(q.length).toBe(0);
    expect(q.takeAll().length).toBe(0);
  });

  test('skips across chunks and clears', () => {
    const q = new ChunkQueue();
    for (const c of cut(9, [2, 5])) q.push(c);
    q.skip(6);
    expect(q.length).toBe(3);
    expect([...q.take(3)]).toEqual([6, 7, 8]);
    for (const c of cut(4, [1])) q.push(c);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.takeAll().length).toBe(0);
  });
});
