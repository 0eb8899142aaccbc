import type { Address } from './address';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import { BrokerError } from './broker-error';
import type { BrokerSet, BrokerTable } from './containers';
import type { Count } from './count';
import type { DataInput } from './data';
import type { EnumValue } from './enum-value';
import * as int64 from './int64';
import type { Port } from './port';
import type { Subnet } from './subnet';
import type { Timespan } from './timespan';
import type { Timestamp } from './timestamp';
import { toData } from './to-data';
import * as naturalData from './natural-data';
import * as typeTag from './type-tag';
import { isWellFormedString } from './utf8';


// The encoder writes into one module-level buffer that grows as needed, as cbor-x does:
// module-level state and literal type tags (the variant indices of type-tag.ts) keep the
// hot path free of property loads. User code that runs inside an encoding (getters,
// Proxies) cannot start another: see `encoding`.
const INITIAL_SIZE = 32768;
// Keep a grown buffer up to this size between calls; release anything larger.
const RETAIN_LIMIT = 1 << 20;
// Every fixed-size item (at most 18 bytes) fits without a check while pos <= safeEnd.
const SLACK = 32;
// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { forged, isAddress } = naturalData;
const TAG_KEY = typeTag.BROKER_TAG;
const { INT64_MIN, INT64_MAX } = int64;
const MAX_DEPTH = MAX_NESTING_DEPTH;

// Results of at most SMALL_RESULT bytes are views of the buffer written into, handed out
// from its front as Node's Buffer pool hands out its slices, so that they need no copy:
// `handedOut` bytes of `target` belong to earlier results and are never written again;
// once too little is left after them, the next encoding starts a fresh buffer. A slab of
// INITIAL_SIZE bytes lives as long as its longest-lived result. It is four times Node's
// pool: a fresh slab costs about a microsecond whatever its size up to there (an
// off-heap allocation), which at 8 KiB came to about 3% of a publication of a conn.log
// event; a caller that keeps one small result for long pins 32 KiB (copy it to keep it).
// Slabs are not zero-filled: only written bytes are ever handed out.
const SMALL_RESULT = 1024;
let target: Uint8Array = Buffer.allocUnsafeSlow(INITIAL_SIZE);
let view = new DataView(target.buffer);
let node = target as Buffer;
let safeEnd = target.length - SLACK;
let pos = 0;
let handedOut = 0;
/** Where the encoding in progress starts in `target`. */
let start = 0;
/**
 * Set while {@link encodeExactBinary} runs: input that is not exact Broker data (natural
 * JS values, which `toData` would convert) stops the encoding instead of converting.
 */
let exactOnly = false;

/** Thrown inside an exact-only encoding at the first value that is not exact Broker data. */
const NOT_EXACT = new Error('not exact Broker data');

/** Moves the encoding in progress, from `from` to `pos`, to the front of a new buffer of `size` bytes. */
function realloc(size: number, from: number): void {
  const old = target;
  const fresh = Buffer.allocUnsafeSlow(size);
  target = fresh;
  target.set(old.subarray(from, pos));
  view = new DataView(target.buffer);
  node = fresh;
  safeEnd = size - SLACK;
  pos -= from;
  start = 0;
  handedOut = 0;
}

/** Makes room for `n` more bytes plus the slack. */
function makeRoom(n: number): void {
  const used = pos - start;
  let size = target.length * 2;
  while (size - SLACK < used + n) size *= 2;
  realloc(size, start);
}

