import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NetError } from './net-error';
import { AUTH_BYTES, decodePreamble, negotiateVersion, type VersionRange, type WireMessage } from './protocol';

/** Which end of the connection this side is. */
export type HandshakeRole = 'initiator' | 'acceptor';

/** What a handshake wants sent: the raw preamble, or a message. */
export type HandshakeOutput = { preamble: VersionRange } | WireMessage;

/** Result of one handshake step. */
export interface HandshakeStep {
  /** To send to the peer, in order (possibly a REJECT before the connection is closed). */
  send: HandshakeOutput[];
  /** Set once the connection is established on this side; `peerMaxFrameSize` bounds what we may send. */
  established?: { node: string; version: number; peerMaxFrameSize: number };
  /** Set when the handshake failed: the connection must be closed (after sending `send`). */
  failed?: NetError;
}

/**
 * Decides whether a connection to `node` may go on; the place where duplicate
 * connections are resolved (see {@link PeerTable}).
 * @returns undefined to go on, or the error to refuse with
 */
export type AdmitFn = (node: string) => NetError | undefined;

/** Options of a {@link Handshake}. */
export interface HandshakeOptions {
  /** Which end this side is. */
  role: HandshakeRole;
  /** This node's id. */
  localNode: string;
  /** Versions this node speaks. */
  versions: VersionRange;
  /** Largest frame this node accepts once established (announced to the peer). */
  maxFrameSize: number;
  /** Admission check: acceptor calls it on HELLO, initiator on WELCOME. */
  admit: AdmitFn;
  /**
   * A secret shared by the nodes allowed to connect (as Erlang's cookie). With one, each
   * side proves it knows the secret with an HMAC-SHA256 over both sides' fresh random
   * challenges, node ids and role; the secret never crosses the wire. A node with a
   * secret refuses a peer without one (`authentication_failed`).
   */
  secret?: Uint8Array;
  /** Source of the challenges (default `crypto.randomBytes`); tests inject their own. */
  random?: (size: number) => Uint8Array;
}

type Phase = 'idle' | 'preamble' | 'hello' | 'welcome' | 'ready' | 'established' | 'failed';

/**
 * The connection handshake as an I/O-free state machine, fed the peer's preamble and
 * messages and answering with what to send.
 *
 * ```
 * initiator                         acceptor
 *   preamble, HELLO(node)  ───────▶   checks magic, version overlap, self, admit()
 *                          ◀───────   preamble, WELCOME(node, version) | REJECT(reason)
 *   checks version, self, admit()
 *   READY | REJECT(reason) ───────▶   established on READY
 *   established
 * ```
 *
 * The acceptor decides first, the initiator last; the side that refuses sends REJECT
 * with the reason, so both ends log the same reason.
 */
export class Handshake {
  /** Where the handshake stands. */
  private phase: Phase = 'idle';
  /** Version agreed from the preambles. */
  private version = 0;
  /** Whether this side's preamble is already queued. */
  private preambleSent = false;
  /** Peer's node id, once known. */
  private remote: string | undefined;
  /** Largest frame the peer accepts, from its HELLO or WELCOME. */
  private peerMaxFrameSize = 0;
  /** This side's challenge, and the peer's (shared-secret handshakes only). */
  private ownNonce: Uint8Array | undefined;
  private peerNonce: Uint8Array | undefined;

  /** @param options - role, identity, versions and admission check */
  constructor(private readonly options: HandshakeOptions) {}

  /** Which end this side is. */
  get role(): HandshakeRole {
    return this.options.role;
  }

  /** Peer's node id once it has said it (also on failure, when known). */
  get remoteNode(): string | undefined {
    return this.remote;
  }

  /** Whether the handshake has completed successfully. */
  get isEstablished(): boolean {
    return this.phase === 'established';
  }

  /** Whether the handshake has finished, successfully or not. */
  get isDone(): boolean {
    return this.phase === 'established' || this.phase === 'failed';
  }

  /** Starts: the initiator speaks first, the acceptor waits. */
  start(): HandshakeStep {
    this.expectPhase('idle', 'start');
    this.phase = 'preamble';
    if (this.options.role === 'acceptor') return { send: [] };
    this.preambleSent = true;
    const hello: WireMessage = { kind: 'hello', node: this.options.localNode, maxFrameSize: this.options.maxFrameSize };
    if (this.options.secret !== undefined) hello.nonce = this.ownNonce = this.nonce();
    return { send: [{ preamble: this.options.versions }, hello] };
  }

  /**
   * Feeds the peer's preamble (magic already checked by the frame decoder).
   * @param bytes - the preamble bytes
   */
  onPreamble(bytes: Uint8Array): HandshakeStep {
    if (this.phase !== 'preamble') return this.fail(new NetError('malformed_message', `unexpected preamble in phase ${this.phase}`));
    let remote: VersionRange;
    try {
      remote = decodePreamble(bytes);
    } catch (e) {
      return this.fail(e as NetError);
    }
    const version = negotiateVersion(this.options.versions, remote);
    if (version === undefined) {
      const local = this.options.versions;
      return this.fail(new NetError('unsupported_version', `peer speaks ${remote.min}..${remote.max}, this node ${local.min}..${local.max}`));
    }
    this.version = version;
    this.phase = this.options.role === 'acceptor' ? 'hello' : 'welcome';
    return { send: [] };
  }

