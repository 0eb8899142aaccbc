/**
 * The messages between the core actors of two peered endpoints, carried by the actor
 * runtime (over TCP or a worker MessagePort). Data travels on a credit-based stream of
 * {@link WireItem}s in each direction; the messages here set the peering up and down.
 *
 * ```
 * originator                      responder
 *   broker.hello {id, filter}  ──▶   checks protocol, registers the peer (peer_added)
 *                              ◀──   broker.welcome {id, filter}  or broker.reject {code}
 *   (peer_added)                     each side opens its data stream (flow.open ...)
 *   broker.filter {filter}     ◀─▶   whenever a side's subscriptions change
 *   broker.bye                 ──▶   unpeer: peer_removed here, peer_lost there
 * ```
 */
import { DEFAULT_MAX_FRAME_SIZE } from '@broker-ts/actor';
import type { Data, ErrorCodeName } from '@broker-ts/data';

/** The version of this protocol; a peer with another version is refused (`peer_incompatible`). */
export const PEER_PROTOCOL_VERSION = 1;

/** The registered name of every endpoint's core actor. */
export const CORE_ACTOR_NAME = 'broker.core';

/** The message types another endpoint may send to a core: the peering handshake and its updates. */
export const PEER_MESSAGE_TYPES = ['broker.hello', 'broker.welcome', 'broker.reject', 'broker.filter', 'broker.bye'] as const;

/** Opens a peering. */
export interface PeerHello {
  type: 'broker.hello';
  /** The originator's endpoint id. */
  endpoint: string;
  /** The originator's advertised filter. */
  filter: string[];
  /** Its {@link PEER_PROTOCOL_VERSION}. */
  protocol: number;
}

/** Accepts a peering. */
export interface PeerWelcome {
  type: 'broker.welcome';
  endpoint: string;
  filter: string[];
}

/** Refuses a peering. */
export interface PeerReject {
  type: 'broker.reject';
  code: ErrorCodeName;
  message: string;
}

/** A new advertised filter. */
export interface PeerFilterUpdate {
  type: 'broker.filter';
  filter: string[];
}

/** Ends a peering (the sender unpeered, or shuts down). */
export interface PeerBye {
  type: 'broker.bye';
  /** Why, for the receiver's log. */
  reason: string;
  /**
   * True when the sender shuts down (it may come back: the originator of a peering with
   * a retry reconnects); absent or false when it unpeered (no reconnection).
   */
  shutdown?: boolean;
  /**
   * True when the sender cut the peering off for a fault that may pass (a slow peer, a
   * stream that failed): as after a lost connection, the originator of a peering with a
   * retry reconnects.
   */
  reconnect?: boolean;
}

/** Any peering message. */
export type PeerMessage = PeerHello | PeerWelcome | PeerReject | PeerFilterUpdate | PeerBye;

/**
 * One data message on a peer stream: `[topic, payload, origin, seq, ttl, receiver]`,
 * where the payload is the value in Broker's binary format (exact for every type, and
 * relayed without being decoded), origin/seq identify it for duplicate suppression, and
 * receiver (or null) restricts delivery to one endpoint. Origin is null when it is the
 * endpoint that produces the stream (the common case, which saves a 36-character id per
 * message on the wire); a relayed message names its origin. `value` is the payload
 * already decoded, present only on an item made in this process from a message whose
 * receipt decoded it (a native peer's DATA); it never travels (items off the network
 * have six fields, see {@link asWireItem}).
 */
export type WireItem = [topic: string, payload: Uint8Array, origin: string | null, seq: number, ttl: number, receiver: string | null, value?: Data];

/**
 * The sequence number of a message that has none: one that entered through a peer
 * speaking Broker's native protocol, whose envelope carries no origin and sequence. It is
 * never suppressed as a duplicate, as in Broker.
 */
export const NO_SEQUENCE = -1;

/** Meta of the data stream a core opens to its peer. */
export interface PeerStreamMeta {
  kind: 'broker.peer-data';
  /** The producer's endpoint id. */
  endpoint: string;
}

/**
 * Tells whether a value received from a peer is a list of topics (a filter).
 * @param x - the value as received
 */
export function isTopicList(x: unknown): x is string[] {
  return Array.isArray(x) && x.length <= MAX_FILTER_TOPICS && x.every((t) => typeof t === 'string');
}

/**
 * Most topics a peer may advertise in one filter; more is refused as malformed. Matching
 * costs the same for any number of topics (a radix tree), so the bound only caps memory;
 * 262,144 topics of 60 bytes still fit one 16 MiB frame.
 */
export const MAX_FILTER_TOPICS = 262_144;

/**
 * Checks a wire item that came off the network.
 * @returns the item typed, or undefined when it is malformed
 */
