/**
 * The I/O shell of one native peering connection: a socket (plain TCP or TLS) whose
 * bytes feed a {@link NativeFrameDecoder} and a {@link NativeHandshake}, and whose
 * decisions it carries out. After the handshake it emits operation messages, answers
 * PING with PONG, and sends messages with the socket's back-pressure.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { BrokerError } from '@broker-ts/data';
import { encodeHandshakeFrame, encodeOperationFrame } from './native-codec';
import { type NativeDecodeResult, NativeFrameDecoder } from './native-frame-decoder';
import { startsLikeTls } from './tls-record';
import { type HandshakeAction, NativeHandshake } from './native-handshake';
import { BROKER_TS_EXTENSIONS_TOPIC, NATIVE_DEFAULT_TTL, NATIVE_RESERVED_TOPIC, type OperationMessage } from './native-message';
import type { NativeTransport } from './tls-options';

/**
 * Largest handshake frame accepted: 16 MiB, room for a filter of 262,144 topics of 60
 * bytes as broker-ts's own peering allows (Broker reads a handshake frame of any size).
 */
export const MAX_HANDSHAKE_FRAME_SIZE = 16 << 20;

/**
 * Default of {@link NativeConnectionOptions.maxInputBytes}: 16 MiB of received, not yet
 * decoded bytes, about 60,000 of Zeek's conn-log events.
 */
export const NATIVE_MAX_INPUT_BYTES = 16 << 20;

/**
 * Input up to this size is decoded as it arrives (a few frames: no delay added); more
 * waits for the next turn of the event loop, so that everything the socket holds is read
 * first.
 */
const DECODE_AT_ONCE_BYTES = 16 * 1024;

/**
 * How long one slice of decoding runs before the rest waits for the next turn of the
 * event loop, so that the socket is read between slices while the input is large.
 */
const SLICE_MS = 4;

/** Frames decoded between two looks at the clock. */
const FRAMES_PER_CLOCK_CHECK = 32;

/** Options of a {@link NativeConnection}. */
export interface NativeConnectionOptions {
  /** This endpoint's id (UUID text). */
  localId: string;
  /** This endpoint's subscriptions, sent in the handshake. */
  filter: () => readonly string[];
  /** Plain TCP or TLS (see `nativeTransport`). */
  transport: NativeTransport;
  /** Refuses a peer once its id is known (see {@link NativeHandshake}). */
  admit?: (remoteId: string, originator: boolean) => BrokerError | undefined;
  /** Time allowed for the TLS and Broker handshakes, in ms (default 10000). */
  handshakeTimeoutMs?: number;
  /** Largest frame accepted after the handshake (default 64 MiB). */
  maxFrameSize?: number;
  /**
   * Received bytes held undecoded before reading from the socket pauses (default
   * {@link NATIVE_MAX_INPUT_BYTES}). Frames are decoded in slices between reads, and not
   * at all while the owner paused the connection, so that the socket is emptied as
   * fast as the peer fills it while decoding lags (a process that is just starting, a
   * moment of garbage collection): a Broker that sends faster than that for a moment
   * does not overflow its own buffer for this peer (2,048 messages by default, after
   * which it drops the peering). Beyond this limit TCP back-pressure reaches the peer.
   */
  maxInputBytes?: number;
  /**
   * Offer broker-ts's own peering after the handshake (default false): adds
   * {@link BROKER_TS_EXTENSIONS_TOPIC} to the filter sent. When the peer's filter carries
   * it too, the connection stops after the handshake (see {@link NativeConnection.takeSocket}).
   */
  extensions?: boolean;
  /**
   * Called after bytes arrive while the handshake runs (with the connection: its
   * {@link NativeConnection.bufferedInput} are the partial frame held): how a listener
   * keeps the handshakes of all its incoming connections within one budget.
   */
  onHandshakeInput?: (conn: NativeConnection) => void;
}

/** What the peer told about itself in the handshake. */
export interface NativePeerInfo {
  /** The peer's endpoint id. */
  remoteId: string;
  /** The peer's subscriptions at the time of the handshake. */
  remoteFilter: string[];
  /** Whether this side was the originator (the smaller id). */
  originator: boolean;
  /**
   * Whether both sides offered broker-ts's own peering: the native protocol ends with the
   * handshake, the connection reads nothing more, and its owner takes the socket with
   * {@link NativeConnection.takeSocket} to continue with that protocol.
   */
  extensions: boolean;
}

