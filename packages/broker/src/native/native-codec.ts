/**
 * Encoder and decoder of single frames of Broker's native protocol: handshake messages
 * (libbroker/broker/internal/wire_format.{hh,cc}) and operation messages (Broker's
 * envelope, libbroker/broker/envelope.cc). Each frame is a 4-byte big-endian length (not
 * counting itself) and a body. No I/O: bytes in, messages out.
 */
import { BrokerError, type Data, decodeBinary, errorCodeName } from '@broker-ts/data';
import { ENDPOINT_ID_SIZE, endpointIdFromBytes, endpointIdToBytes } from './endpoint-id';
import { decodeInternalCommand } from './internal-command';
import {
  type HandshakeMessage,
  NATIVE_MAGIC,
  NATIVE_PROTOCOL_VERSION,
  type OperationMessage,
  type OperationType,
  P2pMessageType,
} from './native-message';
import type { OperationDecodeCache } from './operation-decode-cache';
import { decodeRoutingUpdate } from './routing-update';
import { WireReader } from './wire-reader';
import { WireWriter } from './wire-writer';

/** Size of the length prefix of every frame. */
export const NATIVE_FRAME_HEADER_SIZE = 4;

/** Size of an operation message's fixed header: two ids, type, TTL, topic length. */
export const OPERATION_HEADER_SIZE = 2 * ENDPOINT_ID_SIZE + 1 + 2 + 2;

const OPERATION_TYPES: readonly (OperationType | undefined)[] = [undefined, 'data', 'command', 'routing_update', 'ping', 'pong'];

/** Reserves the 4-byte length, lets `body` write, then fills the length in. */
function frame(body: (w: WireWriter) => void, capacity = 64): Buffer {
  const w = new WireWriter(capacity);
  w.u32(0);
  body(w);
  const out = w.finish();
  out.writeUInt32BE(out.length - NATIVE_FRAME_HEADER_SIZE, 0);
  return out;
}

/**
 * Encodes a handshake message as one frame (length prefix, tag, fields).
 * @param msg - the message
 * @returns the frame bytes
 * @throws BrokerError `invalid_data` for an endpoint id that is not a UUID
 */
export function encodeHandshakeFrame(msg: HandshakeMessage): Buffer {
  return frame((w) => {
    w.u8(P2pMessageType[msg.type]);
    switch (msg.type) {
      case 'hello':
        w.u32(msg.magic).endpointId(msg.senderId).u8(msg.minVersion).u8(msg.maxVersion);
        break;
      case 'probe':
        w.u32(msg.magic);
        break;
      case 'version_select':
        w.u32(msg.magic).endpointId(msg.senderId).u8(msg.selectedVersion);
        break;
      case 'drop_conn':
        w.u32(msg.magic).endpointId(msg.senderId).u8(msg.code).string(msg.description);
        break;
      case 'originator_syn':
      case 'responder_syn_ack':
        w.filter(msg.filter);
        break;
      case 'originator_ack':
        break;
    }
  });
}

/** Broker's `check(...)` of the magic number. */
function checkMagic(magic: number): void {
  if (magic !== NATIVE_MAGIC) throw new BrokerError('wrong_magic_number', 'wrong magic number');
}

/**
 * Decodes the body of a handshake frame, with the checks Broker's `wire_format::decode`
 * applies. The error's code and message are what Broker puts into its DROP_CONN reply.
 * Trailing bytes after the fields are ignored, as Broker does.
 * @param body - the frame body (without the length prefix)
 * @returns the message
 * @throws BrokerError `invalid_message` (unknown tag, truncated fields),
 *   `wrong_magic_number`, `peer_incompatible` (no common version), `unspecified`
 *   (DROP_CONN with an unknown error code)
 */