export function asWireItem(x: unknown): WireItem | undefined {
  if (!Array.isArray(x) || x.length !== 6) return undefined;
  const [topic, payload, origin, seq, ttl, receiver] = x as unknown[];
  if (typeof topic !== 'string' || !(payload instanceof Uint8Array) || (origin !== null && typeof origin !== 'string')) return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < NO_SEQUENCE) return undefined;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 0xffff) return undefined;
  if (receiver !== null && typeof receiver !== 'string') return undefined;
  return x as WireItem;
}

// ---------------------------------------------------------------------------------------
// The compact batch frame of a peer stream: a batch of wire items travels as one byte
// block (one `flow.batch` item) instead of an array of 6-item arrays inside cbor-x, so
// the envelope codec copies one block per batch instead of walking every item, and the
// receiver cuts payloads out of the block without a copy and decodes a batch's topic once.
//
//   0xB7, count n (varint), then n items:
//     topic:    0x00 len bytes (a new topic) | 0x01 (same topic as the previous item)
//     flags:    bit 0: origin follows (len bytes); bit 1: receiver follows (len bytes)
//     seq (varint, < 2^53), ttl (varint, ≤ 0xffff), payload (len bytes)

const BATCH_MAGIC = 0xb7;
const SAME_TOPIC = 1;
const HAS_ORIGIN = 1;
const HAS_RECEIVER = 2;
/** Fewest bytes one item takes in a block (topic ref, flags, seq, ttl, payload length). */
const MIN_ITEM_BYTES = 5;

function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  return 8; // below 2^56, which covers every safe integer
}

