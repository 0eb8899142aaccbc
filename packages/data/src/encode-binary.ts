import { Address } from './address';
import { BrokerError } from './broker-error';
import { BrokerSet } from './broker-set';
import { BrokerTable } from './broker-table';
import { Count } from './count';
import type { DataInput } from './data';
import { EnumValue } from './enum-value';
import { INT64_MAX, INT64_MIN } from './int64';
import { Port } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';
import { toData } from './to-data';
import { isWellFormedString } from './utf8';

/** Nesting deeper than this is refused (it also catches cyclic arrays). */
export const MAX_NESTING_DEPTH = 512;

const INITIAL_SIZE = 8192;
// Keep a grown scratch buffer up to this size between calls; release anything larger.
const RETAIN_LIMIT = 1 << 20;

/**
 * Writes Broker's binary data format into a growing buffer. One writer is reused by
 * {@link encodeBinary}; encoding never calls user code, so it is not re-entered.
 */
class BinaryWriter {
  bytes: Uint8Array;
  view: DataView;
  node: Buffer;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.node = Buffer.from(this.bytes.buffer);
  }

  reset(): void {
    this.pos = 0;
    if (this.bytes.length > RETAIN_LIMIT) this.realloc(INITIAL_SIZE);
  }

  ensure(n: number): void {
    if (this.pos + n > this.bytes.length) this.grow(this.pos + n);
  }

  private grow(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const old = this.bytes;
    this.realloc(size);
    this.bytes.set(old.subarray(0, this.pos));
  }

  private realloc(size: number): void {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.node = Buffer.from(this.bytes.buffer);
  }

  varbyte(n: number): void {
    this.ensure(5);
    const b = this.bytes;
    while (n > 0x7f) {
      b[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[this.pos++] = n;
  }

  string(tag: number, s: string): void {
    const len = s.length;
    this.ensure(len + 6);
    const b = this.bytes;
    b[this.pos++] = tag;
    if (len < 0x80) {
      // ASCII fast path: a one-byte length and one byte per character.
      const lenAt = this.pos++;
      let p = this.pos;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === len) {
        b[lenAt] = len;
        this.pos = p;
        return;
      }
      this.pos = lenAt;
    }
    if (!isWellFormedString(s)) throw new BrokerError('serialization_failed', 'string contains a lone UTF-16 surrogate and has no UTF-8 form');
    const n = Buffer.byteLength(s, 'utf8');
    this.varbyte(n);
    this.ensure(n);
    this.node.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  raw(tag: number, bytes: Uint8Array): void {
    this.ensure(1);
    this.bytes[this.pos++] = tag;
    this.varbyte(bytes.length);
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  address(a: Address): void {
    this.ensure(16);
    const v = this.view;
    const p = this.pos;
    v.setUint32(p, a.w0);
    v.setUint32(p + 4, a.w1);
    v.setUint32(p + 8, a.w2);
    v.setUint32(p + 12, a.w3);
    this.pos = p + 16;
  }

  value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.string(5, v);
        return;
      case 'number':
        this.ensure(9);
        this.bytes[this.pos] = 4;
        this.view.setFloat64(this.pos + 1, v);
        this.pos += 9;
        return;
      case 'bigint':
        if (v < INT64_MIN || v > INT64_MAX) throw new BrokerError('serialization_failed', `integer out of int64 range: ${v}`);
        this.ensure(9);
        this.bytes[this.pos] = 3;
        this.view.setBigInt64(this.pos + 1, v);
        this.pos += 9;
        return;
      case 'boolean':
        this.ensure(2);
        this.bytes[this.pos++] = 1;
        this.bytes[this.pos++] = v ? 1 : 0;
        return;
      case 'undefined':
        this.ensure(1);
        this.bytes[this.pos++] = 0;
        return;
      case 'object':
        if (v === null) {
          this.ensure(1);
          this.bytes[this.pos++] = 0;
          return;
        }
        if (depth >= MAX_NESTING_DEPTH) {
          throw new BrokerError('serialization_failed', `value nested deeper than ${MAX_NESTING_DEPTH} levels (or cyclic)`);
        }
        this.object(v, depth + 1);
        return;
      default:
        throw new BrokerError('type_clash', `no Broker type for ${typeof v}`);
    }
  }

  object(v: object, depth: number): void {
    if (Array.isArray(v)) {
      this.ensure(1);
      this.bytes[this.pos++] = 14;
      this.varbyte(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], depth);
    } else if (v instanceof Count) {
      this.ensure(9);
      this.bytes[this.pos] = 2;
      this.view.setBigUint64(this.pos + 1, v.value);
      this.pos += 9;
    } else if (v instanceof Address) {
      this.ensure(1);
      this.bytes[this.pos++] = 6;
      this.address(v);
    } else if (v instanceof Port) {
      this.ensure(4);
      const p = this.pos;
      this.bytes[p] = 8;
      this.view.setUint16(p + 1, v.number);
      this.bytes[p + 3] = v.protocolNumber;
      this.pos = p + 4;
    } else if (v instanceof Timestamp || v instanceof Timespan) {
      this.ensure(9);
      this.bytes[this.pos] = v instanceof Timestamp ? 9 : 10;
      this.view.setBigInt64(this.pos + 1, v.ns);
      this.pos += 9;
    } else if (v instanceof EnumValue) {
      this.string(11, v.name);
    } else if (v instanceof BrokerSet) {
      const items = v.items;
      this.ensure(1);
      this.bytes[this.pos++] = 12;
      this.varbyte(items.length);
      for (let i = 0; i < items.length; i++) this.value(items[i], depth);
    } else if (v instanceof BrokerTable) {
      const keys = v.keyItems;
      const values = v.valueItems;
      this.ensure(1);
      this.bytes[this.pos++] = 13;
      this.varbyte(keys.length);
      for (let i = 0; i < keys.length; i++) {
        this.value(keys[i], depth);
        this.value(values[i], depth);
      }
    } else if (v instanceof Subnet) {
      this.ensure(18);
      this.bytes[this.pos++] = 7;
      this.address(v.network);
      this.bytes[this.pos++] = v.rawLength;
    } else if (v instanceof Uint8Array) {
      this.raw(5, v);
    } else {
      // Natural JS input (Set, Map, Date, plain objects): convert, then encode.
      this.object(toData(v as DataInput) as object, depth);
    }
  }
}

