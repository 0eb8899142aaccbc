import { encode as cborEncode } from 'cbor-x';
import fc from 'fast-check';
import { ActorError } from './actor-error';
import { ActorRef, type RefHost } from './actor-ref';
import { Envelope, EnvelopeKind } from './envelope';
import { ACTOR_REF_TAG, decodeEnvelopes, encodeEnvelopes, registerCodecExtension } from './envelope-codec';
import { ExitReasons } from './exit-reason';

const sent: [ActorRef, unknown][] = [];
const here: RefHost = { tellFrom: (to, msg) => void sent.push([to, msg]) };
const there: RefHost = { tellFrom: () => undefined };

describe('envelope codec', () => {
  test('a batch round-trips kinds, addressing, request ids and payloads', () => {
    const to = new ActorRef('B', 7, there);
    const from = new ActorRef('A', 3, there);
    const third = new ActorRef('C', 9, there);
    const envs = [
      new Envelope(to, from, { type: 'm', n: 1n, f: 1.5, s: 'x', b: new Uint8Array([1, 2]), nested: { list: [null, true] } }, EnvelopeKind.Message, 0),
      new Envelope(to, null, { type: 'q' }, EnvelopeKind.Request, 42),
      new Envelope(third, from, ExitReasons.unreachable('Z'), EnvelopeKind.Exit, 0),
    ];
    const back = decodeEnvelopes(encodeEnvelopes(envs, 'A', 'B'), here);
    expect(back.map((e) => [e.kind, e.to.key, e.from?.key ?? null, e.rid])).toEqual([
      [EnvelopeKind.Message, 'B#7', 'A#3', 0],
      [EnvelopeKind.Request, 'B#7', null, 42],
      [EnvelopeKind.Exit, 'C#9', 'A#3', 0],
    ]);
    expect(back[0].msg).toEqual(envs[0].msg);
    expect(back[2].msg).toEqual({ kind: 'unreachable', node: 'Z' });
  });

  test.each(['sequence', 'array'] as const)('the %s layout round-trips a batch with records of several shapes, and is told apart by its first byte', (layout) => {
    const to = new ActorRef('B', 7, there);
    const msgs = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? { type: 'a', i, s: `x${i}` } : i % 3 === 1 ? { type: 'b', i, list: [i, { deep: i }] } : [i, null, 'text']));
    const bytes = encodeEnvelopes(msgs.map((m, i) => new Envelope(to, null, m, EnvelopeKind.Message, i)), 'A', 'B', layout);
    // An array head (major type 4) only in the array layout; the sequence starts with the
    // sender's node id, a text string (major type 3).
    expect(bytes[0] >> 5).toBe(layout === 'array' ? 4 : 3);
    const back = decodeEnvelopes(bytes, here);
    expect(back.map((e) => e.msg)).toEqual(msgs);
    expect(back.map((e) => e.rid)).toEqual(msgs.map((_, i) => i));
  });

  test('a batch in the sequence layout after many other shapes of messages still round-trips', () => {
    // Each encode call writes its own records: a shape seen in an earlier batch is defined
    // again, never referred to across batches.
    const to = new ActorRef('B', 1, there);
    for (let round = 0; round < 20; round++) {
      const msg = { [`k${round}`]: round, type: 'm', nested: { [`n${round % 4}`]: [round] } };
      const [env] = decodeEnvelopes(encodeEnvelopes([new Envelope(to, null, msg, EnvelopeKind.Message, 0)], 'A', 'B'), here);
      expect(env.msg).toEqual(msg);
    }
  });

  test('refs inside messages come back bound to the receiving host', () => {
    const ref = new ActorRef('A', 5, there);
    const [env] = decodeEnvelopes(encodeEnvelopes([new Envelope(new ActorRef('B', 1, there), null, { type: 'm', reply: ref, list: [ref] }, EnvelopeKind.Message, 0)], 'A', 'B'), here);
    const got = (env.msg as { reply: ActorRef }).reply;
    expect(got).toBeInstanceOf(ActorRef);
    expect(got.equals(ref)).toBe(true);
    got.tell({ type: 'hello' });
    expect(sent.at(-1)?.[0]).toBe(got);
    expect(env.to.host).toBe(here);
  });

  test('ActorErrors survive the trip with their code', () => {
    const err = new ActorError('request_timeout', 'slow', new Error('inner'));
    const [env] = decodeEnvelopes(encodeEnvelopes([new Envelope(new ActorRef('B', 1, there), null, err, EnvelopeKind.ErrorResponse, 3)], 'A', 'B'), here);
    expect(env.msg).toBeInstanceOf(ActorError);
    expect(env.msg).toMatchObject({ code: 'request_timeout', message: 'slow', cause: { name: 'Error', message: 'inner' } });
  });

  test('a ref decoded outside decodeEnvelopes refuses to send with a clear error', () => {
    const { decode } = require('cbor-x') as typeof import('cbor-x');
    const ref = decode(cborEncode(new ActorRef('A', 1, there))) as ActorRef;
    expect(ref).toBeInstanceOf(ActorRef);
    expect(() => ref.tell({ type: 'x' })).toThrow(ActorError);
  });

  test('other packages can register their own extensions', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    registerCodecExtension<Point, [number, number]>({ Class: Point, tag: 41999, encode: (p, enc) => enc([p.x, p.y]), decode: ([x, y]) => new Point(x, y) });
    const [env] = decodeEnvelopes(encodeEnvelopes([new Envelope(new ActorRef('B', 1, there), null, { type: 'm', p: new Point(1, 2) }, EnvelopeKind.Message, 0)], 'A', 'B'), here);
    expect((env.msg as { p: Point }).p).toEqual(new Point(1, 2));
  });

  test('malformed batches are rejected with decode_failed', () => {
    const bad = [
      new Uint8Array([0xff, 0x00, 0x13]),
      cborEncode('not an array'),
      cborEncode(['A', 'B', 0, 1]),
      cborEncode([1, 'B', 0, 1, null, -1, null, 0, {}]),
      cborEncode(['A', 'B', 99, 1, null, -1, null, 0, {}]),
      cborEncode(['A', 'B', 0, -1, null, -1, null, 0, {}]),
      cborEncode(['A', 'B', 0, 1, null, -2, null, 0, {}]),
      cborEncode(['A', 'B', 0, 1, null, -1, null, 1.5, {}]),
      cborEncode(['A', 'B', 0, 1, 7, -1, null, 0, {}]),
      new Uint8Array([0xd9, 0xa0, 0x29, 0x63, 0x61, 0x62, 0x63]),
      // The sequence layout: no items, one node id, an envelope that is not an array, one of
      // 6 items, a bad kind, a bad request id, a truncated envelope.
      new Uint8Array(0),
      cborEncode('A'),
      Buffer.concat([cborEncode('A'), cborEncode('B'), cborEncode(0)]),
      Buffer.concat([cborEncode('A'), cborEncode('B'), cborEncode([0, 1, null, -1, null, 0])]),
      Buffer.concat([cborEncode('A'), cborEncode('B'), cborEncode([99, 1, null, -1, null, 0, {}])]),
      Buffer.concat([cborEncode('A'), cborEncode('B'), cborEncode([0, 1, null, -1, null, -3, {}])]),
      Buffer.concat([cborEncode('A'), cborEncode('B'), cborEncode([0, 1, null, -1, null, 0, {}]).subarray(0, 5)]),
    ];
    for (const bytes of bad) expect(() => decodeEnvelopes(bytes, here)).toThrow(expect.objectContaining({ code: 'decode_failed' }));
  });

  test('arbitrary bytes never crash the decoder with anything but an ActorError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeEnvelopes(bytes, here);
        } catch (e) {
          expect(e).toBeInstanceOf(ActorError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('unencodable messages fail with invalid_argument', () => {
    const env = new Envelope(new ActorRef('B', 1, there), null, { type: 'm', fn: Symbol('x') }, EnvelopeKind.Message, 0);
    expect(() => encodeEnvelopes([env], 'A', 'B')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  test('the ref tag is the documented one', () => {
    expect(ACTOR_REF_TAG).toBe(41001);
  });
});
