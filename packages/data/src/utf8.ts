// No Node import: this module also runs in browsers. Node's Buffer is used when present
// (it is faster); elsewhere TextEncoder and a strict TextDecoder do the same work.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the string's bytes, not a marker to drop.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Strings are stored as raw bytes in Broker; JS strings must be well-formed UTF-16 to map
// onto valid UTF-8 without loss, so lone surrogates are refused rather than replaced.
const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Tells whether a JS string has no lone surrogates, i.e. converts to UTF-8 and back
 * unchanged.
 * @internal
 */
export function isWellFormedString(s: string): boolean {
  return hasIsWellFormed ? (s as unknown as { isWellFormed(): boolean }).isWellFormed() : !loneSurrogate.test(s);
}

/**
 * The UTF-8 bytes of a string.
 * @internal
 */
export function utf8Bytes(s: string): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.from(s, 'utf8') : encoder.encode(s);
}

/**
 * Decodes bytes that are valid UTF-8 to a string; returns `undefined` for bytes that are
 * not, which Broker carries as a string all the same (they become a `Uint8Array`).
 * @param bytes - the buffer
 * @param start - first byte
 * @param end - one past the last byte
 * @internal
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  const len = end - start;
  if (len <= 24) {
    // Short ASCII strings (the common case on the wire) are cheapest built directly.
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  const view = bytes.subarray(start, end);
  if (NodeBuffer !== undefined) {
    const s = NodeBuffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8');
    // Node replaces each invalid sequence with U+FFFD: without one the bytes were valid.
    if (!s.includes('\ufffd')) return s;
  }
  try {
    return strictDecoder.decode(view);
  } catch {
    return undefined;
  }
}

/**
 * Copies bytes into a new plain `Uint8Array`. (`slice` on a Node `Buffer` would return a
 * view of the same memory, and a `Buffer` rather than a `Uint8Array`.)
 * @internal
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}
