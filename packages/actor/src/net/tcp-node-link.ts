import type { Logger } from 'pino';
import { ActorError } from '../actor-error';
import type { ActorSystem } from '../actor-system';
import { encodeEnvelopes, type EnvelopeLayout } from '../envelope-codec';
import { Envelope, EnvelopeKind } from '../envelope';
import type { ExitReason } from '../exit-reason';
import type { NodeLink } from '../node-link';
import { NetError } from './net-error';
import type { TcpConnection } from './tcp-connection';

/** Error responses made to replace unsendable responses (never replaced again). */
const REPLACEMENTS = new WeakSet<Envelope>();

/** Envelopes encoded into one DELIVER frame at most; a full batch is encoded at once. */
export const MAX_ENVELOPES_PER_FRAME = 4096;

/**
 * The runtime's `NodeLink` over one established TCP connection.
 *
 * `send` only appends the envelope to an array; once per event-loop turn the connection's
 * flush asks this link for its frames and the whole queue is encoded with
 * `encodeEnvelopes` into as few DELIVER frames as possible (one per
 * {@link MAX_ENVELOPES_PER_FRAME} envelopes), all written in one `socket.write`.
 *
 * Bound: the envelope array never holds more than {@link MAX_ENVELOPES_PER_FRAME}
 * envelopes (a full array is encoded into bytes at once); bytes are bounded by the
 * connection's `maxOutboundBytes`, whose overflow disconnects the peer.
 */
export class TcpNodeLink implements NodeLink {
  /** Node id at the other end. */
  readonly remoteNode: string;
  /** Envelopes waiting for the next flush. */
  private queue: Envelope[] = [];
  /** Whether a flush was requested since the last one. */
  private requested = false;
  /** How DELIVER bodies are framed: protocol version 1 reads only the array layout. */
  private readonly layout: EnvelopeLayout;

  /**
   * @param system - the local system (node id, dead letters)
   * @param conn - the established connection
   * @param log - the `network` logger
   */
  constructor(
    private readonly system: ActorSystem,
    private readonly conn: TcpConnection,
    private readonly log: Logger,
  ) {
    this.remoteNode = conn.remoteNode!;
    this.layout = conn.version >= 2 ? 'sequence' : 'array';
    conn.setSource(() => this.flush());
  }

  /** Queues an envelope for the remote node (never throws). */
  send(envelope: Envelope): void {
    const queue = this.queue;
    queue.push(envelope);
    if (queue.length >= MAX_ENVELOPES_PER_FRAME) this.flush();
    else if (!this.requested) {
      this.requested = true;
      this.conn.requestFlush();
    }
  }

  /**
   * Closes the connection (the router calls it at shutdown). Queued envelopes are
   * flushed first, then the peer is told GOODBYE.
   * @param reason - why; `shutdown` is sent as such, anything else as `connection_closed`
   */
  close(reason: ExitReason): void {
    const error = reason.kind === 'shutdown' ? new NetError('shutdown', 'node shutting down') : new NetError('connection_closed', `link closed (${reason.kind})`);
    this.conn.close(error);
  }

  /** Encodes every queued envelope into DELIVER frames on the connection. */
  private flush(): void {
    this.requested = false;
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    this.encode(queue);
  }

  private encode(envelopes: Envelope[]): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeEnvelopes(envelopes, this.system.nodeId, this.remoteNode, this.layout);
    } catch (e) {
      // One message cannot be encoded (a function, a class without extension...): find it.
      return this.split(envelopes, 'invalid_argument', e);
    }
    const limit = this.conn.sendLimit;
    if (bytes.length + 1 > limit) return this.split(envelopes, 'invalid_argument', new Error(`${bytes.length} bytes exceed the frame limit of ${limit}`));
    // send() copies the bytes into the batch before the encoder's buffer is reused.
    this.conn.send(bytes);
  }

  private split(envelopes: Envelope[], code: 'invalid_argument', cause: unknown): void {
    if (envelopes.length > 1) {
      const half = envelopes.length >> 1;
      this.encode(envelopes.slice(0, half));
      this.encode(envelopes.slice(half));
      return;
    }
    const env = envelopes[0];
    const detail = cause instanceof Error ? cause.message : String(cause);
    this.log.warn({ event: 'message-dropped', peer: this.remoteNode, to: env.to.key, detail }, 'envelope cannot be sent over TCP');
    if ((env.kind === EnvelopeKind.Response || env.kind === EnvelopeKind.ErrorResponse) && !REPLACEMENTS.has(env)) {
      // The requester is on the other node: answer it with an error rather than let it time out.
      const replacement = new Envelope(env.to, env.from, new ActorError(code, `response cannot be sent over TCP: ${detail}`), EnvelopeKind.ErrorResponse, env.rid);
      REPLACEMENTS.add(replacement);
      this.encode([replacement]);
      return;
    }
    this.system.deadLetter(env, code);
  }

  /** @internal errors of a decoded batch as the connection expects them */
  static decodeError(e: unknown): NetError {
    if (e instanceof NetError) return e;
    const detail = e instanceof ActorError ? e.message : String(e);
    return new NetError('malformed_message', `undecodable envelope batch: ${detail}`, { cause: e });
  }
}
