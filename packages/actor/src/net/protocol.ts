import { decode, encode } from 'cbor-x';
import { NetError } from './net-error';

/**
 * The actor runtime's TCP wire protocol in one place: constants, the typed messages, and
 * their encoding into frame payloads. `docs/actor-tcp-protocol.md` describes the bytes.
 *
 * A frame payload is one kind byte followed by a body. Control bodies are CBOR arrays;
 * a DELIVER body is an envelope encoded by the runtime's envelope codec, opaque here.
 */

/** First bytes every node sends: `0xB7 'A' 'C' 'T'` (non-ASCII first byte: no text protocol starts so). */
export const MAGIC: Uint8Array = Uint8Array.of(0xb7, 0x41, 0x43, 0x54);

/** Size of the preamble: magic, then uint16 BE min version, then uint16 BE max version. */
export const PREAMBLE_SIZE = 8;

/**
 * Protocol versions this implementation speaks. Version 2 frames a DELIVER body as a CBOR
 * sequence (both node ids, then one array per envelope), version 1 as one CBOR array of
 * all the items; everything else is the same, and a version-2 node reads either.
 */
export const PROTOCOL_VERSION = { min: 1, max: 2 } as const;

/** Frame size limit while the handshake runs: a stranger cannot make us buffer more. */
export const HANDSHAKE_MAX_FRAME_SIZE = 4096;

/** Default frame size limit once connected (16 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** Longest node id accepted in a handshake, in UTF-16 code units. */
export const MAX_NODE_ID_LENGTH = 256;

/** Message kind bytes (first byte of every frame payload). */
export const Kind = {
  Hello: 0x01,
  Welcome: 0x02,
  Ready: 0x03,
  Reject: 0x04,
  Heartbeat: 0x10,
  Goodbye: 0x11,
  Deliver: 0x20,
} as const;

/** The messages of the protocol. */
export type WireMessage =
  /** Initiator → acceptor: who I am, the largest frame I accept, and with a shared secret my challenge. */
  | { kind: 'hello'; node: string; maxFrameSize: number; nonce?: Uint8Array }
  /**
   * Acceptor → initiator: accepted; who I am, the negotiated version, the largest frame I
   * accept, and when the initiator sent a challenge: mine, and my proof of the secret.
   */
  | { kind: 'welcome'; node: string; version: number; maxFrameSize: number; nonce?: Uint8Array; proof?: Uint8Array }
  /** Initiator → acceptor: the connection is established (with a secret: my proof of it). */
  | { kind: 'ready'; proof?: Uint8Array }
  /** Either side, during the handshake: refused; `node` is the sender's id when known. */
  | { kind: 'reject'; error: NetError; node?: string }
  /** Either side, once connected: I am alive (sent only when idle). */
  | { kind: 'heartbeat' }
  /** Either side, once connected: I am closing this connection, and why. */
  | { kind: 'goodbye'; error: NetError }
  /** Either side, once connected: one envelope for an actor of the receiving node. */
  | { kind: 'deliver'; body: Buffer };

/** A peer's version range, read from its preamble. */
export interface VersionRange {
  /** Oldest version the peer speaks. */
  min: number;
  /** Newest version the peer speaks. */
  max: number;
}

/**
 * Builds the preamble a node sends first.
 * @param range - the versions this node speaks
 */
export function encodePreamble(range: VersionRange): Buffer {
  const out = Buffer.alloc(PREAMBLE_SIZE);
  out.set(MAGIC, 0);
  out.writeUInt16BE(range.min, 4);
  out.writeUInt16BE(range.max, 6);
  return out;
}

/**
 * Reads the version range of a preamble whose magic the frame decoder already checked.
 * @param preamble - the {@link PREAMBLE_SIZE} bytes
 * @throws NetError `malformed_message` when min > max
 */
