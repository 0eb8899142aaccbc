import * as address from './address';
import { BrokerError } from './broker-error';
import * as containers from './containers';
import * as count from './count';
import type { Data } from './data';
import * as enumValue from './enum-value';
import * as port from './port';
import * as subnet from './subnet';
import * as timespan from './timespan';
import * as timestamp from './timestamp';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';
import { copyBytes, decodeUtf8 } from './utf8';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { Address } = address;
const { Count } = count;
const { EnumValue } = enumValue;
const { Port, PORT_PROTOCOLS } = port;
const { Subnet } = subnet;
const { Timespan } = timespan;
const { Timestamp } = timestamp;
const { setFromArray, tableFromArrays } = containers;
const MAX_DEPTH = MAX_NESTING_DEPTH;

const TYPE_NAMES = ['none', 'boolean', 'count', 'integer', 'real', 'string', 'address', 'subnet', 'port', 'timestamp', 'timespan', 'enum_value', 'set', 'table', 'vector'];

// The decoder reads through module-level state (a cursor over the input), as cbor-x does;
// decoding never calls user code, so it is not re-entered. The DataView of the last
// ArrayBuffer is kept: frames cut from one network buffer or Node's Buffer pool share it.
let src: Uint8Array = new Uint8Array(0);
let base = 0; // src.byteOffset, for reads through the view
let view = new DataView(src.buffer);
let viewBuffer: ArrayBufferLike = src.buffer;
let pos = 0;
let end = 0;

function fail(message: string, offset = pos): never {
  throw new BrokerError('deserialization_failed', `${message} at offset ${offset}`, { offset });
}

function need(n: number, what: string): void {
  if (end - pos < n) fail(`truncated input: ${what} needs ${n} bytes, ${end - pos} left`);
}

/** The exact value of the varbyte at `from..to` (for error messages: doubles round past 2^53). */
function exactVarbyte(from: number, to: number): bigint {
  let value = 0n;
  for (let i = to - 1; i >= from; i--) value = (value << 7n) | BigInt(src[i] & 0x7f);
  return value;
}

function readVarbyte(what: string): number {
  if (pos < end && src[pos] < 0x80) return src[pos++];
  const start = pos;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail(`truncated input: unfinished length of ${what}`, start);
    const b = src[pos++];
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (result > 0xffffffff) fail(`length of ${what} too large (${exactVarbyte(start, pos)})`, start);
      return result;
    }
    scale *= 128;
  }
  return fail(`length of ${what} longer than 10 bytes`, start);
}

const fcc = String.fromCharCode;

/** Short ASCII strings built without a loop of concatenations (the common case on the wire). */
function shortAscii(b: Uint8Array, p: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return fcc(b[p]);
    case 2:
      return fcc(b[p], b[p + 1]);
    case 3:
      return fcc(b[p], b[p + 1], b[p + 2]);
    case 4:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
    case 12:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
    default:
      return fcc(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]) + shortAscii(b, p + 12, n - 12);
  }
}

function readString(what: string): string | Uint8Array {
  const start = pos;
  const len = readVarbyte(what);
  if (len > end - pos) fail(`${what} of ${len} bytes exceeds the ${end - pos} bytes left`, start);
  const from = pos;
  pos += len;
  if (len <= 24) {
    let i = from;
    while (i < pos && src[i] < 0x80) i++;
    if (i === pos) return shortAscii(src, from, len);
  }
  return decodeUtf8(src, from, pos) ?? copyBytes(src, from, pos);
}

function readAddress(): address.Address {
  const p = base + pos;
  pos += 16;
  return new Address(view.getUint32(p), view.getUint32(p + 4), view.getUint32(p + 8), view.getUint32(p + 12));
}

