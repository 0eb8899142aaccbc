import { MAX_NESTING_DEPTH } from '@broker-ts/data';

/**
 * Where one value of Broker's binary data format ends, found by walking its tags and
 * lengths without building anything, and whether its bytes are already the ones
 * `encodeBinary` writes for it (so that they can be stored as they are, as a backend
 * stores what `encodeBinary` wrote).
 *
 * The walk vouches for the form of: none, booleans, counts, integers, timestamps,
 * timespans, addresses, ports, strings (any bytes: a string that is not UTF-8 decodes
 * into its bytes and encodes back into the same), reals other than NaN, and vectors of
 * them, with every length in its shortest form. Anything else that is well-formed
 * (subnets, whose address a decoder masks; enum names, which must be UTF-8; sets and
 * tables, whose order a decoder restores; NaN, whose bits a decoder may not keep; a
 * length in a longer form than needed) is reported as not plain: the caller decodes and
 * re-encodes it. Malformed input (a truncated value, an unknown tag, an invalid boolean
 * or port protocol, nesting deeper than `MAX_NESTING_DEPTH`) ends the walk with -1: the
 * caller decodes it to get the decoder's precise error.
 */
export interface EncodedScan {
  /** The offset just after the value, or -1 when it is malformed. */
  end: number;
  /** Whether the bytes are in the form `encodeBinary` writes (meaningful when `end` ≥ 0). */
  plain: boolean;
}

// A local binding: an imported binding is read through a getter on every access.
const MAX_DEPTH = MAX_NESTING_DEPTH;

// The walk keeps its input and cursor in module state: it calls no user code, so it is
// never re-entered, and the per-value hot path needs no closures or result objects.
let src: Uint8Array = new Uint8Array(0);
let at = 0;
let limit = 0;
let plain = true;

/**
 * Walks one encoded value.
 * @param bytes - the encodings
 * @param from - where the value starts
 * @param to - where the input ends (the value must end at or before it)
 * @param out - receives the end offset (or -1) and whether the value is plain
 * @returns `out`
 */
export function scanEncoded(bytes: Uint8Array, from: number, to: number, out: EncodedScan): EncodedScan {
  src = bytes;
  at = from;
  limit = to;
  plain = true;
  const ok = item(0);
  out.end = ok ? at : -1;
  out.plain = ok && plain;
  src = EMPTY;
  return out;
}

const EMPTY = new Uint8Array(0);

/** A length (varbyte) at the cursor; -1 when unfinished or beyond 2^35. A longer form than needed is not plain. */
function length(): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 5 && at < limit; i++) {
    const b = src[at++];
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (b === 0 && i > 0) plain = false;
      return result;
    }
    scale *= 128;
  }
  return -1;
}

/** Moves the cursor past `n` bytes; false when the input is shorter. */
function skip(n: number): boolean {
  if (limit - at < n) return false;
  at += n;
  return true;
}

function item(depth: number): boolean {
  if (at >= limit) return false;
  const tag = src[at++];
  switch (tag) {
    case 0:
      return true;
    case 1:
      if (at >= limit || src[at] > 1) return false;
      at++;
      return true;
    case 2:
    case 3:
    case 9:
    case 10:
      return skip(8);
    case 4:
      if (limit - at < 8) return false;
      // NaN: every exponent bit set and a mantissa that is not zero.
      if ((src[at] & 0x7f) === 0x7f && (src[at + 1] & 0xf0) === 0xf0 && ((src[at + 1] & 0x0f) | src[at + 2] | src[at + 3] | src[at + 4] | src[at + 5] | src[at + 6] | src[at + 7]) !== 0) plain = false;
      at += 8;
      return true;
    case 5:
    case 11: {
      if (tag === 11) plain = false;
      const n = length();
      return n >= 0 && skip(n);
    }
    case 6:
      return skip(16);
    case 7:
      plain = false;
      return skip(17) && src[at - 1] <= 128;
    case 8:
      if (limit - at < 3 || src[at + 2] > 3) return false;
      at += 3;
      return true;
    case 12:
    case 13:
    case 14: {
      if (depth >= MAX_DEPTH) return false;
      if (tag !== 14) plain = false;
      let n = length();
      if (n < 0) return false;
      if (tag === 13) n *= 2;
      // Every item takes at least a byte: a count beyond the input left is malformed.
      if (n > limit - at) return false;
      for (let i = 0; i < n; i++) if (!item(depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}
