/**
 * The received bytes of a stream not yet consumed, as the chunks they arrived in (kept by
 * reference, not copied): what a decoder of length-prefixed frames reads from. Taking
 * bytes that sit in one chunk gives a view of it; bytes spread over chunks are copied
 * once into a fresh buffer. No I/O.
 */
export class ChunkQueue {
  /** The chunks, oldest first; `offset` bytes of the first one are consumed. */
  private chunks: Buffer[] = [];
  /** Read position inside `chunks[0]`. */
  private offset = 0;
  /** Unconsumed bytes across `chunks`. */
  private bytes = 0;

  /** Unconsumed bytes. */
  get length(): number {
    return this.bytes;
  }

  /**
   * Appends a chunk (kept by reference).
   * @param chunk - the next bytes of the stream; an empty one is ignored
   */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /**
   * Reads a big-endian 32-bit unsigned integer at the read position without consuming it
   * (it may span chunks). The caller makes sure {@link length} is at least 4.
   */
  peekUInt32BE(): number {
    const first = this.chunks[0];
    if (first.length - this.offset >= 4) return first.readUInt32BE(this.offset);
    let value = 0;
    let chunk = 0;
    let pos = this.offset;
    for (let i = 0; i < 4; i++) {
      while (pos >= this.chunks[chunk].length) {
        chunk++;
        pos = 0;
      }
      value = value * 256 + this.chunks[chunk][pos++];
    }
    return value;
  }

  /**
   * Consumes `n` bytes without reading them. The caller makes sure {@link length} is at
   * least `n`.
   */
  skip(n: number): void {
    while (n > 0) {
      const k = Math.min(this.chunks[0].length - this.offset, n);
      this.advance(k);
      n -= k;
    }
  }

  /**
   * Consumes `n` bytes: a view when they sit in one chunk, else one copy. The caller
   * makes sure {@link length} is at least `n`.
   */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.chunks[0];
      const k = Math.min(chunk.length - this.offset, n - copied);
      chunk.copy(out, copied, this.offset, this.offset + k);
      copied += k;
      this.advance(k);
    }
    return out;
  }

  /** Consumes everything: the unconsumed bytes in order, in one buffer (empty when none). */
  takeAll(): Buffer {
    const rest = this.chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat([this.chunks[0].subarray(this.offset), ...this.chunks.slice(1)]);
    this.clear();
    return rest;
  }

  /** Drops everything. */
  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.bytes = 0;
  }

  /** Consumes `n` bytes known to be in the first chunk. */
  private advance(n: number): void {
    this.offset += n;
    this.bytes -= n;
    if (this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