export function decodePreamble(preamble: Uint8Array): VersionRange {
  const view = Buffer.from(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  const range = { min: view.readUInt16BE(4), max: view.readUInt16BE(6) };
  if (range.min > range.max) throw new NetError('malformed_message', `preamble version range ${range.min}..${range.max} is empty`);
  return range;
}

/**
 * Picks the newest version both ranges contain.
 * @returns the version, or undefined when the ranges do not overlap
 */
export function negotiateVersion(local: VersionRange, remote: VersionRange): number | undefined {
  const version = Math.min(local.max, remote.max);
  return version >= Math.max(local.min, remote.min) ? version : undefined;
}

const EMPTY = Buffer.alloc(0);

/**
 * Encodes a message into a frame payload's kind byte and body.
 * @param message - the message
 * @returns `[kind, body]`
 */
export function encodeMessage(message: WireMessage): [number, Uint8Array] {
  switch (message.kind) {
    case 'hello':
      return [Kind.Hello, encode(message.nonce === undefined ? [message.node, message.maxFrameSize] : [message.node, message.maxFrameSize, message.nonce])];
    case 'welcome': {
      const base = [message.node, message.version, message.maxFrameSize];
      return [Kind.Welcome, encode(message.nonce === undefined || message.proof === undefined ? base : [...base, message.nonce, message.proof])];
    }
    case 'ready':
      return [Kind.Ready, message.proof === undefined ? EMPTY : encode([message.proof])];
    case 'reject':
      return [Kind.Reject, encode(message.node === undefined ? [message.error.reason, message.error.message] : [message.error.reason, message.error.message, message.node])];
    case 'heartbeat':
      return [Kind.Heartbeat, EMPTY];
    case 'goodbye':
      return [Kind.Goodbye, encode([message.error.reason, message.error.message])];
    case 'deliver':
      return [Kind.Deliver, message.body];
  }
}

/**
 * Decodes a frame payload into a message, validating its shape.
 * @param payload - the whole frame payload
 * @throws NetError `malformed_message` with what is wrong
 */
export function decodeMessage(payload: Buffer): WireMessage {
  if (payload.length === 0) throw new NetError('malformed_message', 'empty frame');
  const kind = payload[0];
  const body = payload.subarray(1);
  switch (kind) {
    case Kind.Hello: {
      const [node, limit, nonce] = decodeArray(body, 'hello', 2, 3);
      const hello: WireMessage = { kind: 'hello', node: nodeId(node, 'hello'), maxFrameSize: frameLimit(limit, 'hello') };
      return nonce === undefined ? hello : { ...hello, nonce: authBytes(nonce, 'hello') };
    }
    case Kind.Welcome: {
      const [node, version, limit, nonce, proof] = decodeArray(body, 'welcome', 3, 5);
      if (!Number.isInteger(version) || (version as number) < 0 || (version as number) > 0xffff) {
        throw new NetError('malformed_message', 'welcome carries no valid version');
      }
      const welcome: WireMessage = { kind: 'welcome', node: nodeId(node, 'welcome'), version: version as number, maxFrameSize: frameLimit(limit, 'welcome') };
      if (nonce === undefined && proof === undefined) return welcome;
      return { ...welcome, nonce: authBytes(nonce, 'welcome'), proof: authBytes(proof, 'welcome') };
    }
    case Kind.Ready: {
      if (body.length === 0) return { kind: 'ready' };
      const [proof] = decodeArray(body, 'ready', 1, 1);
      return { kind: 'ready', proof: authBytes(proof, 'ready') };
    }
    case Kind.Reject: {
      const [reason, detail, node] = decodeArray(body, 'reject', 2, 3);
      const error = NetError.fromWire(reason, detail);
      return node === undefined ? { kind: 'reject', error } : { kind: 'reject', error, node: nodeId(node, 'reject') };
    }
    case Kind.Heartbeat:
      expectEmpty(body, 'heartbeat');
      return { kind: 'heartbeat' };
    case Kind.Goodbye: {
      const [reason, detail] = decodeArray(body, 'goodbye', 2, 2);
      return { kind: 'goodbye', error: NetError.fromWire(reason, detail) };
    }
    case Kind.Deliver:
      return { kind: 'deliver', body };
    default:
      throw new NetError('malformed_message', `unknown message kind 0x${kind.toString(16).padStart(2, '0')}`);
  }
}

function decodeArray(body: Buffer, what: string, min: number, max: number): unknown[] {
  let value: unknown;
  try {
    value = decode(body);
  } catch (e) {
    throw new NetError('malformed_message', `${what} body is not valid CBOR (${(e as Error).message})`);
  }
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw new NetError('malformed_message', `${what} body is not an array of ${min === max ? min : `${min} to ${max}`} items`);
  }
  return value;
}

function nodeId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NODE_ID_LENGTH) {
    throw new NetError('malformed_message', `${what} carries no valid node id`);
  }
  return value;
}

/** Frame limits below this are refused: a peer must accept at least the handshake's frames. */
export const MIN_FRAME_LIMIT = HANDSHAKE_MAX_FRAME_SIZE;

function frameLimit(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < MIN_FRAME_LIMIT || (value as number) > 0xffffffff) {
    throw new NetError('malformed_message', `${what} carries no valid frame limit (${MIN_FRAME_LIMIT} to 4294967295)`);
  }
  return value as number;
}

/** Size of the nonces and proofs of the shared-secret handshake (HMAC-SHA256). */
export const AUTH_BYTES = 32;

function authBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== AUTH_BYTES) throw new NetError('malformed_message', `${what} carries no valid ${AUTH_BYTES}-byte challenge or proof`);
  return value;
}

function expectEmpty(body: Buffer, what: string): void {
  if (body.length !== 0) throw new NetError('malformed_message', `${what} must have an empty body, got ${body.length} bytes`);
}