  /**
   * Feeds one decoded message from the peer.
   * @param message - the message
   */
  onMessage(message: WireMessage): HandshakeStep {
    if (message.kind === 'reject' && !this.isDone) {
      if (message.node !== undefined) this.remote = message.node;
      this.phase = 'failed';
      return { send: [], failed: message.error };
    }
    switch (this.phase) {
      case 'hello':
        if (message.kind === 'hello') {
          this.peerMaxFrameSize = message.maxFrameSize;
          this.peerNonce = message.nonce;
          return this.onHello(message.node);
        }
        break;
      case 'welcome':
        if (message.kind === 'welcome') {
          this.peerMaxFrameSize = message.maxFrameSize;
          this.peerNonce = message.nonce;
          return this.onWelcome(message.node, message.version, message.proof);
        }
        break;
      case 'ready':
        if (message.kind === 'ready') {
          if (this.options.secret !== undefined && !this.proves(message.proof, 'initiator', this.remote!)) {
            return this.fail(new NetError('authentication_failed', `node ${this.remote} did not prove the shared secret`));
          }
          this.phase = 'established';
          return { send: [], established: { node: this.remote!, version: this.version, peerMaxFrameSize: this.peerMaxFrameSize } };
        }
        break;
      default:
        break;
    }
    return this.fail(new NetError('malformed_message', `unexpected ${message.kind} in handshake phase ${this.phase}`));
  }

  /**
   * Fails the handshake from outside (timeout, socket closed).
   * @param error - why
   * @returns what to send before closing
   */
  abort(error: NetError): HandshakeStep {
    if (this.isDone) return { send: [] };
    return this.fail(error);
  }

  private onHello(node: string): HandshakeStep {
    this.remote = node;
    if (this.options.secret !== undefined && this.peerNonce === undefined) {
      return this.fail(new NetError('authentication_failed', `node ${node} has no shared secret; this node requires one`));
    }
    const refusal = node === this.options.localNode ? new NetError('self_connection', `node ${node} connected to itself`) : this.options.admit(node);
    if (refusal) return this.fail(refusal);
    this.phase = 'ready';
    const welcome: WireMessage = { kind: 'welcome', node: this.options.localNode, version: this.version, maxFrameSize: this.options.maxFrameSize };
    if (this.options.secret !== undefined) {
      welcome.nonce = this.ownNonce = this.nonce();
      welcome.proof = this.proof('acceptor', this.options.localNode, node);
    }
    return { send: [...this.takePreamble(), welcome] };
  }

  private onWelcome(node: string, version: number, proof: Uint8Array | undefined): HandshakeStep {
    this.remote = node;
    if (version !== this.version) {
      return this.fail(new NetError('unsupported_version', `peer chose version ${version}, expected ${this.version}`));
    }
    if (this.options.secret !== undefined && !this.proves(proof, 'acceptor', node)) {
      return this.fail(new NetError('authentication_failed', `node ${node} did not prove the shared secret`));
    }
    const refusal = node === this.options.localNode ? new NetError('self_connection', `node ${node} connected to itself`) : this.options.admit(node);
    if (refusal) return this.fail(refusal);
    this.phase = 'established';
    const ready: WireMessage = this.options.secret === undefined ? { kind: 'ready' } : { kind: 'ready', proof: this.proof('initiator', this.options.localNode, node) };
    return { send: [ready], established: { node, version, peerMaxFrameSize: this.peerMaxFrameSize } };
  }

  private nonce(): Uint8Array {
    return (this.options.random ?? randomBytes)(AUTH_BYTES);
  }

  /**
   * HMAC-SHA256 of the secret over the role of the prover, its node id, the other's node
   * id and both challenges (the initiator's first): bound to this connection, never valid
   * for the other direction or a replay.
   */
  private proof(role: HandshakeRole, prover: string, verifier: string): Uint8Array {
    const mine = this.options.role === 'initiator';
    const initiatorNonce = mine ? this.ownNonce : this.peerNonce;
    const acceptorNonce = mine ? this.peerNonce : this.ownNonce;
    const mac = createHmac('sha256', this.options.secret!);
    mac.update(`broker-ts/actor-tcp/${role}\0${prover}\0${verifier}\0`);
    mac.update(initiatorNonce ?? new Uint8Array(0));
    mac.update(acceptorNonce ?? new Uint8Array(0));
    return mac.digest();
  }

  /** Whether `proof` is the peer's proof, as `role`, for this connection. */
  private proves(proof: Uint8Array | undefined, role: HandshakeRole, prover: string): boolean {
    if (proof === undefined || this.peerNonce === undefined || this.ownNonce === undefined) return false;
    const expected = this.proof(role, prover, this.options.localNode);
    return proof.length === expected.length && timingSafeEqual(proof, expected);
  }

  private takePreamble(): HandshakeOutput[] {
    if (this.preambleSent) return [];
    this.preambleSent = true;
    return [{ preamble: this.options.versions }];
  }

  private fail(error: NetError): HandshakeStep {
    const canTalk = this.phase !== 'idle';
    this.phase = 'failed';
    // The peer can only parse our REJECT after our preamble; the acceptor owes it one.
    const send: HandshakeOutput[] = canTalk ? [...this.takePreamble(), { kind: 'reject', error, node: this.options.localNode }] : [];
    return { send, failed: error };
  }

  private expectPhase(phase: Phase, what: string): void {
    if (this.phase !== phase) throw new Error(`Handshake.${what} called in phase ${this.phase}`);
  }
}
