import { BrokerError } from '@broker-ts/data';

/**
 * Broker's total order of data (`compare` of `@broker-ts/data`), read straight from the
 * Broker binary encodings of two values held as latin1 strings (one character per byte),
 * without decoding them: what lets the memory backend keep its rows in Broker's key order
 * without a decoded copy of every key.
 *
 * The encoding is walked item by item: type tags order types by Broker's type index (the
 * tag is the index); fixed-size items whose big-endian bytes order like their values
 * (count, address, subnet, port, boolean) compare byte-wise; signed 64-bit items (integer,
 * timestamp, timespan) byte-wise with the sign bit flipped; reals numerically (`-0` equals
 * `0`, NaN equals NaN and sorts last); strings and enum names byte-wise over their UTF-8
 * bytes, shorter first on a common prefix; sets, vectors and tables element by element
 * (a table's keys and values alternate), shorter first. Each argument must be a whole,
 * well-formed encoding as `encodeBinary` writes it (sets and tables in their sorted
 * order), as every key a backend stores is.
 * @param a - the encoding of one value, as a latin1 string
 * @param b - the encoding of another value, as a latin1 string
 * @returns negative when a < b, zero when equal, positive when a > b
 * @throws BrokerError `invalid_data` for a type tag that is not Broker's
 */
export function compareEncoded(a: string, b: string): number {
  if (a === b) return 0;
  left = a;
  right = b;
  pa = 0;
  pb = 0;
  const c = item();
  left = right = '';
  return c;
}

/**
 * The order a backend keeps its rows in and sends a snapshot in: Broker's order of the
 * keys ({@link compareEncoded}), and keys that are equal in it yet encoded apart (`0.0`
 * and `-0.0`, NaNs of other bits: two keys of a store, since every backend identifies a
 * key by its encoding) by their encodings' bytes (unsigned, shorter first on a common
 * prefix), so that each has its own place and the order is total.
 * @param a - the encoding of one key, as a latin1 string
 * @param b - the encoding of another key, as a latin1 string
 * @returns negative when a comes first, zero only when a and b are the same bytes
 * @throws BrokerError `invalid_data` for a type tag that is not Broker's
 */
export function compareStoredKeys(a: string, b: string): number {
  if (a === b) return 0;
  const c = compareEncoded(a, b);
  if (c !== 0) return c;
  // One character per byte: string order is byte order.
  return a < b ? -1 : 1;
}

// The walk keeps its two strings and cursors in module state: it calls no user code, so
// it is never re-entered, and the hot path needs no closures or result objects.
let left = '';
let right = '';
let pa = 0;
let pb = 0;

const scratch = new DataView(new ArrayBuffer(16));

/** Compares `n` bytes at both cursors and moves both past them when equal. */
function bytes(n: number): number {
  for (let i = 0; i < n; i++) {
    const x = left.charCodeAt(pa + i);
    const y = right.charCodeAt(pb + i);
    if (x !== y) return x < y ? -1 : 1;
  }
  pa += n;
  pb += n;
  return 0;
}

/** A two's complement 64-bit item: the first byte with its sign flipped, then the rest. */
function signed(): number {
  const x = left.charCodeAt(pa) ^ 0x80;
  const y = right.charCodeAt(pb) ^ 0x80;
  if (x !== y) return x < y ? -1 : 1;
  pa++;
  pb++;
  return bytes(7);
}

/** The 8-byte big-endian double at `p` of `s`. */
function float(s: string, p: number): number {
  for (let i = 0; i < 8; i++) scratch.setUint8(i, s.charCodeAt(p + i));
  return scratch.getFloat64(0);
}

function real(): number {
  const x = float(left, pa);
  const y = float(right, pb);
  pa += 8;
  pb += 8;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // At least one NaN: NaN sorts last and equals NaN.
  const xn = x !== x;
  const yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/** Where the varbyte last read by {@link varbyte} ends. */
let varbyteEnd = 0;

/** Reads the varbyte length at `p` of `s`; sets {@link varbyteEnd}. */
function varbyte(s: string, p: number): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = s.charCodeAt(p++);
    n += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  varbyteEnd = p;
  return n;
}

/** Byte strings: the common prefix byte-wise, then the shorter first. */
function text(): number {
  const la = varbyte(left, pa);
  pa = varbyteEnd;
  const lb = varbyte(right, pb);
  pb = varbyteEnd;
  const c = bytes(Math.min(la, lb));
  if (c !== 0) return c;
  if (la !== lb) return la < lb ? -1 : 1;
  return 0;
}

/** Sequences of `per` items per element (tables: a key and a value): element-wise, then the shorter first. */
function sequence(per: number): number {
  const na = varbyte(left, pa);
  pa = varbyteEnd;
  const nb = varbyte(right, pb);
  pb = varbyteEnd;
  const n = Math.min(na, nb) * per;
  for (let i = 0; i < n; i++) {
    const c = item();
    if (c !== 0) return c;
  }
  if (na !== nb) return na < nb ? -1 : 1;
  return 0;
}

/** Compares the items at both cursors; when equal, moves both past them. */
function item(): number {
  const ta = left.charCodeAt(pa++);
  const tb = right.charCodeAt(pb++);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case 0: // none
      return 0;
    case 1: // boolean
      return bytes(1);
    case 2: // count
      return bytes(8);
    case 3: // integer
    case 9: // timestamp
    case 10: // timespan
      return signed();
    case 4: // real
      return real();
    case 5: // string
    case 11: // enum_value
      return text();
    case 6: // address
      return bytes(16);
    case 7: // subnet: network, then length
      return bytes(17);
    case 8: // port: number, then protocol
      return bytes(3);
    case 12: // set
    case 14: // vector
      return sequence(1);
    case 13: // table
      return sequence(2);
    default:
      throw new BrokerError('invalid_data', `cannot order an encoding with type tag ${ta}`);
  }
}
