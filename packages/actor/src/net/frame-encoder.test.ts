import { FrameEncoder } from './frame-encoder';
import { NetError } from './net-error';

describe('FrameEncoder', () => {
  test('writes many frames into one buffer with big-endian length prefixes', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 100 });
    encoder.writeFrame(Buffer.from('ab'));
    encoder.writeFrame(Buffer.from([1]), Buffer.from('cd'));
    encoder.writeKindFrame(9, Buffer.from('e'));
    expect(encoder.pendingFrames).toBe(3);
    const batch = encoder.take();
    expect([...batch]).toEqual([0, 0, 0, 2, 0x61, 0x62, 0, 0, 0, 3, 1, 0x63, 0x64, 0, 0, 0, 2, 9, 0x65]);
    expect(encoder.pendingBytes).toBe(0);
    expect(encoder.pendingFrames).toBe(0);
  });

  test('grows past its initial capacity without losing bytes', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 1 << 20, initialCapacity: 8 });
    const big = Buffer.alloc(1000, 3);
    encoder.writeFrame(Buffer.from('x'));
    encoder.writeFrame(big);
    const batch = encoder.take();
    expect(batch.length).toBe(4 + 1 + 4 + 1000);
    expect(batch.readUInt32BE(5)).toBe(1000);
    expect(batch.subarray(9).equals(big)).toBe(true);
  });

  test('a taken batch is never overwritten by later frames', () => {
    for (const capacity of [16, 1 << 16]) {
      const encoder = new FrameEncoder({ maxFrameSize: 1 << 20, initialCapacity: capacity });
      encoder.writeFrame(Buffer.alloc(capacity, 1));
      const first = encoder.take();
      const copy = Buffer.from(first);
      encoder.writeFrame(Buffer.alloc(capacity, 2));
      encoder.take();
      expect(first.equals(copy)).toBe(true);
    }
  });

  test('a small batch is copied out so the same buffer serves the next batch', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 100, initialCapacity: 1024 });
    encoder.writeFrame(Buffer.from('a'));
    const first = encoder.take();
    const snapshot = Buffer.from(first);
    encoder.writeFrame(Buffer.from('b'));
    expect(first.equals(snapshot)).toBe(true);
  });

  test('refuses an oversized payload and leaves the batch unchanged', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 4 });
    encoder.writeFrame(Buffer.from('ok'));
    expect(() => encoder.writeFrame(Buffer.alloc(5))).toThrow(NetError);
    expect(() => encoder.writeKindFrame(1, Buffer.alloc(4))).toThrow(/oversized_frame/);
    expect(encoder.pendingFrames).toBe(1);
    expect(encoder.take().length).toBe(6);
  });

  test('a recycled batch is reused for a later batch, and only batches it lent out are taken back', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 1 << 20, initialCapacity: 64 });
    encoder.writeFrame(Buffer.alloc(200, 1)); // grows the batch buffer to 256 bytes
    const written = encoder.take();
    encoder.recycle(written);
    encoder.recycle(written); // a second give-back of the same batch is ignored
    encoder.recycle(Buffer.alloc(256)); // never lent out: ignored
    encoder.writeFrame(Buffer.alloc(30, 2)); // fills the fresh 64-byte buffer
    expect(encoder.take().buffer).not.toBe(written.buffer);
    encoder.writeFrame(Buffer.alloc(100, 3)); // goes into the spare, without growing
    const next = encoder.take();
    expect(next.buffer).toBe(written.buffer);
    expect(next.readUInt32BE(0)).toBe(100);
    expect(next.subarray(4).equals(Buffer.alloc(100, 3))).toBe(true);
    encoder.writeFrame(Buffer.alloc(100, 4));
    expect(encoder.take().buffer).not.toBe(written.buffer); // the one spare was used up
  });

  test('take on an empty batch returns an empty buffer', () => {
    expect(new FrameEncoder({ maxFrameSize: 4 }).take().length).toBe(0);
  });
});
