/**
 * The handshake of Broker's native protocol as an I/O-free state machine, after
 * `connect_state` in libbroker/broker/internal/connector.cc. It is fed decoded handshake
 * messages, decode failures, timeouts and the end of the stream, and answers with
 * actions (messages to send, the established peering, or closing) as data.
 *
 * The sequence: the accepting side sends PROBE, the connecting side HELLO. Whoever has
 * the smaller endpoint id becomes the originator, whichever side connected: a node
 * that receives a HELLO from a larger id answers VERSION_SELECT and ORIGINATOR_SYN; a
 * node that receives a HELLO from a smaller id answers with its own HELLO. The responder
 * answers ORIGINATOR_SYN with RESPONDER_SYN_ACK, and the originator ends with
 * ORIGINATOR_ACK.
 */
import { BrokerError, errorCodeName, ErrorCode } from '@broker-ts/data';
import { compareEndpointIds } from './endpoint-id';
import { type HandshakeMessage, NATIVE_MAGIC, NATIVE_PROTOCOL_VERSION } from './native-message';

/** What the owner of a {@link NativeHandshake} must do next, in order. */
export type HandshakeAction =
  /** Write this message to the peer. */
  | { type: 'send'; message: HandshakeMessage }
  /** The handshake completed: switch to operation messages. */
  | { type: 'established'; remoteId: string; remoteFilter: string[]; originator: boolean }
  /** Close the connection (after writing what was queued before); the peering failed. */
  | { type: 'close'; error: BrokerError };

/** Where a {@link NativeHandshake} stands. */
export type HandshakeState =
  | 'idle'
  | 'await_hello_or_version_select'
  | 'await_hello'
  | 'await_version_select'
  | 'await_orig_syn'
  | 'await_resp_syn_ack'
  | 'await_orig_ack'
  | 'established'
  | 'failed';

/** Options of a {@link NativeHandshake}. */
export interface NativeHandshakeOptions {
  /** This endpoint's id (UUID text). */
  localId: string;
  /** `connector` opened the connection (sends HELLO first), `acceptor` accepted it (sends PROBE). */
  role: 'connector' | 'acceptor';
  /** This endpoint's subscriptions, read when the filter is sent. */
  filter: () => readonly string[];
  /**
   * Asked once the remote id is known and this side is about to proceed (as Broker's
   * `proceed_with_handshake`): return an error to refuse, e.g. `redundant_connection`
   * for an endpoint already peered. The refusal is sent as DROP_CONN. Default: admit.
   */
  admit?: (remoteId: string, originator: boolean) => BrokerError | undefined;
}

/** The handshake of one connection. */
export class NativeHandshake {
  /** Current state. */
  private current: HandshakeState = 'idle';
  /** The peer's endpoint id, once known. */
  private peerId: string | undefined;
  /** The peer's filter, once received. */
  private peerFilter: string[] = [];
  /** Whether this side is the originator, once decided. */
  private isOriginator: boolean | undefined;

  /** @param options - identity, role, filter and admission */
  constructor(private readonly options: NativeHandshakeOptions) {}

  /** The current state. */
  get state(): HandshakeState {
    return this.current;
  }

  /** The peer's endpoint id, once a HELLO or VERSION_SELECT named it. */
  get remoteId(): string | undefined {
    return this.peerId;
  }

  /** Whether this side is the originator (undefined until decided). */
  get originator(): boolean | undefined {
    return this.isOriginator;
  }

  /** True while messages are still expected. */
  get pending(): boolean {
    return this.current !== 'established' && this.current !== 'failed';
  }

  /**
   * Starts the handshake: the acceptor sends PROBE, the connector HELLO.
   * @returns the actions
   */
  start(): HandshakeAction[] {
    if (this.current !== 'idle') return this.fail('invalid_handshake_state', 'handshake already started');
    if (this.options.role === 'acceptor') {
      this.current = 'await_hello';
      return [this.send({ type: 'probe', magic: NATIVE_MAGIC })];
    }
    this.current = 'await_hello_or_version_select';
    return [this.send(this.hello())];
  }

