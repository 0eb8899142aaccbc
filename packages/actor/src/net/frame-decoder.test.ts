import fc from 'fast-check';
import { FrameDecoder, type FrameDecoderOptions } from './frame-decoder';
import { FrameEncoder } from './frame-encoder';
import { NetError } from './net-error';

const MAGIC = Buffer.from([0xb7, 0x41, 0x43, 0x54]);

/** A decoder that records what it delivers. */
function recorder(options: Partial<FrameDecoderOptions> = {}) {
  const frames: Buffer[] = [];
  const preambles: Buffer[] = [];
  const decoder = new FrameDecoder(
    { onFrame: (f) => frames.push(Buffer.from(f)), onPreamble: (p) => preambles.push(Buffer.from(p)) },
    { maxFrameSize: 1024, ...options },
  );
  return { decoder, frames, preambles };
}

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

function reasonOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetError) return e.reason;
    throw e;
  }
  return 'no error';
}

describe('FrameDecoder', () => {
  test('decodes one frame delivered in one chunk', () => {
    const { decoder, frames } = recorder();
    decoder.push(frame(Buffer.from('hello')));
    expect(frames.map(String)).toEqual(['hello']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('decodes many frames delivered in one chunk', () => {
    const { decoder, frames } = recorder();
    decoder.push(Buffer.concat(['a', 'bb', '', 'ccc'].map((s) => frame(Buffer.from(s)))));
    expect(frames.map(String)).toEqual(['a', 'bb', '', 'ccc']);
    expect(decoder.frames).toBe(4);
  });

  test('decodes frames fed one byte at a time', () => {
    const { decoder, frames } = recorder();
    const bytes = Buffer.concat([frame(Buffer.from('first')), frame(Buffer.from('second'))]);
    for (const b of bytes) decoder.push(Buffer.from([b]));
    expect(frames.map(String)).toEqual(['first', 'second']);
  });

  test('any chunking of any frame sequence yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map(frame));
          const { decoder, frames } = recorder();
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const n = cuts[i++ % cuts.length];
            decoder.push(stream.subarray(at, at + n));
            at += n;
          }
          decoder.end();
          expect(frames).toEqual(payloads.map((p) => Buffer.from(p)));
        },
      ),
    );
  });

  test('checks the preamble magic and delivers the preamble before the frames', () => {
    const { decoder, frames, preambles } = recorder({ preamble: { magic: MAGIC, size: 8 } });
    const stream = Buffer.concat([MAGIC, Buffer.from([0, 1, 0, 2]), frame(Buffer.from('x'))]);
    for (const b of stream) decoder.push(Buffer.from([b]));
    expect(preambles).toEqual([Buffer.concat([MAGIC, Buffer.from([0, 1, 0, 2])])]);
    expect(frames.map(String)).toEqual(['x']);
  });

  test('refuses a wrong magic at the first wrong byte, before the preamble is complete', () => {
    const { decoder, preambles } = recorder({ preamble: { magic: MAGIC, size: 8 } });
    decoder.push(MAGIC.subarray(0, 2));
    expect(reasonOf(() => decoder.push(Buffer.from('G')))).toBe('bad_magic');
    expect(preambles).toEqual([]);
  });

  test('refuses an HTTP request as bad_magic', () => {
    const { decoder } = recorder({ preamble: { magic: MAGIC, size: 8 } });
    expect(reasonOf(() => decoder.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')))).toBe('bad_magic');
  });

  test('refuses an oversized length before its payload arrives', () => {
    const { decoder, frames } = recorder({ maxFrameSize: 16 });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0xffffffff);
    let error: unknown;
    try {
      decoder.push(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetError);
    expect((error as NetError).reason).toBe('oversized_frame');
    expect((error as NetError).message).toContain('4294967295');
    expect(frames).toEqual([]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('accepts a frame of exactly the maximum size', () => {
    const { decoder, frames } = recorder({ maxFrameSize: 16 });
    decoder.push(frame(Buffer.alloc(16, 7)));
    expect(frames).toEqual([Buffer.alloc(16, 7)]);
  });

  test('stays failed after an error and rethrows it', () => {
    const { decoder } = recorder({ maxFrameSize: 4 });
    expect(reasonOf(() => decoder.push(frame(Buffer.alloc(5))))).toBe('oversized_frame');
    expect(reasonOf(() => decoder.push(frame(Buffer.alloc(1))))).toBe('oversized_frame');
    expect(reasonOf(() => decoder.end())).toBe('oversized_frame');
  });

  test('the frame limit can be raised after the handshake', () => {
    const { decoder, frames } = recorder({ maxFrameSize: 4 });
    decoder.push(frame(Buffer.alloc(4)));
    decoder.setMaxFrameSize(100);
    decoder.push(frame(Buffer.alloc(50)));
    expect(frames.map((f) => f.length)).toEqual([4, 50]);
  });

  test('detects a stream truncated inside a frame payload at close', () => {
    const { decoder } = recorder();
    decoder.push(frame(Buffer.from('complete')));
    decoder.push(frame(Buffer.from('cut short')).subarray(0, 7));
    expect(reasonOf(() => decoder.end())).toBe('truncated_frame');
  });

  test('detects a stream truncated inside a frame header at close', () => {
    const { decoder } = recorder();
    decoder.push(Buffer.from([0, 0]));
    expect(reasonOf(() => decoder.end())).toBe('truncated_frame');
  });

  test('detects a stream truncated inside the preamble at close', () => {
    const { decoder } = recorder({ preamble: { magic: MAGIC, size: 8 } });
    decoder.push(MAGIC);
    expect(reasonOf(() => decoder.end())).toBe('truncated_frame');
  });

  test('a stream that ends between frames, or before any byte, ends cleanly', () => {
    const a = recorder();
    a.decoder.push(frame(Buffer.from('x')));
    expect(() => a.decoder.end()).not.toThrow();
    const b = recorder({ preamble: { magic: MAGIC, size: 8 } });
    expect(() => b.decoder.end()).not.toThrow();
  });

  test('a sink that stops the decoder receives no further frames from the same chunk', () => {
    const frames: string[] = [];
    const decoder: FrameDecoder = new FrameDecoder(
      {
        onFrame: (f) => {
          frames.push(String(f));
          decoder.stop();
        },
      },
      { maxFrameSize: 100 },
    );
    decoder.push(Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('b'))]));
    decoder.push(frame(Buffer.from('c')));
    expect(frames).toEqual(['a']);
  });

  test('round-trips a batch written by FrameEncoder', () => {
    const encoder = new FrameEncoder({ maxFrameSize: 1024, initialCapacity: 16 });
    encoder.writeRaw(Buffer.concat([MAGIC, Buffer.from([0, 1, 0, 1])]));
    for (let i = 0; i < 100; i++) encoder.writeKindFrame(i, Buffer.from(`payload ${i}`));
    const { decoder, frames, preambles } = recorder({ preamble: { magic: MAGIC, size: 8 } });
    decoder.push(encoder.take());
    expect(preambles).toHaveLength(1);
    expect(frames).toHaveLength(100);
    expect(frames[42][0]).toBe(42);
    expect(String(frames[42].subarray(1))).toBe('payload 42');
  });
});
