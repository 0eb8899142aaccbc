/**
 * Length-prefixed frames for the raw Node limits: each frame is a 4-byte big-endian
 * length followed by that many bytes. The writer packs many frames into one buffer so
 * that one `socket.write()` or `postMessage()` carries a whole batch; the reader splits
 * a byte stream back into frames whatever the chunk boundaries.
 */

/** Largest frame accepted by {@link FrameReader} (a corrupt length must not allocate gigabytes). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Packs frames into batches of about `batchBytes` bytes. */
export class FrameBatchWriter {
  private buffer: Buffer;
  private used = 0;
  private frames = 0;

  /** @param batchBytes - capacity of a batch; a frame larger than that gets a batch of its own */
  constructor(private readonly batchBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(batchBytes);
  }

  /** Frames in the current batch. */
  get pendingFrames(): number {
    return this.frames;
  }

  /** True when the next frame of `size` bytes would not fit the current batch. */
  wouldOverflow(size: number): boolean {
    return this.used + 4 + size > this.buffer.length;
  }

  /**
   * Appends one frame. The caller must {@link take} first when {@link wouldOverflow}
   * says so, unless the batch is empty.
   * @throws RangeError if the frame does not fit (the batch grows only when empty)
   */
  append(frame: Uint8Array): void {
    if (this.wouldOverflow(frame.length)) {
      if (this.used !== 0) throw new RangeError('batch full: take() it first');
      this.buffer = Buffer.allocUnsafeSlow(4 + frame.length);
    }
    this.buffer.writeUInt32BE(frame.length, this.used);
    this.buffer.set(frame, this.used + 4);
    this.used += 4 + frame.length;
    this.frames++;
  }

  /**
   * Returns the current batch and starts a new one. The returned buffer is owned by the
   * caller and has an ArrayBuffer of its own (never Node's shared pool), so it is safe to
   * hand to `socket.write` or to transfer to a worker.
   */
  take(): Buffer {
    const batch = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafeSlow(this.batchBytes);
    this.used = 0;
    this.frames = 0;
    return batch;
  }
}

/** Splits a byte stream into frames, across any chunk boundaries. */
export class FrameReader {
  /** Bytes of an incomplete frame carried over to the next chunk (at most one frame). */
  private rest: Buffer | undefined;

  /** @param onFrame - called with each complete frame; the view is valid only during the call */
  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  /**
   * Feeds the next chunk of the stream.
   * @throws RangeError if a frame announces more than {@link MAX_FRAME_BYTES}
   */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.rest !== undefined) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    let offset = 0;
    while (data.length - offset >= 4) {
      const size = data.readUInt32BE(offset);
      if (size > MAX_FRAME_BYTES) throw new RangeError(`frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (data.length - offset - 4 < size) break;
      this.onFrame(data.subarray(offset + 4, offset + 4 + size));
      offset += 4 + size;
    }
    if (offset < data.length) this.rest = Buffer.from(data.subarray(offset));
  }

  /** Bytes waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.rest?.length ?? 0;
  }
}
