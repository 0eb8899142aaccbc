/**
 * A bounds-checked cursor over bytes in Broker's binary format (big-endian integers,
 * varbyte lengths, raw 16-byte endpoint ids), as read by libbroker/broker/format/bin.hh.
 */
import { BrokerError, decodeBinary, type Data, type ErrorCodeName, MAX_NESTING_DEPTH } from '@broker-ts/data';
import { ENDPOINT_ID_SIZE, endpointIdFromBytes } from './endpoint-id';

/**
 * Reads fields in order; every read checks the remaining length and throws a
 * `BrokerError` (code given to the constructor) naming the field and offset.
 */
export class WireReader {
  /** Read position. */
  pos = 0;
  private readonly view: DataView;

  /**
   * @param bytes - the input
   * @param code - the error code of a failed read
   */
  constructor(
    readonly bytes: Uint8Array,
    private readonly code: ErrorCodeName = 'invalid_message',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /**
   * Throws the reader's error for `what` at the current offset.
   * @throws BrokerError always
   */
  fail(what: string): never {
    throw new BrokerError(this.code, `${what} at offset ${this.pos}`, { offset: this.pos });
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) this.fail(`truncated ${what}: needs ${n} bytes, ${this.remaining} left`);
  }

  /** Reads an unsigned byte. */
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  /** Reads a big-endian uint16. */
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a big-endian uint32. */
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a big-endian uint64. */
  u64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a big-endian int64. */
  i64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a boolean byte (0 is false, anything else true, as Broker reads it). */
  bool(what: string): boolean {
    return this.u8(what) !== 0;
  }

  /** Reads a varbyte length as Broker does (7 bits per byte, 32-bit result). */
  varbyte(what: string): number {
    let x = 0;
    for (let n = 0; n < 5; n++) {
      const b = this.u8(what);
      x += (b & 0x7f) * 2 ** (7 * n);
      if (b < 0x80) return x >>> 0;
    }
    return this.fail(`${what}: varbyte longer than 5 bytes`);
  }

  /** Reads `n` raw bytes as a view of the input. */
  raw(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a varbyte-prefixed string (UTF-8). */
  string(what: string): string {
    const n = this.varbyte(`length of ${what}`);
    return Buffer.from(this.raw(n, what)).toString('utf8');
  }

  /** Reads a 16-byte endpoint id. */
  endpointId(what: string): string {
    this.need(ENDPOINT_ID_SIZE, what);
    const id = endpointIdFromBytes(this.bytes, this.pos);
    this.pos += ENDPOINT_ID_SIZE;
    return id;
  }

  /** Reads a list of topics: varbyte count, then varbyte-prefixed strings. */
  filter(what: string): string[] {
    const n = this.varbyte(`size of ${what}`);
    if (n > this.remaining) this.fail(`${what} announces ${n} topics in ${this.remaining} bytes`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string(`topic ${i} of ${what}`));
    return out;
  }

  /** Reads one value in Broker's binary data format (tag byte first). */
  data(what: string): Data {
    const start = this.pos;
    this.skipValue(what, 0);
    try {
      return decodeBinary(this.bytes.subarray(start, this.pos));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.pos = start;
      return this.fail(`${what}: ${reason}`);
    }
  }

  /** Advances over one binary data value, checking its structure but not its contents. */
  private skipValue(what: string, depth: number): void {
    if (depth > MAX_NESTING_DEPTH) this.fail(`${what}: nested deeper than ${MAX_NESTING_DEPTH}`);
    const tag = this.u8(`type tag of ${what}`);
    switch (tag) {
      case 0: // none
        return;
      case 1: // boolean
        this.raw(1, what);
        return;
      case 2: // count
      case 3: // integer
      case 4: // real
      case 9: // timestamp
      case 10: // timespan
        this.raw(8, what);
        return;
      case 5: // string
      case 11: // enum_value
        this.raw(this.varbyte(`length of ${what}`), what);
        return;
      case 6: // address
        this.raw(16, what);
        return;
      case 7: // subnet
        this.raw(17, what);
        return;
      case 8: // port
        this.raw(3, what);
        return;
      case 12: // set
      case 14: {
        // vector
        const n = this.varbyte(`size of ${what}`);
        for (let i = 0; i < n; i++) this.skipValue(what, depth + 1);
        return;
      }
      case 13: {
        // table
        const n = this.varbyte(`size of ${what}`);
        for (let i = 0; i < 2 * n; i++) this.skipValue(what, depth + 1);
        return;
      }
      default:
        this.pos--;
        this.fail(`${what}: unknown data type tag ${tag}`);
    }
  }
}