const writer = new BinaryWriter(INITIAL_SIZE);

/**
 * Encodes a value in Broker's binary data format (the SQLite store's value blobs and the
 * wire's data payloads), byte-identical to Broker: a tag byte (the type index), then
 * big-endian fixed-size fields, varbyte lengths, and set/table elements in Broker's order.
 * @param value - a Broker value; natural JS input converts
 * @returns a new byte array
 * @throws BrokerError `type_clash` for values with no Broker type, `serialization_failed`
 *   for nesting deeper than {@link MAX_NESTING_DEPTH} or cyclic arrays
 */
export function encodeBinary(value: DataInput): Uint8Array {
  // A plain Uint8Array copy: Buffer.prototype.slice would return a view of the scratch.
  return new Uint8Array(encodeBinaryView(value));
}

/**
 * Encodes like {@link encodeBinary} into the shared scratch buffer and returns a view of
 * it, valid only until the next encode: for callers that copy the bytes at once.
 * @internal
 */
export function encodeBinaryView(value: DataInput): Uint8Array {
  writer.reset();
  try {
    writer.value(value, 0);
    return writer.node.subarray(0, writer.pos);
  } catch (e) {
    if (e instanceof BrokerError) throw e;
    if (e instanceof RangeError) throw new BrokerError('serialization_failed', `cannot encode: ${e.message}`, {}, { cause: e });
    throw e;
  } finally {
    writer.pos = 0;
  }
}
