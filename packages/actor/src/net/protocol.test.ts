import { encode } from 'cbor-x';
import { NetError } from './net-error';
import { decodeMessage, decodePreamble, encodeMessage, encodePreamble, Kind, MAGIC, negotiateVersion, type WireMessage } from './protocol';

function roundTrip(message: WireMessage): WireMessage {
  const [kind, body] = encodeMessage(message);
  return decodeMessage(Buffer.concat([Buffer.from([kind]), body]));
}

function reasonOf(payload: number[] | Buffer): string {
  try {
    decodeMessage(Buffer.from(payload));
  } catch (e) {
    if (e instanceof NetError) return e.reason;
    throw e;
  }
  return 'no error';
}

describe('protocol', () => {
  test('the preamble is the magic followed by the version range', () => {
    const preamble = encodePreamble({ min: 1, max: 3 });
    expect([...preamble]).toEqual([...MAGIC, 0, 1, 0, 3]);
    expect(decodePreamble(preamble)).toEqual({ min: 1, max: 3 });
  });

  test('a preamble with an empty version range is malformed', () => {
    expect(() => decodePreamble(Buffer.from([...MAGIC, 0, 3, 0, 1]))).toThrow(/malformed_message/);
  });

  test('version negotiation picks the newest common version or none', () => {
    expect(negotiateVersion({ min: 1, max: 3 }, { min: 2, max: 5 })).toBe(3);
    expect(negotiateVersion({ min: 1, max: 1 }, { min: 1, max: 1 })).toBe(1);
    expect(negotiateVersion({ min: 1, max: 1 }, { min: 2, max: 4 })).toBeUndefined();
  });

  test('every message survives encode and decode', () => {
    const messages: WireMessage[] = [
      { kind: 'hello', node: 'node-a', maxFrameSize: 1 << 24 },
      { kind: 'welcome', node: 'node-b', version: 1, maxFrameSize: 4096 },
      { kind: 'ready' },
      { kind: 'heartbeat' },
      { kind: 'deliver', body: Buffer.from([1, 2, 3]) },
    ];
    for (const m of messages) expect(roundTrip(m)).toEqual(m);
    const reject = roundTrip({ kind: 'reject', error: new NetError('duplicate_connection', 'x'), node: 'n' });
    expect(reject).toMatchObject({ kind: 'reject', node: 'n' });
    expect((reject as { error: NetError }).error.reason).toBe('duplicate_connection');
    const goodbye = roundTrip({ kind: 'goodbye', error: new NetError('shutdown', 'bye') });
    expect((goodbye as { error: NetError }).error).toBeInstanceOf(NetError);
    expect((goodbye as { error: NetError }).error.reason).toBe('shutdown');
  });

  test('an unknown reason from the wire becomes malformed_message', () => {
    const payload = Buffer.concat([Buffer.from([Kind.Goodbye]), encode(['no_such_reason', 'x'])]);
    const message = decodeMessage(payload) as { error: NetError };
    expect(message.error.reason).toBe('malformed_message');
  });

  test('bad payloads are malformed messages with a reason, never crashes', () => {
    expect(reasonOf([])).toBe('malformed_message');
    expect(reasonOf([0x7f])).toBe('malformed_message');
    expect(reasonOf([Kind.Hello, 0xff])).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode('not an array')]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode([42, 4096])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode(['', 4096])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode(['x'.repeat(300), 4096])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode(['n'])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode(['n', 100])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Hello]), encode(['n', 2 ** 33])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Welcome]), encode(['n', -1, 4096])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Welcome]), encode(['n', 1.5, 4096])]))).toBe('malformed_message');
    expect(reasonOf(Buffer.concat([Buffer.from([Kind.Welcome]), encode(['n', 1])]))).toBe('malformed_message');
    expect(reasonOf([Kind.Ready, 0])).toBe('malformed_message');
    expect(reasonOf([Kind.Heartbeat, 1, 2])).toBe('malformed_message');
    expect(reasonOf([Kind.Hello, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe('malformed_message');
  });

  test('random payloads decode or fail with NetError, nothing else', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (next() % 24) }, next));
      bytes[0] = [Kind.Hello, Kind.Welcome, Kind.Reject, Kind.Goodbye][i % 4];
      try {
        decodeMessage(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(NetError);
      }
    }
  });
});
