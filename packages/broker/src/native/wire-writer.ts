/**
 * Writes Broker's binary format (big-endian integers, varbyte lengths, raw 16-byte
 * endpoint ids) into a growing buffer, as libbroker/broker/format/bin.hh encodes.
 */
import { type DataInput, encodeBinary } from '@broker-ts/data';
import { endpointIdToBytes } from './endpoint-id';

/** An append-only byte builder. */
export class WireWriter {
  private buf: Buffer;
  /** Bytes written. */
  length = 0;

  /** @param capacity - initial capacity in bytes */
  constructor(capacity = 64) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Appends an unsigned byte. */
  u8(v: number): this {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  /** Appends a big-endian uint16. */
  u16(v: number): this {
    this.reserve(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
    return this;
  }

  /** Appends a big-endian uint32. */
  u32(v: number): this {
    this.reserve(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
    return this;
  }

  /** Appends a big-endian uint64. */
  u64(v: bigint): this {
    this.reserve(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.length);
    this.length += 8;
    return this;
  }

  /** Appends a big-endian int64. */
  i64(v: bigint): this {
    this.reserve(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.length);
    this.length += 8;
    return this;
  }

  /** Appends a boolean byte. */
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** Appends a varbyte length (Broker truncates to 32 bits). */
  varbyte(v: number): this {
    let x = v >>> 0;
    while (x > 0x7f) {
      this.u8((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    return this.u8(x);
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** Appends a varbyte-prefixed UTF-8 string. */
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.varbyte(bytes.length).raw(bytes);
  }

  /** Appends a 16-byte endpoint id. */
  endpointId(id: string): this {
    return this.raw(endpointIdToBytes(id));
  }

  /** Appends a topic list: varbyte count, then the topics as strings. */
  filter(topics: readonly string[]): this {
    this.varbyte(topics.length);
    for (const t of topics) this.string(t);
    return this;
  }

  /** Appends one value in Broker's binary data format. */
  data(value: DataInput): this {
    return this.raw(encodeBinary(value));
  }

  /** The bytes written, as a fresh buffer. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