export function decodeHandshakeBody(body: Uint8Array): HandshakeMessage {
  if (body.length === 0) throw new BrokerError('invalid_message', 'invalid message type tag');
  const r = new WireReader(body, 'invalid_message');
  const tag = r.u8('tag');
  const parse = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new BrokerError('invalid_message', `failed to parse ${name}`, e instanceof BrokerError ? e.context : {}, { cause: e });
    }
  };
  switch (tag) {
    case P2pMessageType.hello: {
      const msg = parse('hello_msg', () => ({
        type: 'hello' as const,
        magic: r.u32('magic'),
        senderId: r.endpointId('sender id'),
        minVersion: r.u8('min version'),
        maxVersion: r.u8('max version'),
      }));
      checkMagic(msg.magic);
      if (msg.minVersion > NATIVE_PROTOCOL_VERSION || msg.maxVersion < NATIVE_PROTOCOL_VERSION) {
        throw new BrokerError('peer_incompatible', 'unsupported versions offered');
      }
      return msg;
    }
    case P2pMessageType.probe: {
      const msg = parse('probe_msg', () => ({ type: 'probe' as const, magic: r.u32('magic') }));
      checkMagic(msg.magic);
      return msg;
    }
    case P2pMessageType.version_select: {
      const msg = parse('version_select_msg', () => ({
        type: 'version_select' as const,
        magic: r.u32('magic'),
        senderId: r.endpointId('sender id'),
        selectedVersion: r.u8('selected version'),
      }));
      checkMagic(msg.magic);
      if (msg.selectedVersion !== NATIVE_PROTOCOL_VERSION) throw new BrokerError('peer_incompatible', 'unsupported version selected');
      return msg;
    }
    case P2pMessageType.drop_conn: {
      const msg = parse('drop_conn_msg', () => ({
        type: 'drop_conn' as const,
        magic: r.u32('magic'),
        senderId: r.endpointId('sender id'),
        code: r.u8('code'),
        description: r.string('description'),
      }));
      checkMagic(msg.magic);
      if (errorCodeName(msg.code) === undefined) throw new BrokerError('unspecified', msg.description);
      return msg;
    }
    case P2pMessageType.originator_syn:
      return parse('originator_syn_msg', () => ({ type: 'originator_syn' as const, filter: r.filter('filter') }));
    case P2pMessageType.responder_syn_ack:
      return parse('responder_syn_ack_msg', () => ({ type: 'responder_syn_ack' as const, filter: r.filter('filter') }));
    case P2pMessageType.originator_ack:
      return { type: 'originator_ack' };
    default:
      throw new BrokerError('invalid_message', 'invalid message type tag');
  }
}

/**
 * The wire bytes of the ids written last, by position (sender, receiver): a connection
 * writes the same ids frame after frame, so each distinct id is checked and converted
 * once rather than per frame.
 */
const lastIdText = ['', ''];
const lastIdBytes: Buffer[] = [Buffer.alloc(ENDPOINT_ID_SIZE), Buffer.alloc(ENDPOINT_ID_SIZE)];

function idBytes(id: string, slot: 0 | 1): Buffer {
  if (id === lastIdText[slot] && id !== '') return lastIdBytes[slot];
  const bytes = endpointIdToBytes(id);
  lastIdText[slot] = id;
  lastIdBytes[slot] = bytes;
  return bytes;
}

/**
 * Encodes an operation message as one frame: length, sender id, receiver id, type, TTL
 * (u16), topic length (u16), topic, payload.
 * @param msg - the message; its payload is written as is
 * @returns the frame bytes
 * @throws BrokerError `invalid_data` for a topic over 65535 bytes, a TTL outside
 *   0..65535, or an id that is not a UUID
 */
export function encodeOperationFrame(msg: OperationMessage): Buffer {
  const topicLength = Buffer.byteLength(msg.topic, 'utf8');
  if (topicLength > 0xffff) throw new BrokerError('invalid_data', 'topic exceeds maximum size of 65,535 characters');
  if (!Number.isInteger(msg.ttl) || msg.ttl < 0 || msg.ttl > 0xffff) throw new BrokerError('invalid_data', `ttl must be in 0..65535, got ${msg.ttl}`);
  const type = P2pMessageType[msg.type];
  if (type === undefined || type > P2pMessageType.pong) throw new BrokerError('invalid_data', `not an operation message type: ${String(msg.type)}`);
  const sender = idBytes(msg.sender, 0);
  const receiver = idBytes(msg.receiver, 1);
  const bodyStart = NATIVE_FRAME_HEADER_SIZE + OPERATION_HEADER_SIZE;
  const out = Buffer.allocUnsafe(bodyStart + topicLength + msg.payload.length);
  out.writeUInt32BE(out.length - NATIVE_FRAME_HEADER_SIZE, 0);
  out.set(sender, NATIVE_FRAME_HEADER_SIZE);
  out.set(receiver, NATIVE_FRAME_HEADER_SIZE + ENDPOINT_ID_SIZE);
  out[NATIVE_FRAME_HEADER_SIZE + 2 * ENDPOINT_ID_SIZE] = type;
  out.writeUInt16BE(msg.ttl, NATIVE_FRAME_HEADER_SIZE + 2 * ENDPOINT_ID_SIZE + 1);
  out.writeUInt16BE(topicLength, NATIVE_FRAME_HEADER_SIZE + 2 * ENDPOINT_ID_SIZE + 3);
  out.write(msg.topic, bodyStart, topicLength, 'utf8');
  out.set(msg.payload, bodyStart + topicLength);
  return out;
}

