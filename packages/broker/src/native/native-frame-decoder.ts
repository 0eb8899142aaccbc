/**
 * A byte-fed decoder of Broker's native protocol stream: it splits 4-byte-length frames
 * and decodes each body as a handshake or an operation message, depending on the mode
 * its owner sets between frames. No I/O, no timers, and no throws out of `push`/`next`:
 * garbage becomes a typed result.
 */
import { BrokerError } from '@broker-ts/data';
import { decodeHandshakeBody, decodeOperationBody, NATIVE_FRAME_HEADER_SIZE } from './native-codec';
import type { HandshakeMessage, OperationMessage } from './native-message';

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
 * Memory: it buffers at most one incomplete frame plus the unread part of the input;
 * an announced length above the limit fails before anything is allocated for it.
 */
export class NativeFrameDecoder {
  /** How the next frame body is read. */
  mode: NativeDecoderMode;
  /** Unread input. */
  private buf: Buffer = Buffer.alloc(0);
  /** Read position in `buf`. */
  private offset = 0;
  /** The fatal result, repeated by later calls. */
  private failure: NativeDecodeResult | undefined;
  /** Set once the failure has been returned, so it is reported once. */
  private failureReported = false;
  private readonly maxHandshakeFrameSize: number;
  private readonly maxFrameSize: number;

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
    return this.buf.length - this.offset;
  }

  /**
   * Appends input. Never throws; ignored after a fatal error.
   * @param chunk - the next bytes of the stream
   */
  push(chunk: Uint8Array): void {
    if (this.failure || chunk.length === 0) return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.offset === this.buf.length) {
      this.buf = bytes;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.offset), bytes]);
    }
    this.offset = 0;
  }

  /**
   * Decodes the next complete frame.
   * @returns a message, an invalid frame, or `undefined` when more bytes are needed
   *   (or after a fatal error has been reported)
   */
  next(): NativeDecodeResult | undefined {
    if (this.failure) return this.reportFailure();
    for (;;) {
      const available = this.buf.length - this.offset;
      if (available < NATIVE_FRAME_HEADER_SIZE) return undefined;
      const length = this.buf.readUInt32BE(this.offset);
      const limit = this.mode === 'handshake' ? this.maxHandshakeFrameSize : this.maxFrameSize;
      if (length > limit) return this.fail(new BrokerError('invalid_message', `frame of ${length} bytes exceeds the limit of ${limit}`, { offset: this.offset }));
      if (length === 0) {
        // CAF's framing skips empty frames after the handshake; Broker's handshake
        // reader drops the connection.
        if (this.mode === 'handshake') return this.fail(new BrokerError('invalid_message', 'empty frame during the handshake'));
        this.offset += NATIVE_FRAME_HEADER_SIZE;
        continue;
      }
      if (available < NATIVE_FRAME_HEADER_SIZE + length) return undefined;
      const body = this.buf.subarray(this.offset + NATIVE_FRAME_HEADER_SIZE, this.offset + NATIVE_FRAME_HEADER_SIZE + length);
      this.offset += NATIVE_FRAME_HEADER_SIZE + length;
      if (this.offset === this.buf.length) {
        this.buf = Buffer.alloc(0);
        this.offset = 0;
      }
      return this.decode(body);
    }
  }

  /**
   * Signals the end of the stream.
   * @returns a fatal `invalid` result when the stream stopped inside a frame, else `undefined`
   */
  end(): NativeDecodeResult | undefined {
    if (this.failure) return this.reportFailure();
    const left = this.buf.length - this.offset;
    if (left === 0) return undefined;
    return this.fail(new BrokerError('end_of_file', `stream ended inside a frame (${left} bytes buffered)`));
  }

  private decode(body: Buffer): NativeDecodeResult {
    try {
      if (this.mode === 'handshake') return { kind: 'handshake', message: decodeHandshakeBody(body) };
      return { kind: 'operation', message: decodeOperationBody(body) };
    } catch (e) {
      const error = e instanceof BrokerError ? e : new BrokerError('invalid_message', `cannot decode frame: ${String(e)}`, {}, { cause: e });
      if (this.mode === 'handshake') return this.fail(error);
      return { kind: 'invalid', error, fatal: false };
    }
  }

  private fail(error: BrokerError): NativeDecodeResult {
    const failure: NativeDecodeResult = { kind: 'invalid', error, fatal: true };
    this.failure = failure;
    this.failureReported = true;
    this.buf = Buffer.alloc(0);
    this.offset = 0;
    return failure;
  }

  private reportFailure(): NativeDecodeResult | undefined {
    if (this.failureReported) return undefined;
    this.failureReported = true;
    return this.failure;
  }
}
