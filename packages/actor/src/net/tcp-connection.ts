import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from './frame-decoder';
import { FrameEncoder } from './frame-encoder';
import { Handshake, type HandshakeRole, type HandshakeStep } from './handshake';
import { Liveness, type LivenessOptions } from './liveness';
import { NetError } from './net-error';
import { decodeMessage, encodeMessage, encodePreamble, HANDSHAKE_MAX_FRAME_SIZE, Kind, MAGIC, PREAMBLE_SIZE, type VersionRange } from './protocol';

const EMPTY = Buffer.alloc(0);

/**
 * The time source a connection needs; structurally the actor system's `Clock`, so the
 * system's clock (real or virtual) drives handshake timeouts and heartbeats.
 */
export interface NetClock {
  /** Current time in milliseconds. */
  now(): number;
  /** Runs `callback` once after `delayMs`; the handle cancels it. */
  setTimer(delayMs: number, callback: () => void): { cancel(): void };
}

/** Limits and identity of one connection. */
export interface TcpConnectionOptions {
  /** Which end this side is. */
  role: HandshakeRole;
  /** This node's id. */
  localNode: string;
  /** Protocol versions this node speaks. */
  versions: VersionRange;
  /** Largest frame payload, in bytes, once connected (both directions). */
  maxFrameSize: number;
  /**
   * Bound of the outbound queue in bytes (frames not yet handed to the socket). A peer
   * that reads so slowly that this fills is disconnected with `outbound_overflow`.
   */
  maxOutboundBytes: number;
  /** Handshake timeout and heartbeat timing. */
  liveness: LivenessOptions;
  /** The shared secret both ends must prove (see `TcpTransportLimits.secret`). */
  secret?: Uint8Array;
  /** Time source for timeouts and heartbeats. */
  clock: NetClock;
  /** Logger of the `network` component. */
  logger: Logger;
}

/** What a connection tells its owner. Called synchronously, outside any actor turn. */
export interface TcpConnectionHandler {
  /** Admission during the handshake (duplicate resolution); see `PeerTable`. */
  admit(conn: TcpConnection, node: string): NetError | undefined;
  /** The handshake completed. */
  established(conn: TcpConnection): void;
  /**
   * One DELIVER body arrived (a view valid during the call only when copied; it is not reused).
   * @throws NetError `malformed_message` to disconnect a peer that sent garbage
   */
  deliver(conn: TcpConnection, body: Buffer): void;
  /** The connection is gone (called exactly once). */
  closed(conn: TcpConnection, error: NetError): void;
  /**
   * The bytes this connection holds in a partial (incomplete) frame changed by `delta`;
   * the owner bounds their sum over every connection.
   */
  pinned?(conn: TcpConnection, delta: number): void;
}

/**
 * One TCP connection to another node: handshake, framing, liveness and batched writes
 * over a `net.Socket`. The protocol logic lives in the I/O-free pieces it wires together
 * (`FrameDecoder`, `Handshake`, `Liveness`, `FrameEncoder`).
 *
 * Writes are batched: {@link send} appends a frame to the pending batch and the batch is
 * written once per event-loop turn (`setImmediate`), in one `socket.write`. While the
 * socket reports backpressure (`write()` returned false) nothing is written until
 * `drain`; frames keep accumulating up to `maxOutboundBytes`, then the connection is
 * closed with `outbound_overflow` (the documented policy: a peer too slow to read is
 * disconnected, memory never grows without bound).
 */
export class TcpConnection {
  /** Peer's node id, once the handshake told it. */
  get remoteNode(): string | undefined {
    return this.handshake.remoteNode;
  }
  /** Negotiated protocol version (0 until established). */
  version = 0;
  /** `host:port` of the peer, for logs. */
  readonly remoteAddress: string;

  private readonly handshake: Handshake;
  private readonly decoder: FrameDecoder;
  private readonly encoder: FrameEncoder;
  private readonly liveness: Liveness;
  private readonly log: Logger;
  /** Pending flush (one per turn at most). */
  private flushHandle: NodeJS.Immediate | undefined;
  /** True between a `write()` that returned false and the `drain` event. */
  private waitingDrain = false;
  /** Liveness timer. */
  private timer: { cancel(): void } | undefined;
  /** Set once closing started; the reason reported to the handler. */
  private closeError: NetError | undefined;
  /** Whether `handler.closed` was called. */
  private reported = false;
  /** Set while {@link close} runs, so that a nested close (overflow while flushing) is ignored. */
  private closing = false;
  /** True while a flush runs: sends made by the source need no new flush. */
  private flushing = false;
  /** Moves queued work (envelopes) into frames at each flush; see {@link setSource}. */
  private source: (() => void) | undefined;
  /** Bytes of partial frames last reported to `handler.pinned`. */
  private pinnedBytes = 0;
  /** Callbacks of {@link onceClosed}; emptied when the connection is reported closed. */
  private closeWaiters: Array<() => void> = [];