/** Decodes the ids and the topic of operation messages afresh each time (no stream to remember). */
const NO_CACHE = {
  sender: (src: Uint8Array, offset: number): string => endpointIdFromBytes(src, offset),
  receiver: (src: Uint8Array, offset: number): string => endpointIdFromBytes(src, offset),
  topic: (src: Uint8Array, from: number, n: number): string => Buffer.from(src.buffer, src.byteOffset + from, n).toString('utf8'),
};

/**
 * Decodes the body of an operation frame as Broker's `envelope::deserialize` does, and
 * checks the payload as Broker does before delivering it: a DATA payload must be
 * exactly one value, a COMMAND payload an `internal_command`, a ROUTING_UPDATE payload a
 * topic list. Broker drops a message that fails these checks and keeps the connection.
 * A DATA payload is checked by decoding it, once: the value comes with the message
 * ({@link OperationMessage.value}).
 * @param body - the frame body (without the length prefix)
 * @param cache - the ids and topic of the stream's previous message, reused when they
 *   repeat (see {@link OperationDecodeCache}); without it they are decoded afresh
 * @returns the message; its payload is a view of `body`
 * @throws BrokerError `invalid_data` (short message, bad topic size, unknown type,
 *   malformed command or routing update), `deserialization_failed` (bad DATA payload)
 */
export function decodeOperationBody(body: Uint8Array, cache: Pick<OperationDecodeCache, 'sender' | 'receiver' | 'topic'> = NO_CACHE): OperationMessage {
  if (body.length < OPERATION_HEADER_SIZE) throw new BrokerError('invalid_data', 'message too short');
  // The fixed header: sender (16), receiver (16), type (1), TTL (2), topic size (2).
  const typeTag = body[32];
  const ttl = (body[33] << 8) | body[34];
  const topicSize = (body[35] << 8) | body[36];
  if (topicSize > body.length - OPERATION_HEADER_SIZE) throw new BrokerError('invalid_data', 'invalid topic size');
  const type = OPERATION_TYPES[typeTag];
  if (type === undefined) throw new BrokerError('invalid_data', 'invalid message type');
  const sender = cache.sender(body, 0);
  const receiver = cache.receiver(body, ENDPOINT_ID_SIZE);
  const topic = cache.topic(body, OPERATION_HEADER_SIZE, topicSize);
  const payload = body.subarray(OPERATION_HEADER_SIZE + topicSize);
  if (type === 'data') return { type, sender, receiver, ttl, topic, payload, value: decodeDataPayload(payload) };
  checkPayload(type, payload);
  return { type, sender, receiver, ttl, topic, payload };
}

/** Decodes a DATA payload: exactly one value, else `deserialization_failed` as Broker reports it. */
function decodeDataPayload(payload: Uint8Array): Data {
  if (payload.length === 0) throw new BrokerError('deserialization_failed', 'cannot parse null data');
  try {
    return decodeBinary(payload);
  } catch (e) {
    const offset = e instanceof BrokerError ? e.context.offset : undefined;
    throw new BrokerError('deserialization_failed', 'failed to parse data', offset === undefined ? {} : { offset }, { cause: e });
  }
}

function checkPayload(type: OperationType, payload: Uint8Array): void {
  switch (type) {
    case 'command':
      decodeInternalCommand(payload);
      return;
    case 'routing_update':
      decodeRoutingUpdate(payload);
      return;
    default:
      return;
  }
}