function writeVarbyte(n: number): void {
  while (n > 0x7f) {
    target[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  target[pos++] = n;
}

function writeString(tag: number, s: string): void {
  const len = s.length;
  if (pos + len + 6 > safeEnd) makeRoom(len + 6);
  const b = target;
  b[pos++] = tag;
  if (len < 0x80) {
    // ASCII fast path: a one-byte length and one byte per character.
    const lenAt = pos;
    let p = pos + 1;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i === len) {
      b[lenAt] = len;
      pos = p;
      return;
    }
  }
  if (!isWellFormedString(s)) throw new BrokerError('serialization_failed', 'string contains a lone UTF-16 surrogate and has no UTF-8 form');
  const n = Buffer.byteLength(s, 'utf8');
  if (pos + n + 5 > safeEnd) makeRoom(n + 5);
  writeVarbyte(n);
  node.write(s, pos, n, 'utf8');
  pos += n;
}

function writeBytes(bytes: Uint8Array): void {
  if (pos + bytes.length + 6 > safeEnd) makeRoom(bytes.length + 6);
  target[pos++] = 5;
  writeVarbyte(bytes.length);
  target.set(bytes, pos);
  pos += bytes.length;
}

function writeAddress(a: Address): void {
  view.setUint32(pos, a.w0);
  view.setUint32(pos + 4, a.w1);
  view.setUint32(pos + 8, a.w2);
  view.setUint32(pos + 12, a.w3);
  pos += 16;
}

function writeValue(v: unknown, depth: number): void {
  if (pos > safeEnd) makeRoom(SLACK);
  switch (typeof v) {
    case 'string':
      writeString(5, v);
      return;
    case 'number':
      target[pos] = 4;
      view.setFloat64(pos + 1, v);
      pos += 9;
      return;
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) throw new BrokerError('serialization_failed', `integer out of int64 range: ${v}`);
      target[pos] = 3;
      view.setBigInt64(pos + 1, v);
      pos += 9;
      return;
    case 'boolean':
      target[pos++] = 1;
      target[pos++] = v ? 1 : 0;
      return;
    case 'undefined':
      if (exactOnly) throw NOT_EXACT;
      target[pos++] = 0;
      return;
    case 'object':
      if (v === null) {
        target[pos++] = 0;
        return;
      }
      if (depth >= MAX_DEPTH) {
        throw new BrokerError('serialization_failed', `value nested deeper than ${MAX_NESTING_DEPTH} levels (or cyclic)`);
      }
      writeObject(v, depth + 1);
      return;
    default:
      throw new BrokerError('type_clash', `no Broker type for ${typeof v}`);
  }
}

function writeObject(v: object, depth: number): void {
  if (Array.isArray(v)) {
    target[pos++] = 14; // vector
    writeVarbyte(v.length);
    for (let i = 0; i < v.length; i++) writeValue(v[i], depth);
    return;
  }
  const tag = (v as { [TAG_KEY]?: number })[TAG_KEY];
  switch (tag) {
    case 2: {
      // count: held as a number up to 2^53 - 1 (see Count), written as two 32-bit halves
      const n = (v as Count).n;
      target[pos] = 2;
      if (typeof n === 'number') {
        view.setUint32(pos + 1, Math.floor(n / 0x1_0000_0000));
        view.setUint32(pos + 5, n >>> 0);
      } else {
        if (typeof n !== 'bigint') throw forged(tag);
        view.setBigUint64(pos + 1, n);
      }
      pos += 9;
      return;
    }
    case 6: // address
      if (!isAddress(v)) throw forged(tag);
      target[pos++] = 6;
      writeAddress(v as Address);
      return;
    case 8: // port
      if (typeof (v as Port).number !== 'number' || typeof (v as Port).protocolNumber !== 'number') throw forged(tag);
      target[pos] = 8;
      view.setUint16(pos + 1, (v as Port).number);
      target[pos + 3] = (v as Port).protocolNumber;
      pos += 4;
      return;
    case 9: // timestamp
    case 10: // timespan
      if (typeof (v as Timestamp | Timespan).ns !== 'bigint') throw forged(tag);
      target[pos] = tag;
      view.setBigInt64(pos + 1, (v as Timestamp | Timespan).ns);
      pos += 9;
      return;
    case 11: // enum_value
      if (typeof (v as EnumValue).name !== 'string') throw forged(tag);
      writeString(11, (v as EnumValue).name);
      return;
    case 12: {
      // set
      const items = (v as BrokerSet).items;
      if (!Array.isArray(items)) throw forged(tag);
      target[pos++] = 12;
      writeVarbyte(items.length);
      for (let i = 0; i < items.length; i++) writeValue(items[i], depth);
      return;
    }
    case 13: {
      // table
      const keys = (v as BrokerTable).keyItems;
      const values = (v as BrokerTable).valueItems;
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) throw forged(tag);
      target[pos++] = 13;
      writeVarbyte(keys.length);
      for (let i = 0; i < keys.length; i++) {
        writeValue(keys[i], depth);
        writeValue(values[i], depth);
      }
      return;
    }
    case 7: // subnet
      if (!isAddress((v as Subnet).network) || typeof (v as Subnet).rawLength !== 'number') throw forged(tag);
      target[pos++] = 7;
      writeAddress((v as Subnet).network);
      target[pos++] = (v as Subnet).rawLength;
      return;
    default:
      if (exactOnly) throw NOT_EXACT;
      if (v instanceof Uint8Array) writeBytes(v);
      // Natural JS input (Set, Map, Date, plain objects): convert, then encode.
      else writeObject(toData(v as DataInput) as object, depth);
  }
}

