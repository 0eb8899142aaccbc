import { endpointIdToBytes } from './endpoint-id';
import { MAX_CACHED_TOPIC_SIZE, OperationDecodeCache } from './operation-decode-cache';

const A = '00000000-0000-4000-8000-000000000001';
const B = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

describe('OperationDecodeCache', () => {
  it('gives the text of each id, reusing it while the bytes repeat', () => {
    const cache = new OperationDecodeCache();
    const bytes = Buffer.concat([Buffer.alloc(3), endpointIdToBytes(A), endpointIdToBytes(B)]);
    expect(cache.sender(bytes, 3)).toBe(A);
    expect(cache.receiver(bytes, 19)).toBe(B);
    // Another buffer with the same bytes: same text; then other bytes in the same slot.
    expect(cache.sender(Buffer.from(bytes), 3)).toBe(A);
    expect(cache.sender(bytes, 19)).toBe(B);
    expect(cache.receiver(bytes, 3)).toBe(A);
  });

  it('decodes topics as UTF-8, long ones too, and tells apart topics of equal length', () => {
    const cache = new OperationDecodeCache();
    const topic = (t: string | Buffer): string => {
      const b = Buffer.concat([Buffer.from('xx'), Buffer.isBuffer(t) ? t : Buffer.from(t, 'utf8')]);
      return cache.topic(b, 2, b.length - 2);
    };
    expect(topic('/zeek/é')).toBe('/zeek/é');
    expect(topic('/zeek/é')).toBe('/zeek/é');
    expect(topic('/zeek/a')).toBe('/zeek/a');
    expect(topic('/zeek/b')).toBe('/zeek/b');
    const long = `/${'x'.repeat(MAX_CACHED_TOPIC_SIZE)}`;
    expect(topic(long)).toBe(long);
    expect(topic(`${long.slice(0, -1)}y`)).toBe(`${long.slice(0, -1)}y`);
    expect(topic(Buffer.from([0x2f, 0xff]))).toBe('/\ufffd');
    expect(topic('')).toBe('');
  });
});
