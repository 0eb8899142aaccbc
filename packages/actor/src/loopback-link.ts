/**
 * An in-process transport: two systems in one thread linked through the envelope codec.
 */
import type { ActorSystem } from './actor-system';
import type { Envelope } from './envelope';
import { decodeEnvelopes, encodeEnvelopes } from './envelope-codec';
import type { ExitReason } from './exit-reason';
import type { NodeLink } from './node-link';

/** Options for {@link connectLoopback}. */
export interface LoopbackOptions {
  /** Make the link `a`'s default route (a behaves like a worker behind b). */
  defaultForA?: boolean;
  /** Make the link `b`'s default route. */
  defaultForB?: boolean;
}

/** The two ends of a loopback connection. */
export interface LoopbackConnection {
  /**
   * Drops the connection as a lost socket would: both routers see the link go down.
   * @param cause - for the logs
   */
  disconnect(cause?: string): void;
}

/**
 * Links two systems of the same thread. Envelopes are batched per microtask and go
 * through `encodeEnvelopes`/`decodeEnvelopes` exactly like a real transport (refs are
 * rebound to the receiving system, unencodable messages fail), which makes it the
 * transport for multi-node tests without sockets or threads. Closing one end (shutdown)
 * is seen by the other end as the node going down.
 * @throws ActorError `invalid_argument` when the systems are already linked or the same
 */
export function connectLoopback(a: ActorSystem, b: ActorSystem, options: LoopbackOptions = {}): LoopbackConnection {
  const ab = new LoopbackLink(a, b.nodeId);
  const ba = new LoopbackLink(b, a.nodeId);
  ab.peer = ba;
  ba.peer = ab;
  a.router.linkUp(ab, { default: options.defaultForA });
  try {
    b.router.linkUp(ba, { default: options.defaultForB });
  } catch (e) {
    a.router.linkDown(b.nodeId, 'loopback setup failed');
    throw e;
  }
  return {
    disconnect(cause = 'disconnected') {
      ab.drop(cause);
      ba.drop(cause);
    },
  };
}

/** Envelopes per batch before an early flush (bounds the batch buffer). */
const MAX_BATCH = 1024;

/** One direction of a loopback connection. */
class LoopbackLink implements NodeLink {
  peer!: LoopbackLink;
  private batch: Envelope[] = [];
  private queued = false;
  private closed = false;

  constructor(
    private readonly system: ActorSystem,
    readonly remoteNode: string,
  ) {}

  send(envelope: Envelope): void {
    if (this.closed) {
      this.system.unroutable(envelope);
      return;
    }
    this.batch.push(envelope);
    if (this.batch.length >= MAX_BATCH) this.flush();
    else if (!this.queued) {
      this.queued = true;
      queueMicrotask(this.flush);
    }
  }

  close(reason: ExitReason): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const peer = this.peer;
    // Closed by a shutdown of its system: the other side hears of an orderly end.
    const orderly = reason.kind === 'shutdown';
    queueMicrotask(() => peer.drop('peer closed the connection', orderly));
  }

  /**
   * The connection is gone: stop and tell the own router.
   * @param orderly - ended by agreement (the other system closed it), logged at info
   */
  drop(cause: string, orderly = false): void {
    if (this.closed) return;
    this.closed = true;
    this.batch = [];
    this.system.router.linkDown(this.remoteNode, cause, orderly);
  }

  private readonly flush = (): void => {
    this.queued = false;
    if (this.closed || this.batch.length === 0) return;
    const envs = this.batch;
    this.batch = [];
    let bytes: Uint8Array;
    try {
      bytes = copyOf(encodeEnvelopes(envs, this.system.nodeId, this.remoteNode));
    } catch {
      for (const env of envs) {
        try {
          this.peer.receive(copyOf(encodeEnvelopes([env], this.system.nodeId, this.remoteNode)));
        } catch {
          this.system.deadLetter(env, 'invalid_argument');
        }
      }
      return;
    }
    this.peer.receive(bytes);
  };

  private receive(bytes: Uint8Array): void {
    if (this.closed) return;
    for (const env of decodeEnvelopes(bytes, this.system)) this.system.router.receive(env);
  }
}

/**
 * A copy of an encoded batch: the encoder reuses its buffer, and the receiver's decoded
 * byte strings are views into the batch, so each batch needs memory of its own. (A Node
 * `Buffer`'s `slice` is a view, not a copy.)
 */
function copyOf(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}
