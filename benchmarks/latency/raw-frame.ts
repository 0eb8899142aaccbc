/** One length-prefixed frame (4-byte big-endian length, then the bytes), for the raw TCP latency baseline. */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}
