import { FRAME_HEADER_SIZE } from './frame-decoder';
import { NetError } from './net-error';

/** Options of a {@link FrameEncoder}. */
export interface FrameEncoderOptions {
  /** Largest payload accepted, in bytes (must match the peer's decoder limit). */
  maxFrameSize: number;
  /** Initial batch capacity in bytes (default 64 KiB); it grows by doubling as needed. */
  initialCapacity?: number;
}

/** Written batch buffers an encoder keeps for reuse (see {@link FrameEncoder.recycle}). */
const MAX_SPARE_BATCHES = 4;
/** Largest batch buffer kept for reuse: a batch grown past it for huge frames is let go. */
const MAX_SPARE_BYTES = 1024 * 1024;

/**
 * Writes many length-prefixed frames into one buffer, so that a whole batch leaves in a
 * single `socket.write` (one syscall for thousands of frames instead of one per frame).
 *
 * Frames are appended with {@link writeFrame} (or {@link beginFrame}/{@link endFrame} to
 * fill a frame in place) and the batch is handed over with {@link take}; once written, it
 * may be given back with {@link recycle}. Nothing is bounded here but the spare buffers:
 * the owner decides when to take and how much it lets accumulate.
 */
export class FrameEncoder {
  /** Current batch buffer; bytes `[0, length)` are the pending batch. */
  private buffer: Buffer;
  /** Bytes written to the current batch. */
  private length = 0;
  /** Largest payload accepted (settable: the peer's limit is learnt in the handshake). */
  private maxFrameSize: number;
  /** Frames in the current batch. */
  private count = 0;
  /** Capacity a fresh batch buffer starts with. */
  private readonly initialCapacity: number;
  /** Batch buffers handed out by {@link take} that {@link recycle} may take back. */
  private readonly lent = new WeakSet<ArrayBufferLike>();
  /** Written batch buffers waiting to be reused (at most {@link MAX_SPARE_BATCHES} of at most {@link MAX_SPARE_BYTES}). */
  private readonly spares: Buffer[] = [];

  /** @param options - limits and initial capacity */
  constructor(options: FrameEncoderOptions) {
    this.initialCapacity = options.initialCapacity ?? 64 * 1024;
    this.maxFrameSize = options.maxFrameSize;
    this.buffer = Buffer.allocUnsafeSlow(this.initialCapacity);
  }

  /** Largest payload accepted, in bytes. */
  get frameLimit(): number {
    return this.maxFrameSize;
  }

  /**
   * Changes the payload limit (to the smaller of ours and the peer's once connected).
   * @param bytes - the new limit
   */
  setMaxFrameSize(bytes: number): void {
    this.maxFrameSize = bytes;
  }

  /** Bytes waiting in the current batch. */
  get pendingBytes(): number {
    return this.length;
  }

  /** Frames waiting in the current batch. */
  get pendingFrames(): number {
    return this.count;
  }

  /**
   * Appends raw bytes that are not a frame (the connection preamble).
   * @param bytes - the bytes
   */
  writeRaw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /**
   * Appends one frame: its length prefix, then `parts` back to back as its payload.
   * @param parts - payload pieces (e.g. a one-byte kind and an encoded body)
   * @throws NetError `oversized_frame` when the payload exceeds `maxFrameSize`; the batch is unchanged
   */
  writeFrame(...parts: Uint8Array[]): void {
    let size = 0;
    for (const part of parts) size += part.length;
    if (size > this.maxFrameSize) {
      throw new NetError('oversized_frame', `refusing to send a frame of ${size} bytes (limit ${this.maxFrameSize})`);
    }
    this.reserve(FRAME_HEADER_SIZE + size);
    this.buffer.writeUInt32BE(size, this.length);
    let at = this.length + FRAME_HEADER_SIZE;
    for (const part of parts) {
      this.buffer.set(part, at);
      at += part.length;
    }
    this.length = at;
    this.count++;
  }

  /**
   * Appends a frame whose payload is one kind byte followed by `body`; the common case,
   * written without building an argument array.
   * @param kind - the message kind byte
   * @param body - the encoded body
   * @throws NetError `oversized_frame` when the payload exceeds `maxFrameSize`
   */
  writeKindFrame(kind: number, body: Uint8Array): void {
    const size = 1 + body.length;
    if (size > this.maxFrameSize) {
      throw new NetError('oversized_frame', `refusing to send a frame of ${size} bytes (limit ${this.maxFrameSize})`);
    }
    this.reserve(FRAME_HEADER_SIZE + size);
    const at = this.length;
    this.buffer.writeUInt32BE(size, at);
    this.buffer[at + FRAME_HEADER_SIZE] = kind;
    this.buffer.set(body, at + FRAME_HEADER_SIZE + 1);
    this.length = at + FRAME_HEADER_SIZE + size;
    this.count++;
  }

  /**
   * Hands over the pending batch and starts a new one. The returned buffer is never
   * written again by this encoder, so it can be given to `socket.write` as is.
   * @returns the batch (empty when nothing is pending)
   */
  take(): Buffer {
    if (this.length === 0) return Buffer.alloc(0);
    let out: Buffer;
    if (this.length <= this.initialCapacity / 4) {
      // A small batch is copied out so the big buffer is reused instead of reallocated.
      out = Buffer.allocUnsafe(this.length);
      this.buffer.copy(out, 0, 0, this.length);
    } else {
      out = this.buffer.subarray(0, this.length);
      // Batch buffers own their ArrayBuffer (allocUnsafeSlow: never Node's shared pool).
      if (this.buffer.length <= MAX_SPARE_BYTES) this.lent.add(out.buffer);
      // A spare has the size batches grew to (a turn's worth of frames): no regrowing.
      this.buffer = this.spares.pop() ?? Buffer.allocUnsafeSlow(this.initialCapacity);
    }
    this.length = 0;
    this.count = 0;
    return out;
  }

  /**
   * Takes back a batch returned by {@link take} once nothing reads it any more (the socket
   * wrote it), so that a later batch reuses its memory. Under load a batch waits in the
   * socket's queue long enough to outlive a young-generation collection; allocating a
   * fresh one per flush would leave tens of MiB of written batches to the next full
   * collection. Batches that were not lent out as a whole buffer are ignored.
   * @param batch - a batch from {@link take}, no longer referenced by anything else
   */
  recycle(batch: Buffer): void {
    if (!this.lent.delete(batch.buffer) || this.spares.length >= MAX_SPARE_BATCHES) return;
    this.spares.push(Buffer.from(batch.buffer, 0, batch.buffer.byteLength));
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
