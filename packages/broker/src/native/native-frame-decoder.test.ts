import { encodeBinary } from '@broker-ts/data';
import { encodeHandshakeFrame, encodeOperationFrame } from './native-codec';
import { type NativeDecodeResult, NativeFrameDecoder } from './native-frame-decoder';
import { NATIVE_MAGIC } from './native-message';

const A = '00000000-0000-4000-8000-000000000001';
const B = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

function drain(dec: NativeFrameDecoder): NativeDecodeResult[] {
  const out: NativeDecodeResult[] = [];
  for (let r = dec.next(); r !== undefined; r = dec.next()) out.push(r);
  return out;
}

const probe = encodeHandshakeFrame({ type: 'probe', magic: NATIVE_MAGIC });
const hello = encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: A, minVersion: 1, maxVersion: 1 });
const ack = encodeHandshakeFrame({ type: 'originator_ack' });
const data = encodeOperationFrame({ type: 'data', sender: A, receiver: B, ttl: 16, topic: '/t', payload: encodeBinary('x') });

describe('NativeFrameDecoder', () => {
  it('decodes frames fed one byte at a time', () => {
    const dec = new NativeFrameDecoder();
    const out: NativeDecodeResult[] = [];
    for (const byte of Buffer.concat([probe, hello])) {
      dec.push(Buffer.from([byte]));
      out.push(...drain(dec));
    }
    expect(out.map((r) => r.kind === 'handshake' && r.message.type)).toEqual(['probe', 'hello']);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('reads the rest of a chunk as operation messages once the owner switches mode', () => {
    const dec = new NativeFrameDecoder();
    dec.push(Buffer.concat([ack, data, data]));
    const first = dec.next();
    expect(first).toEqual({ kind: 'handshake', message: { type: 'originator_ack' } });
    dec.mode = 'operation';
    const rest = drain(dec);
    expect(rest).toHaveLength(2);
    expect(rest.every((r) => r.kind === 'operation' && r.message.topic === '/t')).toBe(true);
  });

  it('fails on an oversized length before the body arrives and then stays quiet', () => {
    const dec = new NativeFrameDecoder({ maxHandshakeFrameSize: 100 });
    dec.push(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    const r = dec.next();
    expect(r).toMatchObject({ kind: 'invalid', fatal: true });
    expect(dec.failed).toBe(true);
    dec.push(probe);
    expect(dec.next()).toBeUndefined();
  });

  it('says that a too-large handshake frame is no Broker peer, naming printable first bytes', () => {
    const message = (bytes: Buffer, mode: 'handshake' | 'operation' = 'handshake') => {
      const dec = new NativeFrameDecoder();
      dec.mode = mode;
      dec.push(bytes);
      const r = dec.next();
      return r?.kind === 'invalid' ? r.error.message : undefined;
    };
    expect(message(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toBe('frame of 1213486160 bytes exceeds the limit of 1048576: not a Broker peer (its first bytes read "HTTP")');
    expect(message(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))).toMatch(/: not a Broker peer \(its first bytes read "SSH-"\)$/);
    expect(message(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toMatch(/exceeds the limit of \d+: not a Broker peer$/);
    // After the handshake the peer is a Broker peer: only the size is named.
    expect(message(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'operation')).toMatch(/^frame of 3735928559 bytes exceeds the limit of \d+$/);
  });

  it('turns a garbage handshake frame into a fatal typed error, without throwing', () => {
    const dec = new NativeFrameDecoder();
    dec.push(Buffer.from('0000000463616665', 'hex'));
    const r = dec.next();
    expect(r?.kind).toBe('invalid');
    if (r?.kind === 'invalid') {
      expect(r.error.code).toBe('invalid_message');
      expect(r.fatal).toBe(true);
    }
  });

  it('refuses an empty frame during the handshake but skips it afterwards', () => {
    const hs = new NativeFrameDecoder();
    hs.push(Buffer.alloc(4));
    expect(hs.next()).toMatchObject({ kind: 'invalid', fatal: true });
    const op = new NativeFrameDecoder({ mode: 'operation' });
    op.push(Buffer.concat([Buffer.alloc(4), data]));
    expect(drain(op).map((r) => r.kind)).toEqual(['operation']);
  });

  it('drops a malformed operation message and goes on with the next', () => {
    const dec = new NativeFrameDecoder({ mode: 'operation' });
    const shortFrame = Buffer.from('00000003010203', 'hex');
    dec.push(Buffer.concat([shortFrame, data]));
    const out = drain(dec);
    expect(out[0]).toMatchObject({ kind: 'invalid', fatal: false });
    expect(out[1].kind).toBe('operation');
  });

  it('reports a stream that ends inside a frame', () => {
    const dec = new NativeFrameDecoder();
    dec.push(hello.subarray(0, 10));
    expect(dec.next()).toBeUndefined();
    expect(dec.end()).toMatchObject({ kind: 'invalid', fatal: true });
    const clean = new NativeFrameDecoder();
    clean.push(probe);
    drain(clean);
    expect(clean.end()).toBeUndefined();
  });

  it('assembles a large frame from many small chunks without losing a byte', () => {
    const big = encodeOperationFrame({ type: 'data', sender: A, receiver: B, ttl: 16, topic: '/big', payload: encodeBinary('y'.repeat(1 << 20)) });
    const dec = new NativeFrameDecoder({ mode: 'operation' });
    const out: NativeDecodeResult[] = [];
    for (let i = 0; i < big.length; i += 1000) {
      dec.push(big.subarray(i, i + 1000));
      out.push(...drain(dec));
    }
    expect(out).toHaveLength(1);
    expect(out[0].kind === 'operation' && out[0].message.payload.length).toBe((1 << 20) + 4);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('never throws on random input', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 200; round++) {
      for (const mode of ['handshake', 'operation'] as const) {
        const dec = new NativeFrameDecoder({ mode, maxFrameSize: 4096, maxHandshakeFrameSize: 4096 });
        const len = rnd() % 300;
        const bytes = Buffer.alloc(len);
        for (let i = 0; i < len; i++) bytes[i] = rnd() & 0xff;
        // small lengths so that frames actually complete
        if (len > 4) bytes.writeUInt32BE(rnd() % (len - 3), 0);
        expect(() => {
          dec.push(bytes);
          drain(dec);
          dec.end();
        }).not.toThrow();
      }
    }
  });
});