function writeVarint(b: Uint8Array, p: number, n: number): number {
  if (n >= 0x80000000) {
    // Above 2^31 the bit operators would truncate: the low 28 bits go first, four
    // groups of 7 (more follow, since n >= 2^28), then the rest, which is below 2^25.
    let low = n % 0x10000000;
    n = Math.floor(n / 0x10000000);
    for (let i = 0; i < 4; i++) {
      b[p++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
  }
  while (n >= 0x80) {
    b[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  b[p++] = n;
  return p;
}

function stringSize(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return varintSize(n) + n;
}

function writeStringAt(b: Buffer, p: number, s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  p = writeVarint(b, p, n);
  return p + b.write(s, p, n, 'utf8');
}

/** Most bytes of wire items (by {@link wireItemBytes}) in one batch of a peer stream. */
export const PEER_BATCH_BYTES = 1024 * 1024;

/**
 * The largest payload a message to a broker-ts peer may have: a batch of one such
 * message, in its envelope, stays within the TCP transport's frame limit (16 MiB). A
 * larger one could not be sent (the transport drops an envelope over its limit), so the
 * core does not send it to any peer, worker threads included, and reports an error.
 */
export const PEER_MESSAGE_MAX_BYTES = DEFAULT_MAX_FRAME_SIZE - 64 * 1024;

/**
 * About the bytes a wire item takes in a batch frame: its payload, plus an allowance for
 * its topic, origin, receiver and numbers (three bytes per character of the strings,
 * UTF-8's most for a UTF-16 unit, without measuring them). What the peer stream cuts its
 * batches by (`maxBatchBytes`), so that a batch of large values never becomes one
 * message over the transport's frame limit.
 */
export function wireItemBytes(item: WireItem): number {
  return item[1].length + 32 + 3 * (item[0].length + (item[2]?.length ?? 0) + (item[5]?.length ?? 0));
}

/**
 * Packs a batch of wire items into the compact batch frame (see above), for the `items`
 * of one `flow.batch` message.
 * @param items - the batch, oldest first
 * @returns a one-element array holding the frame (a fresh Buffer)
 */
export function packWireItems(items: readonly WireItem[]): unknown[] {
  const n = items.length;
  let size = 1 + varintSize(n);
  let prevTopic: string | undefined;
  for (let i = 0; i < n; i++) {
    const item = items[i];
    const topic = item[0];
    size += topic === prevTopic ? 1 : 1 + stringSize(topic);
    prevTopic = topic;
    const length = item[1].length;
    size += 1 + varintSize(item[3]) + varintSize(item[4]) + varintSize(length) + length;
    if (item[2] !== null) size += stringSize(item[2]);
    if (item[5] !== null) size += stringSize(item[5]);
  }
  const b = Buffer.allocUnsafe(size);
  b[0] = BATCH_MAGIC;
  let p = writeVarint(b, 1, n);
  prevTopic = undefined;
  for (let i = 0; i < n; i++) {
    const item = items[i];
    const topic = item[0];
    const origin = item[2];
    const receiver = item[5];
    if (topic === prevTopic) b[p++] = SAME_TOPIC;
    else {
      b[p++] = 0;
      p = writeStringAt(b, p, topic);
      prevTopic = topic;
    }
    b[p++] = (origin !== null ? HAS_ORIGIN : 0) | (receiver !== null ? HAS_RECEIVER : 0);
    if (origin !== null) p = writeStringAt(b, p, origin);
    if (receiver !== null) p = writeStringAt(b, p, receiver);
    p = writeVarint(b, p, item[3]);
    p = writeVarint(b, p, item[4]);
    const payload = item[1];
    p = writeVarint(b, p, payload.length);
    b.set(payload, p);
    p += payload.length;
  }
  return [b];
}

/** Thrown inside {@link unpackWireItems} at the first malformed byte; never escapes it. */
class MalformedFrame extends Error {}

// The frame being unpacked and the read position in it: module-level state read by plain
// functions rather than closures made per batch (a closure per helper per frame, and
// under esbuild's `keepNames` a property definition per closure). Unpacking never calls
// out, so it is not re-entered.
const EMPTY = new Uint8Array(0);
let frame: Uint8Array = EMPTY;
let frameEnd = 0;
let at = 0;
/** `frame`'s ArrayBuffer and offset in it, for the payload views. */
let frameBuffer: ArrayBufferLike = EMPTY.buffer;
let frameOffset = 0;

function readVarint(): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (at >= frameEnd) throw new MalformedFrame();
    const x = frame[at++];
    result += (x & 0x7f) * scale;
    if (x < 0x80) {
      if (result > Number.MAX_SAFE_INTEGER) throw new MalformedFrame();
      return result;
    }
    scale *= 128;
  }
  throw new MalformedFrame();
}

function readBytes(): Uint8Array {
  const len = readVarint();
  if (len > frameEnd - at) throw new MalformedFrame();
  // A plain Uint8Array view, not `frame.subarray`: a Buffer's subarray makes a Buffer
  // through Node's own constructor, about twice the cost per payload.
  const out = new Uint8Array(frameBuffer, frameOffset + at, len);
  at += len;
  return out;
}

function readText(): string {
  const len = readVarint();
  if (len > frameEnd - at) throw new MalformedFrame();
  const text = Buffer.from(frameBuffer, frameOffset + at, len).toString('utf8');
  at += len;
  return text;
}

/**
 * Unpacks the `items` of a `flow.batch` from a peer. A compact batch frame becomes its
 * wire items; anything else comes back as is (every item is still checked with
 * {@link asWireItem}). In a malformed frame, the items before the first bad byte are
 * kept and every declared item from there on becomes `null` (a malformed item to drop
 * and acknowledge); a count that the frame's length cannot hold yields a single `null`.
 * @param items - the batch's items as received
 * @returns items for {@link asWireItem}; never throws
 */
export function unpackWireItems(items: unknown[]): unknown[] {
  if (items.length !== 1) return items;
  const b = items[0];
  if (!(b instanceof Uint8Array) || b.length < 2 || b[0] !== BATCH_MAGIC) return items;
  frame = b;
  frameBuffer = b.buffer;
  frameOffset = b.byteOffset;
  frameEnd = b.length;
  at = 1;
  try {
    return unpackFrame();
  } finally {
    // Holds no frame past the call.
    frame = EMPTY;
    frameBuffer = EMPTY.buffer;
  }
}

/** Unpacks the frame in `frame` from `at` (just after its magic byte). */
function unpackFrame(): unknown[] {
  let n: number;
  try {
    n = readVarint();
  } catch {
    return [null];
  }
  if (n * MIN_ITEM_BYTES > frameEnd - at) return [null];
  const out: unknown[] = new Array(n);
  let topic: string | undefined;
  let i = 0;
  try {
    for (; i < n; i++) {
      if (at >= frameEnd) throw new MalformedFrame();
      const ref = frame[at++];
      if (ref === SAME_TOPIC) {
        if (topic === undefined) throw new MalformedFrame();
      } else if (ref === 0) topic = readText();
      else throw new MalformedFrame();
      if (at >= frameEnd) throw new MalformedFrame();
      const flags = frame[at++];
      if (flags > (HAS_ORIGIN | HAS_RECEIVER)) throw new MalformedFrame();
      const origin = (flags & HAS_ORIGIN) !== 0 ? readText() : null;
      const receiver = (flags & HAS_RECEIVER) !== 0 ? readText() : null;
      const seq = readVarint();
      const ttl = readVarint();
      const payload = readBytes();
      out[i] = [topic, payload, origin, seq, ttl, receiver];
    }
    if (at !== frameEnd) throw new MalformedFrame();
  } catch {
    // `i` items decoded; the rest of what the frame declared is malformed. Trailing bytes
    // after a complete frame make its last item suspect too.
    if (n === 0) return [null];
    for (let k = i === n ? n - 1 : i; k < n; k++) out[k] = null;
  }
  return out;
}