/**
 * Set while an encoding runs. User code can run inside one (an array's index getter, a
 * Proxy's trap, the iterator of a Map that `toData` converts); an encoding it started
 * would overwrite the module-level state of the one in progress, so it is refused.
 */
let encoding = false;

/** Encodes `value` into `target` from `start` to `pos`. */
function encodeIntoBuffer(value: DataInput): void {
  if (encoding) throw new BrokerError('serialization_failed', 'encodeBinary called from inside an encoding (a getter, Proxy or iterator of the value being encoded)');
  if (target.length > RETAIN_LIMIT || target.length - handedOut < SMALL_RESULT + SLACK) {
    pos = 0;
    realloc(INITIAL_SIZE, 0);
  }
  start = pos = handedOut;
  encoding = true;
  try {
    writeValue(value, 0);
  } catch (e) {
    pos = start;
    if (e instanceof BrokerError) throw e;
    // A stack overflow, or a forged object whose fields the writers cannot read.
    throw new BrokerError('serialization_failed', `cannot encode: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
  } finally {
    encoding = false;
  }
}

/**
 * Encodes a value in Broker's binary data format (the SQLite store's value blobs and the
 * wire's data payloads), byte-identical to Broker: a tag byte (the type index), then
 * big-endian fixed-size fields, varbyte lengths, and set/table elements in Broker's order.
 * @param value - a Broker value; natural JS input converts
 * @returns the bytes: a Node `Buffer` that shares its `ArrayBuffer` with other results, as
 *   Node's pooled Buffers do (copy it before transferring its `.buffer` to another thread)
 * @throws BrokerError `type_clash` for values with no Broker type, `serialization_failed`
 *   for nesting deeper than {@link MAX_NESTING_DEPTH} or cyclic arrays
 */
export function encodeBinary(value: DataInput): Uint8Array {
  encodeIntoBuffer(value);
  return takeResult(false);
}

/**
 * The encoding from `start` to `pos` as a result: a view of the slab when it is small (a
 * plain Uint8Array with `plain`, else a Buffer), else a copy in a Buffer of Node's.
 */
function takeResult(plain: boolean): Uint8Array {
  const length = pos - start;
  pos = start;
  if (length <= SMALL_RESULT && target.length <= INITIAL_SIZE) {
    // A slice of the slab: no allocation of bytes, no copy.
    handedOut = start + ((length + 7) & ~7);
    // A Buffer's subarray goes through Node's own constructor: about twice the cost of a
    // plain view, a few percent of the publication of a small event.
    return plain ? new Uint8Array(view.buffer, start, length) : node.subarray(start, start + length);
  }
  // Node's allocation (pooled for small sizes): a fresh off-heap ArrayBuffer per call
  // would cost more than the whole encoding of a small value.
  const out = Buffer.allocUnsafe(length);
  node.copy(out, 0, start, start + length);
  return out;
}

/**
 * Encodes like {@link encodeBinary} into the shared buffer and returns a view of it,
 * valid only until the next encode: for callers that copy the bytes at once.
 * @internal
 */
export function encodeBinaryView(value: DataInput): Uint8Array {
  encodeIntoBuffer(value);
  const out = node.subarray(start, pos);
  pos = start;
  return out;
}

/**
 * Encodes exact Broker data as {@link encodeBinary} does, checking it as `toData` does on
 * the way (nesting, well-formed strings, objects of Broker's classes made by their
 * constructors), so that a publication is walked once instead of twice.
 * @param value - the value to publish
 * @returns the bytes (a Uint8Array that shares its `ArrayBuffer` with other results as
 *   {@link encodeBinary}'s do, but not always a Buffer), or undefined when `value` is not
 *   exact Broker data: natural JS input that `toData` converts, or a value `toData`
 *   refuses (the caller runs `toData`, which converts it or throws its error)
 */
export function encodeExactBinary(value: DataInput): Uint8Array | undefined {
  exactOnly = true;
  try {
    encodeIntoBuffer(value);
    return takeResult(true);
  } catch {
    return undefined;
  } finally {
    exactOnly = false;
  }
}