  /**
   * Feeds one decoded handshake message.
   * @param msg - the message
   * @returns the actions
   */
  receive(msg: HandshakeMessage): HandshakeAction[] {
    if (!this.pending || this.current === 'idle') return this.fail('invalid_handshake_state', `received ${msg.type} in state ${this.current}`);
    if (msg.type === 'drop_conn') return this.dropped(msg.code, msg.description, msg.senderId);
    switch (this.current) {
      case 'await_hello_or_version_select':
        if (msg.type === 'hello') return this.onHello(msg.senderId, msg.minVersion);
        if (msg.type === 'version_select') return this.onVersionSelect(msg.senderId, msg.selectedVersion);
        if (msg.type === 'probe') return [];
        break;
      case 'await_hello':
        if (msg.type === 'hello') return this.onHello(msg.senderId, msg.minVersion);
        if (msg.type === 'probe') return [];
        break;
      case 'await_version_select':
        if (msg.type === 'version_select') return this.onVersionSelect(msg.senderId, msg.selectedVersion);
        if (msg.type === 'probe') return [];
        break;
      case 'await_orig_syn':
        if (msg.type === 'originator_syn') {
          this.peerFilter = [...msg.filter];
          this.current = 'await_orig_ack';
          return [this.send({ type: 'responder_syn_ack', filter: [...this.options.filter()] })];
        }
        break;
      case 'await_resp_syn_ack':
        if (msg.type === 'responder_syn_ack') {
          this.peerFilter = [...msg.filter];
          return [this.send({ type: 'originator_ack' }), this.established()];
        }
        break;
      case 'await_orig_ack':
        if (msg.type === 'originator_ack') return [this.established()];
        break;
    }
    // Broker drops the connection without a DROP_CONN for a message out of order.
    return this.fail('unexpected_handshake_message', `unexpected ${msg.type} in state ${this.current}`);
  }

  /**
   * Feeds a frame that did not decode: Broker answers with DROP_CONN carrying the
   * decoder's error code and description, then closes.
   * @param error - the decode error (code and message as Broker reports them)
   * @returns the actions
   */
  reject(error: BrokerError): HandshakeAction[] {
    if (!this.pending) return [];
    this.current = 'failed';
    return [this.send(this.dropConn(error.ec, error.message)), { type: 'close', error }];
  }

  /**
   * The handshake took too long (the owner's timer): close without a message.
   * @returns the actions
   */
  timeout(): HandshakeAction[] {
    if (!this.pending) return [];
    return this.fail('peer_timeout', `handshake timed out in state ${this.current}`);
  }

  /**
   * The peer closed the stream.
   * @returns the actions
   */
  closed(): HandshakeAction[] {
    if (!this.pending) return [];
    return this.fail('peer_disconnect_during_handshake', `peer closed the connection in state ${this.current}`);
  }

  private hello(): HandshakeMessage {
    return { type: 'hello', magic: NATIVE_MAGIC, senderId: this.options.localId, minVersion: NATIVE_PROTOCOL_VERSION, maxVersion: NATIVE_PROTOCOL_VERSION };
  }

  private onHello(senderId: string, minVersion: number): HandshakeAction[] {
    if (minVersion > NATIVE_PROTOCOL_VERSION) return this.refuse(new BrokerError('peer_incompatible', 'version range not supported'));
    const order = compareEndpointIds(this.options.localId, senderId);
    if (order === 0) return this.refuse(new BrokerError('peer_invalid', 'peer uses this endpoint\'s own id'));
    if (order < 0) {
      // The smaller id originates.
      this.peerId = senderId;
      this.isOriginator = true;
      const refusal = this.options.admit?.(senderId, true);
      if (refusal) return this.refuse(refusal);
      this.current = 'await_resp_syn_ack';
      return [
        this.send({ type: 'version_select', magic: NATIVE_MAGIC, senderId: this.options.localId, selectedVersion: NATIVE_PROTOCOL_VERSION }),
        this.send({ type: 'originator_syn', filter: [...this.options.filter()] }),
      ];
    }
    this.current = 'await_version_select';
    return [this.send(this.hello())];
  }

  private onVersionSelect(senderId: string, version: number): HandshakeAction[] {
    if (version !== NATIVE_PROTOCOL_VERSION) return this.refuse(new BrokerError('peer_incompatible', 'selected version not supported'));
    this.peerId = senderId;
    this.isOriginator = false;
    const refusal = this.options.admit?.(senderId, false);
    if (refusal) return this.refuse(refusal);
    this.current = 'await_orig_syn';
    return [];
  }

  private dropped(code: number, description: string, senderId: string): HandshakeAction[] {
    this.current = 'failed';
    const name = errorCodeName(code) ?? 'unspecified';
    return [{ type: 'close', error: new BrokerError(name, description, { remoteId: senderId, dropConn: true }) }];
  }

  private established(): HandshakeAction {
    this.current = 'established';
    return { type: 'established', remoteId: this.peerId!, remoteFilter: this.peerFilter, originator: this.isOriginator! };
  }

  private dropConn(code: number, description: string): HandshakeMessage {
    return { type: 'drop_conn', magic: NATIVE_MAGIC, senderId: this.options.localId, code, description };
  }

  /** Sends DROP_CONN with `error` and closes. */
  private refuse(error: BrokerError): HandshakeAction[] {
    this.current = 'failed';
    return [this.send(this.dropConn(ErrorCode[error.code], error.message)), { type: 'close', error }];
  }

  /** Closes without a message. */
  private fail(code: BrokerError['code'], message: string): HandshakeAction[] {
    this.current = 'failed';
    return [{ type: 'close', error: new BrokerError(code, message) }];
  }

  private send(message: HandshakeMessage): HandshakeAction {
    return { type: 'send', message };
  }
}
