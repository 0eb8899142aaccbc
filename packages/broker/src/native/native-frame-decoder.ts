/**
 * A byte-fed decoder of Broker's native protocol stream: it splits 4-byte-length frames
 * and decodes each body as a handshake or an operation message, depending on the mode
 * its owner sets between frames. No I/O, no timers, and no throws out of `push`/`next`:
 * garbage becomes a typed result.
 */
import { ChunkQueue } from '@broker-ts/actor/internal';
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
  /** Unread input. */
  private readonly input = new ChunkQueue();
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
    return this.input.length;
  }

  /**
   * Appends input (kept by reference, not copied). Never throws; ignored after a fatal
   * error.
   * @param chunk - the next bytes of the stream
   */
  push(chunk: Uint8Array): void {
    if (this.failure) return;
    this.input.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /**
   * Decodes the next complete frame.
   * @returns a message, an invalid frame, or `undefined` when more bytes are needed
   *   (or after a fatal error has been returned once)
   */
  next(): NativeDecodeResult | undefined {
    if (this.failure) return undefined;
    const input = this.input;
    for (;;) {
      if (input.length < NATIVE_FRAME_HEADER_SIZE) return undefined;
      const length = input.peekUInt32BE();
      const limit = this.mode === 'handshake' ? this.maxHandshakeFrameSize : this.maxFrameSize;
      if (length > limit) return this.fail(new BrokerError('invalid_message', `frame of ${length} bytes exceeds the limit of ${limit}${this.mode === 'handshake' ? notAPeer(length) : ''}`));
      if (length === 0) {
        // CAF's framing skips empty frames after the handshake; Broker's handshake
        // reader drops the connection.
        if (this.mode === 'handshake') return this.fail(new BrokerError('invalid_message', 'empty frame during the handshake'));
        input.skip(NATIVE_FRAME_HEADER_SIZE);
        continue;
      }
      if (input.length < NATIVE_FRAME_HEADER_SIZE + length) return undefined;
      input.skip(NATIVE_FRAME_HEADER_SIZE);
      return this.decode(input.take(length));
    }
  }

  /**
   * Takes the bytes received but not decoded, for another protocol that continues on the
   * same stream (see `NativeConnection.takeSocket`). The decoder holds nothing after it.
   * @returns the unread bytes, in order (empty when there are none)
   */
  takeRest(): Buffer {
    return this.input.takeAll();
  }

  /**
   * Signals the end of the stream.
   * @returns a fatal `invalid` result when the stream stopped inside a frame, else `undefined`
   */
  end(): NativeDecodeResult | undefined {
    if (this.failure || this.input.length === 0) return undefined;
    return this.fail(new BrokerError('end_of_file', `stream ended inside a frame (${this.input.length} bytes buffered)`));
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
    this.input.clear();
    return failure;
  }
}

/**
 * The hint of a handshake frame too large to be one: another protocol's bytes read as a
 * length (an HTTP request or an SSH banner), named when they are printable text.
 */
function notAPeer(header: number): string {
  const bytes = [header >>> 24, (header >>> 16) & 0xff, (header >>> 8) & 0xff, header & 0xff];
  const text = bytes.every((b) => b >= 0x20 && b < 0x7f) ? ` (its first bytes read ${JSON.stringify(String.fromCharCode(...bytes))})` : '';
  return `: not a Broker peer${text}`;
}