function readValue(depth: number): Data {
  if (pos >= end) fail('truncated input: expected a type tag');
  const tagAt = pos;
  const tag = src[pos++];
  switch (tag) {
    case 0:
      return null;
    case 1: {
      need(1, 'a boolean');
      const b = src[pos++];
      if (b > 1) fail(`invalid boolean byte ${b}`, pos - 1);
      return b === 1;
    }
    case 2: {
      need(8, 'a count');
      // Up to 2^53 - 1 the count is made from a number, allocating no bigint (see Count).
      const hi = view.getUint32(base + pos);
      const v = hi < 0x20_0000 ? hi * 0x1_0000_0000 + view.getUint32(base + pos + 4) : view.getBigUint64(base + pos);
      pos += 8;
      return new Count(v);
    }
    case 3: {
      need(8, 'an integer');
      const v = view.getBigInt64(base + pos);
      pos += 8;
      return v;
    }
    case 4: {
      need(8, 'a real');
      const v = view.getFloat64(base + pos);
      pos += 8;
      return v;
    }
    case 5:
      return readString('a string');
    case 6:
      need(16, 'an address');
      return readAddress();
    case 7: {
      need(17, 'a subnet');
      const net = readAddress();
      const len = src[pos++];
      if (len > 128) fail(`subnet length ${len} exceeds 128`, pos - 1);
      return Subnet.fromRawLength(net, len);
    }
    case 8: {
      need(3, 'a port');
      const num = view.getUint16(base + pos);
      const proto = src[pos + 2];
      if (proto > 3) fail(`invalid port protocol ${proto}`, pos + 2);
      pos += 3;
      return new Port(num, PORT_PROTOCOLS[proto]);
    }
    case 9:
    case 10: {
      need(8, tag === 9 ? 'a timestamp' : 'a timespan');
      const ns = view.getBigInt64(base + pos);
      pos += 8;
      return tag === 9 ? new Timestamp(ns) : new Timespan(ns);
    }
    case 11: {
      const name = readString('an enum name');
      if (typeof name !== 'string') fail('enum name is not valid UTF-8', tagAt + 1);
      return new EnumValue(name);
    }
    case 12:
    case 13:
    case 14:
      if (depth >= MAX_DEPTH) fail(`containers nested deeper than ${MAX_NESTING_DEPTH}`, tagAt);
      return readContainer(tag, depth + 1);
    default:
      throw new BrokerError('invalid_tag', `unknown type tag ${tag} at offset ${tagAt}`, { offset: tagAt });
  }
}

function readContainer(tag: number, depth: number): Data {
  const what = TYPE_NAMES[tag];
  const start = pos;
  const n = readVarbyte(`a ${what}`);
  // Every element takes at least one byte (two per table entry): a count larger than
  // the input left is an error, never an allocation.
  if ((tag === 13 ? 2 * n : n) > end - pos) fail(`${what} of ${n} elements cannot fit the ${end - pos} bytes left`, start);
  if (tag === 13) {
    const keys: Data[] = new Array(n);
    const values: Data[] = new Array(n);
    for (let i = 0; i < n; i++) {
      keys[i] = readValue(depth);
      values[i] = readValue(depth);
    }
    return tableFromArrays(keys, values);
  }
  const items: Data[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = readValue(depth);
  return tag === 12 ? setFromArray(items) : items;
}

/**
 * Decodes one value of Broker's binary data format; the input must hold exactly one.
 * Strings that are valid UTF-8 become JS strings, others `Uint8Array`s (copies). Sets and
 * tables whose elements arrive out of order (never from Broker) are sorted and deduplicated.
 * @param bytes - the encoded value
 * @returns the value, type-exact: re-encoding it yields the same bytes
 * @throws BrokerError `deserialization_failed` (or `invalid_tag` for an unknown type tag)
 *   for truncated, oversized, trailing or malformed input; the message and
 *   `context.offset` say where
 */
export function decodeBinary(bytes: Uint8Array): Data {
  if (!(bytes instanceof Uint8Array)) throw new BrokerError('type_clash', 'decodeBinary expects a Uint8Array');
  src = bytes;
  if (bytes.buffer !== viewBuffer) {
    viewBuffer = bytes.buffer;
    view = new DataView(viewBuffer);
  }
  base = bytes.byteOffset;
  pos = 0;
  end = bytes.length;
  try {
    const v = readValue(0);
    if (pos !== end) fail(`${end - pos} trailing bytes after the value`);
    return v;
  } catch (e) {
    if (e instanceof BrokerError) throw e;
    throw new BrokerError('deserialization_failed', `cannot decode: ${(e as Error).message}`, {}, { cause: e });
  } finally {
    // The cursor drops the caller's bytes; only the cached view keeps their ArrayBuffer.
    src = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