  /**
   * @param socket - a connected socket (dialled or accepted)
   * @param options - identity, limits, timing
   * @param handler - receives the connection's events
   */
  constructor(
    private readonly socket: Socket,
    private readonly options: TcpConnectionOptions,
    private readonly handler: TcpConnectionHandler,
  ) {
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log = options.logger;
    this.handshake = new Handshake({
      role: options.role,
      localNode: options.localNode,
      versions: options.versions,
      maxFrameSize: options.maxFrameSize,
      secret: options.secret,
      admit: (node) => handler.admit(this, node),
    });
    this.decoder = new FrameDecoder(
      { onPreamble: (p) => this.apply(this.handshake.onPreamble(p)), onFrame: (f) => this.onFrame(f) },
      { maxFrameSize: HANDSHAKE_MAX_FRAME_SIZE, preamble: { magic: MAGIC, size: PREAMBLE_SIZE } },
    );
    this.encoder = new FrameEncoder({ maxFrameSize: options.maxFrameSize });
    this.liveness = new Liveness(options.liveness, options.clock.now());
  }

  /** Whether the handshake completed and the connection is not closing. */
  get isEstablished(): boolean {
    return this.handshake.isEstablished && this.closeError === undefined;
  }

  /** Which end of the connection this side is. */
  get role(): HandshakeRole {
    return this.options.role;
  }

  /** Whether the handshake completed at some point (stays true after the close). */
  get wasEstablished(): boolean {
    return this.handshake.isEstablished;
  }

  /**
   * Runs `callback` once the connection is closed and reported (at once if it already is).
   * @param callback - called with no argument
   */
  onceClosed(callback: () => void): void {
    if (this.reported) callback();
    else this.closeWaiters.push(callback);
  }

  /** Largest frame payload that may be sent: the smaller of both nodes' limits once established. */
  get sendLimit(): number {
    return this.encoder.frameLimit;
  }

  /** Bytes queued but not yet handed to the socket. */
  get outboundBytes(): number {
    return this.encoder.pendingBytes;
  }