/** Events of a {@link NativeConnection}. */
export interface NativeConnectionEvents {
  /** The handshake completed. */
  established: [info: NativePeerInfo];
  /** An operation message from the peer (PING is answered, not emitted). */
  message: [message: OperationMessage];
  /** A malformed operation message was dropped (the connection stays up, as in Broker). */
  dropped: [error: BrokerError];
  /** The socket can take more after {@link NativeConnection.send} returned false. */
  drain: [];
  /**
   * The connection is gone. `error` says why it failed (handshake refused or broken,
   * TLS failure, garbage, socket error); it is undefined for an orderly close.
   * `remote` is true when the peer closed or failed it.
   */
  close: [error: BrokerError | undefined, remote: boolean];
}

/** Where a {@link NativeConnection} stands. */
export type NativeConnectionState = 'connecting' | 'handshake' | 'established' | 'handed-over' | 'closed';

/** One peering connection speaking Broker's native protocol. */
export class NativeConnection extends EventEmitter<NativeConnectionEvents> {
  /** Current state. */
  private current: NativeConnectionState = 'connecting';
  /** Frames in, messages out. */
  private readonly decoder: NativeFrameDecoder;
  /** The handshake decisions. */
  private readonly handshake: NativeHandshake;
  /** The peer's identity once established. */
  private info: NativePeerInfo | undefined;
  /** The handshake deadline (TLS and Broker handshakes). */
  private timer: NodeJS.Timeout | undefined;
  /** Why the connection closed, once known. */
  private closeError: BrokerError | undefined;
  /** Whether this side decided to close. */
  private closedLocally = false;
  /** Whether the peer ended the stream or the socket failed. */
  private peerClosed = false;
  /** The socket carrying the Broker protocol (the TLS socket once TLS is up). */
  private socket: net.Socket;
  /** Set when both sides offered broker-ts's peering: nothing more is read or written. */
  private stopped = false;
  /** Whether the first bytes received were looked at (a plain connection refuses a TLS client). */
  private sniffed = false;
  /** Set while the owner does not take messages ({@link NativeConnection.pause}). */
  private held = false;
  /** Set while the socket is paused because the undecoded input reached its limit. */
  private inputAtLimit = false;
  /** The next slice of decoding, when one is scheduled. */
  private slice: NodeJS.Immediate | undefined;
  /** Set once the peer ended the stream; handled after the frames before the end. */
  private endSeen = false;
  /** Set when the socket closed while received frames waited to be decoded. */
  private closeSeen = false;
  private readonly maxInputBytes: number;
  /** This connection's socket listeners (removed one by one on hand-over: the socket's own stay). */
  private readonly socketListeners: ReadonlyArray<[string, (...args: any[]) => void]> = [
    ['data', (chunk: Buffer) => this.onData(chunk)],
    ['drain', () => this.emit('drain')],
    ['error', (e: Error) => this.onSocketError(e)],
    ['end', () => this.onEnd()],
    ['close', () => this.finish()],
  ];

  private constructor(
    socket: net.Socket,
    role: 'connector' | 'acceptor',
    private readonly options: NativeConnectionOptions,
  ) {
    super();
    this.socket = socket;
    this.decoder = new NativeFrameDecoder({ maxFrameSize: options.maxFrameSize, maxHandshakeFrameSize: MAX_HANDSHAKE_FRAME_SIZE });
    this.maxInputBytes = options.maxInputBytes ?? NATIVE_MAX_INPUT_BYTES;
    const filter = options.extensions === true ? () => [...options.filter(), BROKER_TS_EXTENSIONS_TOPIC] : options.filter;
    this.handshake = new NativeHandshake({ localId: options.localId, role, filter, admit: options.admit });
    this.timer = setTimeout(() => this.onTimeout(), options.handshakeTimeoutMs ?? 10_000);
    socket.setNoDelay(true);
  }

