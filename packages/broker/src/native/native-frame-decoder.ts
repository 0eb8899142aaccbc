/**
 * A byte-fed decoder of Broker's native protocol stream: it splits 4-byte-length frames
 * and decodes each body as a handshake or an operation message, depending on the mode
 * its owner sets between frames. No I/O, no timers, and no throws out of `push`/`next`:
 * garbage becomes a typed result.
 */
import { BrokerError } from '@broker-ts/data';
import { decodeHandshakeBody, decodeOperationBody, NATIVE_FRAME_HEADER_SIZE } from './native-codec';
import type { HandshakeMessage, OperationMessage } from './native-message';
import { OperationDecodeCache } from './operation-decode-cache';

/** How frame bodies are read: handshake messages (phases 1-2) or operation messages (phase 3). */
export type NativeDecoderMode = 'handshake' | 'operation';

/** One result of {@link NativeFrameDecoder.next}. */
export type NativeDecodeResult =
  | { kind: 'handshake'; message: HandshakeMessage }
  | { kind: 'operation'; message: OperationMessage }
  /**
   * A frame that could not be used. `fatal`: the stream cannot continue (oversized or
   * empty handshake frame, an undecodable handshake message, truncation at the end); the
   * decoder then stays failed. Otherwise one operation message was malformed and is
   * dropped, as Broker drops it, and decoding goes on.
   */
  | { kind: 'invalid'; error: BrokerError; fatal: boolean };

/** Limits of a {@link NativeFrameDecoder}. */
export interface NativeFrameDecoderOptions {
  /** Largest frame body accepted during the handshake (default 1 MiB). */
  maxHandshakeFrameSize?: number;
  /**
   * Largest frame body accepted after the handshake (default 64 MiB; Broker's own limit
   * is 2^31 - 5 bytes, CAF's length-prefix framing).
   */
  maxFrameSize?: number;
  /** Initial mode (default `handshake`). */
  mode?: NativeDecoderMode;
}

/**
 * Splits and decodes frames. Feed bytes with {@link push}, then call {@link next} until
 * it returns `undefined`; switch {@link mode} between two `next` calls when the
 * handshake completes, so that bytes which arrived in the same chunk as the last
 * handshake frame are read as operation messages.
 *
 * Memory: it holds the unread input (at most one incomplete frame beyond what the
 * owner has not asked for yet), copying a frame only when it spans chunks; an announced
 * length above the limit fails before anything is allocated for it.
 */
export class NativeFrameDecoder {
  /** How the next frame body is read. */
  mode: NativeDecoderMode;
  /** Unread input, oldest first; `offset` bytes of the first chunk are consumed. */
  private chunks: Buffer[] = [];
  /** Read position in `chunks[0]`. */
  private offset = 0;
  /** Unread bytes across `chunks`. */
  private buffered = 0;
  /** The fatal result, once found; nothing more is decoded. */
  private failure: NativeDecodeResult | undefined;
  private readonly maxHandshakeFrameSize: number;
  private readonly maxFrameSize: number;
  /** The previous operation message's ids and topic, reused when they repeat. */
  private readonly cache = new OperationDecodeCache();

  /** @param options - limits and initial mode */
  constructor(options: NativeFrameDecoderOptions = {}) {
    this.mode = options.mode ?? 'handshake';
    this.maxHandshakeFrameSize = options.maxHandshakeFrameSize ?? 1 << 20;
    this.maxFrameSize = options.maxFrameSize ?? 64 << 20;
  }

  /** True once a fatal error was found; nothing more is decoded. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Bytes received but not yet decoded. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Appends input (kept by reference, not copied). Never throws; ignored after a fatal
   * error.
   * @param chunk - the next bytes of the stream
   */
  push(chunk: Uint8Array): void {
    if (this.failure || chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.length;
  }

  /**
   * Decodes the next complete frame.
   * @returns a message, an invalid frame, or `undefined` when more bytes are needed
   *   (or after a fatal error has been returned once)
   */
  next(): NativeDecodeResult | undefined {
    if (this.failure) return undefined;
    for (;;) {
      if (this.buffered < NATIVE_FRAME_HEADER_SIZE) return undefined;
      const length = this.peekLength();
      const limit = this.mode === 'handshake' ? this.maxHandshakeFrameSize : this.maxFrameSize;
      if (length > limit) return this.fail(new BrokerError('invalid_message', `frame of ${length} bytes exceeds the limit of ${limit}`));
      if (length === 0) {
        // CAF's framing skips empty frames after the handshake; Broker's handshake
        // reader drops the connection.
        if (this.mode === 'handshake') return this.fail(new BrokerError('invalid_message', 'empty frame during the handshake'));
        this.take(NATIVE_FRAME_HEADER_SIZE);
        continue;
      }
      if (this.buffered < NATIVE_FRAME_HEADER_SIZE + length) return undefined;
      this.take(NATIVE_FRAME_HEADER_SIZE);
      return this.decode(this.take(length));
    }
  }

  /**
   * Takes the bytes received but not decoded, for another protocol that continues on the
   * same stream (see `NativeConnection.takeSocket`). The decoder holds nothing after it.
   * @returns the unread bytes, in order (empty when there are none)
   */
  takeRest(): Buffer {
    const first = this.chunks[0];
    const rest = this.chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat([first.subarray(this.offset), ...this.chunks.slice(1)]);
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return rest;
  }

  /**
   * Signals the end of the stream.
   * @returns a fatal `invalid` result when the stream stopped inside a frame, else `undefined`
   */
  end(): NativeDecodeResult | undefined {
    if (this.failure || this.buffered === 0) return undefined;
    return this.fail(new BrokerError('end_of_file', `stream ended inside a frame (${this.buffered} bytes buffered)`));
  }

  private decode(body: Buffer): NativeDecodeResult {
    try {
      if (this.mode === 'handshake') return { kind: 'handshake', message: decodeHandshakeBody(body) };
      return { kind: 'operation', message: decodeOperationBody(body, this.cache) };
    } catch (e) {
      const error = e instanceof BrokerError ? e : new BrokerError('invalid_message', `cannot decode frame: ${String(e)}`, {}, { cause: e });
      if (this.mode === 'handshake') return this.fail(error);
      return { kind: 'invalid', error, fatal: false };
    }
  }

  private fail(error: BrokerError): NativeDecodeResult {
    const failure: NativeDecodeResult = { kind: 'invalid', error, fatal: true };
    this.failure = failure;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return failure;
  }

  /** Reads the next length prefix without consuming it (it may span chunks). */
  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length - this.offset >= NATIVE_FRAME_HEADER_SIZE) return first.readUInt32BE(this.offset);
    let value = 0;
    let chunk = 0;
    let pos = this.offset;
    for (let i = 0; i < NATIVE_FRAME_HEADER_SIZE; i++) {
      while (pos >= this.chunks[chunk].length) {
        chunk++;
        pos = 0;
      }
      value = value * 256 + this.chunks[chunk][pos++];
    }
    return value;
  }

  /** Consumes `n` buffered bytes: a view when they sit in one chunk, else one copy. */
  private take(n: number): Buffer {
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

  /** Consumes `n` bytes known to be in the first chunk. */
  private advance(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