  /** Starts reading, the handshake and the liveness timer. */
  start(): void {
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (e) => this.close(new NetError('socket_error', e.message, { cause: e }), false));
    socket.on('close', () => this.finish());
    this.armTimer();
    this.apply(this.handshake.start());
  }

  /**
   * Installs the producer of this connection's DELIVER frames: called at every flush
   * (once per event-loop turn while there is work, also while the socket is applying
   * backpressure, so that queued work turns into bounded bytes) and once more before a
   * graceful close. It calls {@link send} for each frame.
   * @param source - the producer
   */
  setSource(source: () => void): void {
    this.source = source;
  }

  /** Asks for a flush in this event-loop turn (the source will be called). */
  requestFlush(): void {
    this.scheduleFlush();
  }

  /**
   * Queues one DELIVER frame; it leaves with the next batch.
   * @param body - an encoded envelope
   * @returns false when the connection is not established (nothing queued)
   */
  send(body: Uint8Array): boolean {
    if (!this.isEstablished) return false;
    if (this.encoder.pendingBytes + body.length + 5 > this.options.maxOutboundBytes) {
      this.close(new NetError('outbound_overflow', `outbound queue over ${this.options.maxOutboundBytes} bytes: peer reads too slowly`));
      return false;
    }
    try {
      this.encoder.writeKindFrame(Kind.Deliver, body);
    } catch (e) {
      // An oversized message is the sender's problem, not the connection's.
      this.log.warn({ event: 'message-dropped', peer: this.remoteNode, reason: (e as NetError).reason, detail: (e as Error).message }, 'message too large for a frame, dropped');
      return false;
    }
    this.scheduleFlush();
    return true;
  }

  /**
   * Closes the connection: tells the peer why (REJECT during the handshake, GOODBYE after),
   * flushes what is queued, then ends the socket.
   * @param error - why
   * @param tellPeer - false when the peer already knows (it said GOODBYE or the socket died)
   */
  close(error: NetError, tellPeer = true): void {
    if (this.closeError || this.closing) return;
    this.closing = true;
    if (tellPeer && this.isEstablished && error.reason !== 'outbound_overflow' && !this.socket.destroyed) {
      // Last envelopes first (e.g. EXIT/DOWN of actors stopped by a shutdown), then GOODBYE.
      this.source?.();
    }
    this.closeError = error;
    this.decoder.stop();
    this.reportPinned(0);
    this.timer?.cancel();
    if (tellPeer && !this.socket.destroyed) {
      if (!this.handshake.isDone) this.writeStep(this.handshake.abort(error));
      else if (this.handshake.isEstablished) this.encoder.writeKindFrame(...encodeMessage({ kind: 'goodbye', error }));
    } else {
      this.handshake.abort(error);
    }
    const level = error.reason === 'shutdown' || error.reason === 'connection_closed' ? 'info' : 'warn';
    this.log[level]({ event: 'connection-closed', peer: this.remoteNode, address: this.remoteAddress, reason: error.reason, detail: error.message }, 'connection closed');
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    const rest = this.encoder.take();
    if (this.socket.destroyed) return this.finish();
    if (rest.length > 0 || this.waitingDrain) {
      // Destroy once the last bytes, and those the socket still holds (a TLS socket often
      // does), are handed over: a hostile peer that never closes its side must not keep
      // the socket half-open, nor one that never reads keep it for longer than the
      // silence that declares a peer dead.
      const socket = this.socket;
      const liveness = this.options.liveness;
      const linger = this.options.clock.setTimer(liveness.heartbeatInterval * liveness.missedHeartbeats, () => socket.destroy());
      socket.end(rest, () => {
        linger.cancel();
        socket.destroy();
      });
    } else {
      this.socket.destroy();
    }
  }

  private onData(chunk: Buffer): void {
    this.liveness.received(this.options.clock.now());
    try {
      this.decoder.push(chunk);
    } catch (e) {
      this.close(e instanceof NetError ? e : new NetError('malformed_message', String(e), { cause: e }));
    }
    this.reportPinned(this.decoder.bufferedBytes);
  }

  /** Partial-frame bytes held now (0 once closing). */
  private reportPinned(bytes: number): void {
    if (this.closeError !== undefined) bytes = 0;
    const delta = bytes - this.pinnedBytes;
    if (delta === 0) return;
    this.pinnedBytes = bytes;
    this.handler.pinned?.(this, delta);
  }

  private onEnd(): void {
    try {
      this.decoder.end();
      this.close(this.closeError ?? new NetError('connection_closed', 'peer closed the connection'), false);
    } catch (e) {
      this.close(e as NetError, false);
    }
  }

  private onFrame(payload: Buffer): void {
    if (this.handshake.isEstablished) {
      // The hot path: no message object for a DELIVER.
      if (payload[0] === Kind.Deliver) {
        this.handler.deliver(this, payload.subarray(1));
        return;
      }
      const message = decodeMessage(payload);
      if (message.kind === 'heartbeat') return;
      // A REJECT can still come once we count as established: the acceptor may abort
      // (timeout, shutdown, lost race) before our READY reaches it.
      if (message.kind === 'goodbye' || message.kind === 'reject') return this.close(message.error, false);
      throw new NetError('malformed_message', `unexpected ${message.kind} after the handshake`);
    }
    this.apply(this.handshake.onMessage(decodeMessage(payload)));
  }

  private apply(step: HandshakeStep): void {
    this.writeStep(step);
    if (step.failed) {
      // Our own refusal (if any) is already queued; a REJECT from the peer needs no answer.
      this.close(step.failed, false);
      return;
    }
    if (step.established) {
      this.version = step.established.version;
      this.decoder.setMaxFrameSize(this.options.maxFrameSize);
      this.encoder.setMaxFrameSize(Math.min(this.options.maxFrameSize, step.established.peerMaxFrameSize));
      this.liveness.established(this.options.clock.now());
      this.log.info({ event: 'connection-established', peer: step.established.node, address: this.remoteAddress, role: this.options.role, version: this.version }, 'connection established');
      this.handler.established(this);
    }
    this.scheduleFlush();
  }

  private writeStep(step: HandshakeStep): void {
    for (const out of step.send) {
      if ('preamble' in out) this.encoder.writeRaw(encodePreamble(out.preamble));
      else this.encoder.writeKindFrame(...encodeMessage(out));
    }
  }

  private scheduleFlush(): void {
    if (this.flushHandle || this.flushing || this.closeError) return;
    this.flushHandle = setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushHandle = undefined;
    if (this.socket.destroyed || this.closeError) return;
    if (this.source && this.handshake.isEstablished) {
      this.flushing = true;
      try {
        this.source();
      } finally {
        this.flushing = false;
      }
      if (this.closeError) return;
    }
    if (this.waitingDrain || this.encoder.pendingBytes === 0) return;
    this.liveness.sent(this.options.clock.now());
    if (!this.socket.write(this.encoder.take())) {
      this.waitingDrain = true;
      this.socket.once('drain', () => {
        this.waitingDrain = false;
        this.scheduleFlush();
      });
    }
  };

  private armTimer(): void {
    const due = this.options.clock.now() + this.liveness.checkInterval;
    this.timer = this.options.clock.setTimer(this.liveness.checkInterval, () => {
      if (this.closeError) return;
      const now = this.options.clock.now();
      this.liveness.checkRan(now, due);
      const verdict = this.liveness.check(now);
      if (verdict instanceof NetError) return this.close(verdict);
      if (verdict === 'send_heartbeat') {
        this.encoder.writeKindFrame(Kind.Heartbeat, EMPTY);
        this.log.debug({ event: 'heartbeat-sent', peer: this.remoteNode }, 'heartbeat sent');
        this.liveness.sent(this.options.clock.now());
        this.scheduleFlush();
      }
      this.armTimer();
    });
  }

  private finish(): void {
    this.timer?.cancel();
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    if (!this.closeError) {
      this.close(new NetError('connection_closed', 'socket closed'), false);
      return;
    }
    if (this.reported) return;
    this.reported = true;
    this.handler.closed(this, this.closeError);
    for (const callback of this.closeWaiters.splice(0)) callback();
  }
}
