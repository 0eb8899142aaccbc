import { Address } from './address';
import { BrokerError } from './broker-error';
import { setFromArray } from './broker-set';
import { tableFromArrays } from './broker-table';
import { Count } from './count';
import type { Data } from './data';
import { MAX_NESTING_DEPTH } from './encode-binary';
import { EnumValue } from './enum-value';
import { Port, PORT_PROTOCOLS } from './port';
import { Subnet } from './subnet';
import { Timespan } from './timespan';
import { Timestamp } from './timestamp';
import { copyBytes, decodeUtf8 } from './utf8';

const TYPE_NAMES = ['none', 'boolean', 'count', 'integer', 'real', 'string', 'address', 'subnet', 'port', 'timestamp', 'timespan', 'enum_value', 'set', 'table', 'vector'];

/** A cursor over the input; every read checks the remaining length first. */
class BinaryReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly end: number;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  fail(message: string, offset = this.pos): never {
    throw new BrokerError('deserialization_failed', `${message} at offset ${offset}`, { offset });
  }

  need(n: number, what: string): void {
    if (this.end - this.pos < n) this.fail(`truncated input: ${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  varbyte(what: string): number {
    const start = this.pos;
    if (this.pos < this.end) {
      const first = this.bytes[this.pos];
      if (first < 0x80) {
        this.pos++;
        return first;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`truncated input: unfinished length of ${what}`, start);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > 0xffffffff) this.fail(`length of ${what} too large (${result})`, start);
        return result;
      }
      scale *= 128;
    }
    return this.fail(`length of ${what} longer than 10 bytes`, start);
  }

  string(what: string): string | Uint8Array {
    const start = this.pos;
    const len = this.varbyte(what);
    if (len > this.end - this.pos) this.fail(`${what} of ${len} bytes exceeds the ${this.end - this.pos} bytes left`, start);
    const from = this.pos;
    this.pos += len;
    return decodeUtf8(this.bytes, from, this.pos) ?? copyBytes(this.bytes, from, this.pos);
  }

  address(): Address {
    const v = this.view;
    const p = this.pos;
    this.pos = p + 16;
    return new Address(v.getUint32(p), v.getUint32(p + 4), v.getUint32(p + 8), v.getUint32(p + 12));
  }

  value(depth: number): Data {
    if (this.pos >= this.end) this.fail('truncated input: expected a type tag');
    const tagAt = this.pos;
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case 0:
        return null;
      case 1: {
        this.need(1, 'a boolean');
        const b = this.bytes[this.pos++];
        if (b > 1) this.fail(`invalid boolean byte ${b}`, this.pos - 1);
        return b === 1;
      }
      case 2: {
        this.need(8, 'a count');
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return new Count(v);
      }
      case 3: {
        this.need(8, 'an integer');
        const v = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return v;
      }
      case 4: {
        this.need(8, 'a real');
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 5:
        return this.string('a string');
      case 6:
        this.need(16, 'an address');
        return this.address();
      case 7: {
        this.need(17, 'a subnet');
        const net = this.address();
        const len = this.bytes[this.pos++];
        if (len > 128) this.fail(`subnet length ${len} exceeds 128`, this.pos - 1);
        return Subnet.fromRawLength(net, len);
      }
      case 8: {
        this.need(3, 'a port');
        const num = this.view.getUint16(this.pos);
        const proto = this.bytes[this.pos + 2];
        if (proto > 3) this.fail(`invalid port protocol ${proto}`, this.pos + 2);
        this.pos += 3;
        return new Port(num, PORT_PROTOCOLS[proto]);
      }
      case 9:
      case 10: {
        this.need(8, tag === 9 ? 'a timestamp' : 'a timespan');
        const ns = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return tag === 9 ? new Timestamp(ns) : new Timespan(ns);
      }
      case 11: {
        const name = this.string('an enum name');
        if (typeof name !== 'string') this.fail('enum name is not valid UTF-8', tagAt + 1);
        return new EnumValue(name);
      }
      case 12:
      case 13:
      case 14:
        if (depth >= MAX_NESTING_DEPTH) this.fail(`containers nested deeper than ${MAX_NESTING_DEPTH}`, tagAt);
        return this.container(tag, depth + 1);
      default:
        throw new BrokerError('invalid_tag', `unknown type tag ${tag} at offset ${tagAt}`, { offset: tagAt });
    }
  }

  container(tag: number, depth: number): Data {
    const what = TYPE_NAMES[tag];
    const start = this.pos;
    const n = this.varbyte(`a ${what}`);
    // Every element takes at least one byte (two per table entry): a count larger than
    // the input left is an error, never an allocation.
    const minBytes = tag === 13 ? 2 * n : n;
    if (minBytes > this.end - this.pos) this.fail(`${what} of ${n} elements cannot fit the ${this.end - this.pos} bytes left`, start);
    if (tag === 13) {
      const keys: Data[] = new Array(n);
      const values: Data[] = new Array(n);
      for (let i = 0; i < n; i++) {
        keys[i] = this.value(depth);
        values[i] = this.value(depth);
      }
      return tableFromArrays(keys, values);
    }
    const items: Data[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = this.value(depth);
    return tag === 12 ? setFromArray(items) : items;
  }
}

/**
 * Decodes one value of Broker's binary data format; the input must hold exactly one.
 * Strings that are valid UTF-8 become JS strings, others `Uint8Array`s. Sets and tables
 * whose elements arrive out of order (never from Broker) are sorted and deduplicated.
 * @param bytes - the encoded value
 * @returns the value, type-exact: re-encoding it yields the same bytes
 * @throws BrokerError `deserialization_failed` (or `invalid_tag` for an unknown type tag)
 *   for truncated, oversized, trailing or malformed input; the message and
 *   `context.offset` say where
 */
export function decodeBinary(bytes: Uint8Array): Data {
  if (!(bytes instanceof Uint8Array)) throw new BrokerError('type_clash', 'decodeBinary expects a Uint8Array');
  const r = new BinaryReader(bytes);
  let v: Data;
  try {
    v = r.value(0);
  } catch (e) {
    if (e instanceof BrokerError) throw e;
    throw new BrokerError('deserialization_failed', `cannot decode: ${(e as Error).message}`, {}, { cause: e });
  }
  if (r.pos !== r.end) r.fail(`${r.end - r.pos} trailing bytes after the value`);
  return v;
}