  /**
   * Connects to a Broker (or broker-ts) endpoint and starts the handshake with HELLO.
   * @param host - host name or address
   * @param port - TCP port
   * @param options - identity, filter, transport
   * @returns the connection; wait for `established` or `close`
   */
  static connect(host: string, port: number, options: NativeConnectionOptions): NativeConnection {
    const t = options.transport;
    const socket = t.mode === 'plain' ? net.connect({ host, port }) : tls.connect({ ...t.client, host, port });
    const conn = new NativeConnection(socket, 'connector', options);
    conn.attach(socket);
    socket.once(t.mode === 'plain' ? 'connect' : 'secureConnect', () => conn.start());
    return conn;
  }

  /**
   * Takes an accepted TCP socket, performs the TLS server handshake when TLS is on, and
   * starts the Broker handshake with PROBE.
   * @param socket - a socket from a `net.Server`
   * @param options - identity, filter, transport
   * @returns the connection; wait for `established` or `close`
   */
  static accept(socket: net.Socket, options: NativeConnectionOptions): NativeConnection {
    const t = options.transport;
    const conn = new NativeConnection(socket, 'acceptor', options);
    if (t.mode === 'plain') {
      conn.attach(socket);
      conn.start();
      return conn;
    }
    // A tls.Server that never listens runs the server side of the TLS handshake for
    // this one socket, including the check of the client's certificate (it destroys
    // a socket whose certificate it refuses).
    const engine = tls.createServer(t.server, (secure) => {
      conn.attach(secure);
      conn.start();
    });
    engine.on('tlsClientError', (e: Error) => {
      conn.closeError ??= new BrokerError('peer_unavailable', `TLS handshake failed: ${e.message}`, {}, { cause: e });
    });
    socket.on('error', () => {}); // reported through 'close' below
    socket.on('close', () => {
      if (conn.socket !== socket) return;
      conn.peerClosed = true;
      conn.closeError ??= new BrokerError('peer_unavailable', 'TLS handshake failed or the peer certificate was refused');
      conn.finish();
    });
    engine.emit('connection', socket);
    return conn;
  }

  /** Current state. */
  get state(): NativeConnectionState {
    return this.current;
  }

  /** The peer, once established. */
  get peer(): NativePeerInfo | undefined {
    return this.info;
  }

  /** Bytes queued in the socket, not yet written. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Bytes received and not decoded yet (see {@link NativeConnectionOptions.maxInputBytes}). */
  get bufferedInput(): number {
    return this.decoder.bufferedBytes;
  }

  /** Whether reading from the socket is paused because the undecoded input reached its limit. */
  get inputFull(): boolean {
    return this.inputAtLimit;
  }

