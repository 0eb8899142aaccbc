import { BrokerError, count, encodeBinary } from '@broker-ts/data';
import { decodeHandshakeBody, decodeOperationBody, encodeHandshakeFrame, encodeOperationFrame } from './native-codec';
import { type HandshakeMessage, NATIVE_MAGIC } from './native-message';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const body = (frame: Buffer): Buffer => frame.subarray(4);
const MAX_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const MIN_ID = '00000000-0000-4000-8000-000000000000';

function decodeError(bytes: Uint8Array, decode: (b: Uint8Array) => unknown): BrokerError {
  try {
    decode(bytes);
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw e;
  }
  throw new Error('expected a BrokerError');
}

describe('native codec: handshake messages', () => {
  it('writes HELLO byte for byte as Broker\'s own test peer does', () => {
    // tests/btest/scripts/wire_format.py: pack_hello(ffffffff-ffff-4fff-bfff-ffffffffffff, 1, 99)
    const frame = encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: MAX_ID, minVersion: 1, maxVersion: 99 });
    expect(frame).toEqual(hex('00000017 06 5a45454b ffffffffffff4fffbfffffffffffffff 01 63'));
  });

  it('writes PROBE and ORIGINATOR_ACK as Broker sends them', () => {
    expect(encodeHandshakeFrame({ type: 'probe', magic: NATIVE_MAGIC })).toEqual(hex('00000005 07 5a45454b'));
    expect(encodeHandshakeFrame({ type: 'originator_ack' })).toEqual(hex('00000001 0c'));
  });

  it('round-trips every handshake message', () => {
    const messages: HandshakeMessage[] = [
      { type: 'hello', magic: NATIVE_MAGIC, senderId: MIN_ID, minVersion: 1, maxVersion: 1 },
      { type: 'probe', magic: NATIVE_MAGIC },
      { type: 'version_select', magic: NATIVE_MAGIC, senderId: MAX_ID, selectedVersion: 1 },
      { type: 'drop_conn', magic: NATIVE_MAGIC, senderId: MAX_ID, code: 2, description: 'unsupported versions offered' },
      { type: 'originator_syn', filter: ['/foo/bar', 'zeek/événement'] },
      { type: 'responder_syn_ack', filter: [] },
      { type: 'originator_ack' },
    ];
    for (const msg of messages) expect(decodeHandshakeBody(body(encodeHandshakeFrame(msg)))).toEqual(msg);
  });

  it('writes the filter as a varbyte count and varbyte-prefixed topics', () => {
    // pack_originator_syn(['/foo/bar']): 11 bytes with the tag
    expect(encodeHandshakeFrame({ type: 'originator_syn', filter: ['/foo/bar'] })).toEqual(hex('0000000b 0a 01 08 2f666f6f2f626172'));
  });

  it('refuses a HELLO whose version range excludes version 1 with peer_incompatible', () => {
    const frame = encodeHandshakeFrame({ type: 'hello', magic: NATIVE_MAGIC, senderId: MAX_ID, minVersion: 200, maxVersion: 201 });
    const err = decodeError(body(frame), decodeHandshakeBody);
    expect(err.code).toBe('peer_incompatible');
    expect(err.message).toBe('unsupported versions offered');
  });

  it('refuses a wrong magic number with wrong_magic_number', () => {
    const err = decodeError(hex('07 5a45454c'), decodeHandshakeBody);
    expect(err.code).toBe('wrong_magic_number');
  });

  it('refuses an unknown tag, an operation tag and a truncated message with invalid_message', () => {
    expect(decodeError(hex('63 00'), decodeHandshakeBody).message).toBe('invalid message type tag');
    expect(decodeError(hex('01 00'), decodeHandshakeBody).message).toBe('invalid message type tag');
    expect(decodeError(hex('06 5a45454b ffff'), decodeHandshakeBody).message).toBe('failed to parse hello_msg');
    expect(decodeError(hex('0a 05 01'), decodeHandshakeBody).code).toBe('invalid_message');
  });

  it('reads a DROP_CONN with an unknown code as unspecified with its description', () => {
    const frame = encodeHandshakeFrame({ type: 'drop_conn', magic: NATIVE_MAGIC, senderId: MAX_ID, code: 250, description: 'who knows' });
    const err = decodeError(body(frame), decodeHandshakeBody);
    expect(err.code).toBe('unspecified');
    expect(err.message).toBe('who knows');
  });
});

