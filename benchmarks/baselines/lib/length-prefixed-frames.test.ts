/// <reference types="jest" />
import fc from 'fast-check';

import { FrameBatchWriter, FrameReader, MAX_FRAME_BYTES } from './length-prefixed-frames';

function batches(frames: Uint8Array[], batchBytes: number): Buffer[] {
  const writer = new FrameBatchWriter(batchBytes);
  const out: Buffer[] = [];
  for (const f of frames) {
    if (writer.pendingFrames > 0 && writer.wouldOverflow(f.length)) out.push(writer.take());
    writer.append(f);
  }
  if (writer.pendingFrames > 0) out.push(writer.take());
  return out;
}

describe('length-prefixed frames', () => {
  it('a reader gets back every frame the writer packed, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }),
        fc.integer({ min: 16, max: 1024 }),
        fc.integer({ min: 1, max: 97 }),
        (frames, batchBytes, chunkSize) => {
          const stream = Buffer.concat(batches(frames, batchBytes));
          const got: Buffer[] = [];
          const reader = new FrameReader((f) => got.push(Buffer.from(f)));
          for (let i = 0; i < stream.length; i += chunkSize) reader.push(stream.subarray(i, i + chunkSize));
          expect(got.map((b) => [...b])).toEqual(frames.map((f) => [...f]));
          expect(reader.pendingBytes).toBe(0);
        },
      ),
    );
  });

  it('a batch holds several frames up to its capacity, and a larger frame gets a batch of its own', () => {
    const out = batches([new Uint8Array(10), new Uint8Array(10), new Uint8Array(100), new Uint8Array(1)], 32);
    expect(out.map((b) => b.length)).toEqual([28, 104, 5]);
  });

  it('appending to a full batch without taking it is an error', () => {
    const writer = new FrameBatchWriter(16);
    writer.append(new Uint8Array(8));
    expect(() => writer.append(new Uint8Array(8))).toThrow(RangeError);
  });

  it('a length beyond the limit is rejected instead of buffered', () => {
    const reader = new FrameReader(() => undefined);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => reader.push(header)).toThrow(/exceeds/);
  });

  it('an incomplete frame waits for the rest', () => {
    const got: number[] = [];
    const reader = new FrameReader((f) => got.push(f.length));
    const [batch] = batches([new Uint8Array(50)], 64);
    reader.push(batch.subarray(0, 20));
    expect(got).toEqual([]);
    expect(reader.pendingBytes).toBe(20);
    reader.push(batch.subarray(20));
    expect(got).toEqual([50]);
  });
});