  /** The negotiated TLS cipher (standard name), or undefined on plain TCP. */
  get cipher(): string | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket.getCipher()?.standardName : undefined;
  }

  /**
   * Sends an operation message.
   * @param message - the message (its sender is normally this endpoint's id)
   * @returns false when the socket's buffer is above its high-water mark: wait for `drain`
   * @throws BrokerError `invalid_handshake_state` before the handshake completed or after
   *   close; `invalid_data` for a message that cannot be encoded
   */
  send(message: OperationMessage): boolean {
    if (this.current !== 'established' || this.closedLocally || this.stopped) throw new BrokerError('invalid_handshake_state', `cannot send in state ${this.current}`);
    return this.socket.write(encodeOperationFrame(message));
  }

  /**
   * Sends operation messages in one write: their frames leave together, as one system
   * call on plain TCP and in as few TLS records as they fill, instead of one each.
   * @param messages - the messages, in order
   * @returns false when the socket's buffer is above its high-water mark: wait for `drain`
   * @throws BrokerError as {@link NativeConnection.send}; nothing is written then
   */
  sendAll(messages: readonly OperationMessage[]): boolean {
    if (this.current !== 'established' || this.closedLocally || this.stopped) throw new BrokerError('invalid_handshake_state', `cannot send in state ${this.current}`);
    if (messages.length === 1) return this.socket.write(encodeOperationFrame(messages[0]));
    return this.socket.write(Buffer.concat(messages.map(encodeOperationFrame)));
  }

  /**
   * Stops emitting messages (inbound back-pressure). Received bytes wait undecoded, up to
   * {@link NativeConnectionOptions.maxInputBytes}; then reading from the socket pauses
   * and the peer's writes wait in TCP.
   */
  pause(): void {
    this.held = true;
  }

  /** Emits messages again after {@link NativeConnection.pause}, starting with those that waited. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.scheduleSlice();
  }

  /**
   * Closes the connection after flushing what was written.
   * @param error - the reason reported by `close` (none for a plain local close)
   */
  close(error?: BrokerError): void {
    if (this.current === 'closed' || this.current === 'handed-over' || this.closedLocally) return;
    this.closedLocally = true;
    this.closeError ??= error;
    this.clearTimer();
    const socket = this.socket;
    if (socket.connecting || this.current === 'connecting') {
      socket.destroy();
      return;
    }
    socket.end();
    socket.once('finish', () => socket.destroy());
  }

  /**
   * Hands the socket over after a handshake in which both sides offered broker-ts's own
   * peering ({@link NativePeerInfo.extensions}): the connection's listeners are removed,
   * the bytes it received but did not read are put back into the socket, and the socket
   * is left paused. The new owner attaches its listeners and resumes it. The connection
   * emits nothing afterwards.
   * @returns the socket (the TLS socket when TLS is on)
   * @throws BrokerError `invalid_handshake_state` unless the handshake ended with
   *   extensions on both sides and the socket was not taken yet
   */
  takeSocket(): net.Socket {
    if (!this.stopped || this.current !== 'established') throw new BrokerError('invalid_handshake_state', `cannot hand over the socket in state ${this.current}`);
    const socket = this.socket;
    socket.pause();
    for (const [event, listener] of this.socketListeners) socket.off(event, listener);
    const rest = this.decoder.takeRest();
    if (rest.length > 0) socket.unshift(rest);
    this.current = 'handed-over';
    this.clearTimer();
    if (this.slice !== undefined) clearImmediate(this.slice);
    this.slice = undefined;
    return socket;
  }

  /** Wires the events of the socket that carries the Broker protocol. */
  private attach(socket: net.Socket): void {
    this.socket = socket;
    for (const [event, listener] of this.socketListeners) socket.on(event, listener);
  }

  private start(): void {
    if (this.closedLocally) return;
    this.current = 'handshake';
    this.apply(this.handshake.start());
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.current === 'connecting') {
      this.closeError ??= new BrokerError('peer_timeout', 'connection or TLS handshake timed out');
      this.close();
      return;
    }
    this.apply(this.handshake.timeout());
  }

  private onData(chunk: Buffer): void {
    if (this.current === 'closed' || this.current === 'handed-over' || this.closedLocally) return;
    if (!this.sniffed && this.options.transport.mode === 'plain') {
      this.sniffed = true;
      // A TLS peer at a plain endpoint: what a TLS endpoint reports for a plain peer
      // (its TLS handshake fails), not a garbled frame. Nothing is sent: it could not read it.
      if (this.handshake.pending && startsLikeTls(chunk)) {
        this.close(new BrokerError('peer_unavailable', 'the peer opened a TLS handshake, but this endpoint peers over plain TCP (disableSsl)'));
        return;
      }
    }
    this.decoder.push(chunk);
    if (this.current === 'handshake' && this.options.onHandshakeInput !== undefined) {
      this.options.onHandshakeInput(this);
      if (this.closedLocally) return;
    }
    if (this.stopped) return;
    // A slice already waits for its turn, or much is coming: the socket is read until then.
    if (this.slice === undefined && this.decoder.bufferedBytes <= DECODE_AT_ONCE_BYTES) {
      this.decodeSlice();
      return;
    }
    this.scheduleSlice();
    this.limitInput();
  }

  /**
   * Decodes and handles frames for up to {@link SLICE_MS}; schedules the next slice
   * when more wait. When the input is used up, an end or close of the stream that
   * arrived meanwhile takes effect.
   */
  private decodeSlice(): void {
    this.slice = undefined;
    if (this.current === 'closed' || this.current === 'handed-over' || this.closedLocally || this.stopped) return;
    const deadline = performance.now() + SLICE_MS;
    let n = 0;
    for (;;) {
      if (this.held && this.current === 'established') break;
      if (n % FRAMES_PER_CLOCK_CHECK === FRAMES_PER_CLOCK_CHECK - 1 && performance.now() > deadline) {
        this.scheduleSlice();
        break;
      }
      const r = this.decoder.next();
      if (r === undefined) {
        this.inputDone();
        return;
      }
      n++;
      this.handle(r);
      // After a handshake with extensions the bytes that follow belong to another protocol.
      // Frames that arrived before the peer closed are still handled after its socket is gone.
      if (this.closedLocally || this.stopped || this.state === 'closed') return;
    }
    this.limitInput();
  }

  private scheduleSlice(): void {
    if (this.slice === undefined && this.current !== 'closed' && this.current !== 'handed-over') this.slice = setImmediate(() => this.decodeSlice());
  }

  /** Pauses the socket while the undecoded input is at its limit, resumes it below half of it. */
  private limitInput(): void {
    const buffered = this.decoder.bufferedBytes;
    if (!this.inputAtLimit && buffered >= this.maxInputBytes) {
      this.inputAtLimit = true;
      this.socket.pause();
    } else if (this.inputAtLimit && buffered < this.maxInputBytes / 2) {
      this.inputAtLimit = false;
      this.socket.resume();
    }
  }

  /** Every complete frame was handled: the socket may be read again, and a pending end or close goes on. */
  private inputDone(): void {
    this.limitInput();
    if (this.endSeen) {
      this.endSeen = false;
      this.onEndOfInput();
    }
    if (this.closeSeen) {
      this.closeSeen = false;
      this.finish();
    }
  }

  private handle(r: NativeDecodeResult): void {
    if (r.kind === 'handshake') {
      this.apply(this.handshake.receive(r.message));
    } else if (r.kind === 'operation') {
      const msg = r.message;
      if (msg.type === 'ping') {
        if (!this.socket.writable) return;
        this.socket.write(encodeOperationFrame({ type: 'pong', sender: this.options.localId, receiver: msg.sender, ttl: NATIVE_DEFAULT_TTL, topic: NATIVE_RESERVED_TOPIC, payload: msg.payload }));
      } else {
        this.emit('message', msg);
      }
    } else if (!r.fatal) {
      this.emit('dropped', r.error);
    } else if (this.handshake.pending) {
      this.apply(this.handshake.reject(r.error));
    } else {
      this.close(r.error);
    }
  }

  private apply(actions: HandshakeAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'send':
          this.socket.write(encodeHandshakeFrame(a.message));
          break;
        case 'established':
          this.clearTimer();
          this.decoder.mode = 'operation';
          this.current = 'established';
          this.stopped = this.options.extensions === true && a.remoteFilter.includes(BROKER_TS_EXTENSIONS_TOPIC);
          this.info = { remoteId: a.remoteId, remoteFilter: this.options.extensions === true ? a.remoteFilter.filter((t) => t !== BROKER_TS_EXTENSIONS_TOPIC) : a.remoteFilter, originator: a.originator, extensions: this.stopped };
          if (this.stopped) this.socket.pause();
          this.emit('established', this.info);
          break;
        case 'close':
          this.close(a.error);
          break;
      }
    }
  }

  private onEnd(): void {
    this.peerClosed = true;
    // The frames received before the end are handled first.
    if (this.decoder.bufferedBytes > 0 && !this.closedLocally && !this.stopped && !this.decoder.failed) {
      this.endSeen = true;
      this.scheduleSlice();
      return;
    }
    this.onEndOfInput();
  }

  private onEndOfInput(): void {
    const trailing = this.decoder.end();
    if (this.closedLocally) return;
    if (this.handshake.pending && this.current !== 'connecting') {
      this.apply(this.handshake.closed());
      return;
    }
    this.closeError ??= trailing?.kind === 'invalid' ? trailing.error : undefined;
    this.socket.end();
  }

  private onSocketError(e: Error): void {
    this.peerClosed = true;
    const code = this.current === 'established' ? 'unspecified' : 'peer_unavailable';
    this.closeError ??= new BrokerError(code, e.message, {}, { cause: e });
    this.socket.destroy();
  }

  private finish(): void {
    if (this.current === 'closed') return;
    if (this.endSeen && !this.closedLocally) {
      // The socket closed after the peer's end; its last frames are still to be handled.
      this.closeSeen = true;
      return;
    }
    if (this.slice !== undefined) clearImmediate(this.slice);
    this.slice = undefined;
    const beforeEstablished = this.current !== 'established';
    this.current = 'closed';
    this.clearTimer();
    const error = this.closeError ?? (beforeEstablished && !this.closedLocally ? new BrokerError('peer_unavailable', 'connection closed before the handshake completed') : undefined);
    this.emit('close', error, this.peerClosed);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