describe('native codec: operation messages', () => {
  it('writes sender, receiver, type, TTL, topic and payload as Broker\'s test peer does', () => {
    // write_op_msg(fd, this_peer, peer_id, PING, '<$>', b"foo") with TTL 1: 43 bytes
    const frame = encodeOperationFrame({ type: 'ping', sender: MIN_ID, receiver: MAX_ID, ttl: 1, topic: '<$>', payload: Buffer.from('foo') });
    expect(frame).toEqual(hex('0000002b 00000000000040008000000000000000 ffffffffffff4fffbfffffffffffffff 04 0001 0003 3c243e 666f6f'));
    expect(decodeOperationBody(body(frame))).toEqual({ type: 'ping', sender: MIN_ID, receiver: MAX_ID, ttl: 1, topic: '<$>', payload: Buffer.from('foo') });
  });

  it('round-trips a DATA message and checks its payload is one value', () => {
    const payload = encodeBinary(['hello', count(42n)]);
    const frame = encodeOperationFrame({ type: 'data', sender: MIN_ID, receiver: '00000000-0000-0000-0000-000000000000', ttl: 16, topic: '/test', payload });
    const msg = decodeOperationBody(body(frame));
    expect(msg.type).toBe('data');
    expect(Buffer.from(msg.payload)).toEqual(Buffer.from(payload));
    const trailing = encodeOperationFrame({ type: 'data', sender: MIN_ID, receiver: MIN_ID, ttl: 1, topic: '/t', payload: Buffer.concat([payload, hex('00')]) });
    expect(decodeError(body(trailing), decodeOperationBody).code).toBe('deserialization_failed');
    const empty = encodeOperationFrame({ type: 'data', sender: MIN_ID, receiver: MIN_ID, ttl: 1, topic: '/t', payload: Buffer.alloc(0) });
    expect(decodeError(body(empty), decodeOperationBody).message).toBe('cannot parse null data');
  });

  it('refuses short messages, bad topic sizes and unknown types with invalid_data', () => {
    expect(decodeError(Buffer.alloc(36), decodeOperationBody).message).toBe('message too short');
    const frame = encodeOperationFrame({ type: 'pong', sender: MIN_ID, receiver: MAX_ID, ttl: 1, topic: '<$>', payload: Buffer.alloc(0) });
    const badTopic = Buffer.from(body(frame));
    badTopic.writeUInt16BE(500, 35);
    expect(decodeError(badTopic, decodeOperationBody).message).toBe('invalid topic size');
    const badType = Buffer.from(body(frame));
    badType[32] = 6;
    expect(decodeError(badType, decodeOperationBody).message).toBe('invalid message type');
  });

  it('writes each frame with its own ids and topic when they change from frame to frame', () => {
    const ids = [MIN_ID, MAX_ID, '12345678-9abc-4def-8123-456789abcdef'];
    for (let i = 0; i < 9; i++) {
      const msg = { type: 'data' as const, sender: ids[i % 3], receiver: ids[(i + 1) % 3], ttl: i, topic: `/t/${'é'.repeat(i)}`, payload: encodeBinary(BigInt(i)) };
      const back = decodeOperationBody(body(encodeOperationFrame(msg)));
      expect([back.sender, back.receiver, back.ttl, back.topic, back.value]).toEqual([msg.sender, msg.receiver, i, msg.topic, BigInt(i)]);
    }
    expect(() => encodeOperationFrame({ type: 'data', sender: 'not-an-id', receiver: MIN_ID, ttl: 1, topic: '/t', payload: encodeBinary(1) })).toThrow(BrokerError);
  });

  it('refuses to write a topic over 65535 bytes or a TTL out of range', () => {
    const base = { type: 'ping' as const, sender: MIN_ID, receiver: MAX_ID, payload: Buffer.alloc(0) };
    expect(() => encodeOperationFrame({ ...base, ttl: 1, topic: 'x'.repeat(65536) })).toThrow(BrokerError);
    expect(() => encodeOperationFrame({ ...base, ttl: 70000, topic: '<$>' })).toThrow(BrokerError);
  });
});
