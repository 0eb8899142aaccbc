import { BrokerError } from './broker-error';
import { BROKER_TAG, markBrokerType, TAG_ADDRESS } from './type-tag';

/**
 * Broker's `address`: 16 bytes, IPv4 kept as IPv4-mapped IPv6 (`::ffff:a.b.c.d`).
 * Immutable. Compares byte-wise, so `::1 < 1.2.3.4 < 2001::`.
 */
export class Address {
  /** @internal Broker's type index, on the prototype (see type-tag.ts). */
  declare readonly [BROKER_TAG]: number;

  // The 16 bytes as four big-endian unsigned 32-bit words: cheap to build, compare and
  // write, which matters on the binary codec's hot path.
  /** @internal */ readonly w0: number;
  /** @internal */ readonly w1: number;
  /** @internal */ readonly w2: number;
  /** @internal */ readonly w3: number;

  /** @internal Use {@link Address.fromBytes}, {@link Address.parse} or {@link address}. */
  constructor(w0: number, w1: number, w2: number, w3: number) {
    this.w0 = w0 >>> 0;
    this.w1 = w1 >>> 0;
    this.w2 = w2 >>> 0;
    this.w3 = w3 >>> 0;
  }

  /**
   * Makes an address from 16 bytes (IPv6 layout) or 4 bytes (IPv4, stored v4-mapped).
   * @param bytes - 4 or 16 bytes, network order
   * @throws BrokerError `invalid_data` for any other length
   */
  static fromBytes(bytes: Uint8Array): Address {
    const b = bytes;
    if (b.length === 4) return new Address(0, 0, 0xffff, ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0);
    if (b.length !== 16) throw new BrokerError('invalid_data', `an address needs 4 or 16 bytes, got ${b.length}`);
    const w = (i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    return new Address(w(0), w(4), w(8), w(12));
  }

  /**
   * Parses an IPv4 dotted quad or an IPv6 address (with `::` and an optional trailing
   * dotted quad).
   * @param text - the address text
   * @throws BrokerError `conversion_failed` when the text is not an address
   */
  static parse(text: string): Address {
    const a = parseAddress(text);
    if (a === undefined) throw new BrokerError('conversion_failed', `invalid address: ${JSON.stringify(text)}`);
    return a;
  }

  /** The 16 bytes in network order (a fresh copy). */
  get bytes(): Uint8Array {
    const out = new Uint8Array(16);
    const words = [this.w0, this.w1, this.w2, this.w3];
    for (let i = 0; i < 4; i++) {
      out[i * 4] = words[i] >>> 24;
      out[i * 4 + 1] = (words[i] >>> 16) & 0xff;
      out[i * 4 + 2] = (words[i] >>> 8) & 0xff;
      out[i * 4 + 3] = words[i] & 0xff;
    }
    return out;
  }

  /** True for an IPv4-mapped address (`::ffff:0:0/96`). */
  get isV4(): boolean {
    return this.w0 === 0 && this.w1 === 0 && this.w2 === 0xffff;
  }

  /** True for every address that is not IPv4-mapped. */
  get isV6(): boolean {
    return !this.isV4;
  }

  /**
   * Keeps the top bits and clears the others, counting in IPv6 terms as Broker does
   * (for 192.168.1.2/16 pass 112).
   * @param topBitsToKeep - 0..128
   * @throws BrokerError `invalid_data` when out of range
   */
  mask(topBitsToKeep: number): Address {
    if (!Number.isInteger(topBitsToKeep) || topBitsToKeep < 0 || topBitsToKeep > 128) {
      throw new BrokerError('invalid_data', `address mask must be 0..128 bits, got ${topBitsToKeep}`);
    }
    const m = (i: number): number => {
      const bits = topBitsToKeep - i * 32;
      if (bits >= 32) return 0xffffffff;
      if (bits <= 0) return 0;
      return (0xffffffff << (32 - bits)) >>> 0;
    };
    return new Address(this.w0 & m(0), this.w1 & m(1), this.w2 & m(2), this.w3 & m(3));
  }

  /**
   * Orders addresses byte-wise over their 16-byte form.
   * @param other - the other address
   * @returns negative, zero or positive
   */
  compare(other: Address): number {
    if (this.w0 !== other.w0) return this.w0 < other.w0 ? -1 : 1;
    if (this.w1 !== other.w1) return this.w1 < other.w1 ? -1 : 1;
    if (this.w2 !== other.w2) return this.w2 < other.w2 ? -1 : 1;
    if (this.w3 !== other.w3) return this.w3 < other.w3 ? -1 : 1;
    return 0;
  }

  /**
   * Tells whether two addresses have the same 16 bytes.
   * @param other - the other address
   */
  equals(other: Address): boolean {
    return this.w0 === other.w0 && this.w1 === other.w1 && this.w2 === other.w2 && this.w3 === other.w3;
  }

  /** For `JSON.stringify` and loggers: Broker's text form (use `encodeJson` for Broker's JSON format). */
  toJSON(): string {
    return this.toString();
  }

  /** Broker's text form: a dotted quad for IPv4-mapped addresses, RFC 5952 IPv6 otherwise. */
  toString(): string {
    if (this.isV4) {
      const w = this.w3;
      return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
    }
    const groups = [this.w0 >>> 16, this.w0 & 0xffff, this.w1 >>> 16, this.w1 & 0xffff, this.w2 >>> 16, this.w2 & 0xffff, this.w3 >>> 16, this.w3 & 0xffff];
    // RFC 5952: compress the first longest run of two or more zero groups.
    let bestStart = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
    if (bestStart < 0) return hex(0, 8);
    return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
  }
}
markBrokerType(Address, TAG_ADDRESS);

function parseV4(text: string): number | undefined {
  // Four dot-separated parts of 1-3 decimal digits, each at most 255 (leading zeros are
  // read as decimal), scanned without splitting the text.
  let w = 0;
  let parts = 0;
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // the end closes the last part
    if (c === 0x2e) {
      if (digits === 0 || n > 255 || ++parts > 4) return undefined;
      w = w * 256 + n;
      n = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      n = n * 10 + (c - 0x30);
      digits++;
    } else return undefined;
  }
  return parts === 4 ? w : undefined;
}

function parseGroups(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseV4(p);
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      groups.push(parseInt(p, 16));
    }
  }
  return groups;
}

function parseAddress(text: string): Address | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  if (!text.includes(':')) {
    const v4 = parseV4(text);
    return v4 === undefined ? undefined : new Address(0, 0, 0xffff, v4);
  }
  let groups: number[];
  const gap = text.indexOf('::');
  if (gap >= 0) {
    if (text.indexOf('::', gap + 1) >= 0) return undefined;
    const head = parseGroups(text.slice(0, gap), false);
    const tail = parseGroups(text.slice(gap + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  return new Address((groups[0] << 16) | groups[1], (groups[2] << 16) | groups[3], (groups[4] << 16) | groups[5], (groups[6] << 16) | groups[7]);
}

/**
 * Makes a Broker address.
 * @param value - address text (`10.0.0.1`, `2001:db8::1`), 4 or 16 bytes, or an address
 * @returns the address
 * @throws BrokerError `conversion_failed` for invalid text, `invalid_data` for a wrong byte count
 */
export function address(value: string | Uint8Array | Address): Address {
  if (value instanceof Address) return value;
  if (typeof value === 'string') return Address.parse(value);
  if (value instanceof Uint8Array) return Address.fromBytes(value);
  throw new BrokerError('type_clash', `address expects text or bytes, got ${typeof value}`);
}
