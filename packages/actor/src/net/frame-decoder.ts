import { ChunkQueue } from './chunk-queue';
import { NetError } from './net-error';

/** Receives what a {@link FrameDecoder} parses, synchronously, in stream order. */
export interface FrameSink {
  /** Called once with the complete preamble (magic included) when one is configured. */
  onPreamble?(preamble: Buffer): void;
  /** Called with each complete frame payload. The buffer may share memory with the input chunk. */
  onFrame(payload: Buffer): void;
}

/** Options of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes; a larger announced length fails before any allocation. */
  maxFrameSize: number;
  /**
   * A fixed-size preamble expected before the first frame. `magic` is checked byte by byte
   * as bytes arrive, so a stranger (an HTTP client, random bytes) is refused at its first
   * wrong byte.
   */
  preamble?: { magic: Uint8Array; size: number };
}

const enum State {
  Preamble,
  Length,
  Payload,
  Stopped,
}

/** Size of the big-endian length prefix of every frame. */
export const FRAME_HEADER_SIZE = 4;

/**
 * A byte-fed state machine that splits a stream into length-prefixed frames.
 *
 * Wire shape: optional preamble, then frames of `uint32 big-endian length` + `length`
 * payload bytes. Input may be cut anywhere: one byte per {@link push}, many frames per
 * push, or a frame spread over many pushes. No I/O, no timers.
 *
 * Errors are thrown as {@link NetError} (`bad_magic`, `oversized_frame`,
 * `truncated_frame`); after an error the decoder stays failed and rethrows it.
 *
 * Memory: it buffers at most one incomplete frame (bounded by `maxFrameSize` plus one
 * input chunk), and only the bytes actually received.
 */
export class FrameDecoder {
  /** Incomplete input. */
  private readonly input = new ChunkQueue();
  /** Current parse state. */
  private state: State;
  /** Bytes the current state needs before it can make progress. */
  private need: number;
  /** Preamble bytes already checked against the magic. */
  private magicChecked = 0;
  /** The error that failed the decoder, rethrown on later calls. */
  private failure: NetError | undefined;
  /** Current frame size limit. */
  private maxFrameSize: number;
  /** Total frames delivered. */
  private framesDecoded = 0;

  /**
   * @param sink - receives preamble and frames
   * @param options - limits and preamble
   */
  constructor(
    private readonly sink: FrameSink,
    private readonly options: FrameDecoderOptions,
  ) {
    this.maxFrameSize = options.maxFrameSize;
    if (options.preamble) {
      this.state = State.Preamble;
      this.need = options.preamble.size;
    } else {
      this.state = State.Length;
      this.need = FRAME_HEADER_SIZE;
    }
  }

  /** Number of frames delivered so far. */
  get frames(): number {
    return this.framesDecoded;
  }

  /** Bytes received but not yet delivered. */
  get bufferedBytes(): number {
    return this.input.length;
  }

  /**
   * Changes the frame size limit, e.g. from the small handshake limit to the session one.
   * @param bytes - the new limit
   */
  setMaxFrameSize(bytes: number): void {
    this.maxFrameSize = bytes;
  }

  /**
   * Stops delivering: frames still buffered, or in later chunks, are dropped silently.
   * Called by a sink that closes the connection in the middle of a chunk.
   */
  stop(): void {
    this.state = State.Stopped;
    this.input.clear();
  }

  /**
   * Feeds bytes.
   * @param chunk - the next bytes of the stream
   * @throws NetError `bad_magic` or `oversized_frame`; errors thrown by the sink propagate
   */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.state === State.Stopped || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.state === State.Preamble) this.checkMagic(buf);
    const input = this.input;
    input.push(buf);
    while (input.length >= this.need) {
      switch (this.state) {
        case State.Preamble: {
          const preamble = input.take(this.need);
          this.state = State.Length;
          this.need = FRAME_HEADER_SIZE;
          this.sink.onPreamble?.(preamble);
          break;
        }
        case State.Length: {
          const length = input.peekUInt32BE();
          input.skip(FRAME_HEADER_SIZE);
          if (length > this.maxFrameSize) {
            this.fail(new NetError('oversized_frame', `frame of ${length} bytes exceeds the limit of ${this.maxFrameSize}`));
          }
          this.state = State.Payload;
          this.need = length;
          break;
        }
        case State.Payload: {
          const payload = input.take(this.need);
          this.state = State.Length;
          this.need = FRAME_HEADER_SIZE;
          this.framesDecoded++;
          this.sink.onFrame(payload);
          break;
        }
        default:
          return; // stopped by the sink
      }
    }
  }

  /**
   * Signals the end of the stream.
   * @throws NetError `truncated_frame` if the stream stopped inside the preamble or a frame
   */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.state === State.Stopped) return;
    const buffered = this.input.length;
    const inPreamble = this.state === State.Preamble && buffered > 0;
    const inFrame = (this.state === State.Length && buffered > 0) || this.state === State.Payload;
    if (inPreamble || inFrame) {
      const where = inPreamble ? 'the preamble' : this.state === State.Payload ? `a frame of ${this.need} bytes` : 'a frame header';
      this.fail(new NetError('truncated_frame', `stream ended inside ${where} (${buffered} bytes received)`));
    }
    this.stop();
  }

  private checkMagic(buf: Buffer): void {
    const magic = this.options.preamble!.magic;
    for (let i = 0; i < buf.length && this.magicChecked < magic.length; i++, this.magicChecked++) {
      if (buf[i] !== magic[this.magicChecked]) {
        this.fail(new NetError('bad_magic', `byte ${this.magicChecked} is 0x${buf[i].toString(16).padStart(2, '0')}, expected 0x${magic[this.magicChecked].toString(16).padStart(2, '0')}`));
      }
    }
  }

  private fail(error: NetError): never {
    this.failure = error;
    this.input.clear();
    throw error;
  }
}
