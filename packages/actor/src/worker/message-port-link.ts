/**
 * A node link over a worker_threads MessagePort (or a Worker), batching envelopes.
 */
import type { Logger } from 'pino';
import type { ActorSystem } from '../actor-system';
import { decodeEnvelopes, encodeEnvelopes } from '../envelope-codec';
import type { Envelope } from '../envelope';
import type { ExitReason } from '../exit-reason';
import type { NodeLink } from '../node-link';

/** The part of `MessagePort` / `Worker` the link uses. */
export interface PortLike {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** Options for {@link MessagePortLink}. */
export interface MessagePortLinkOptions {
  /** Envelopes per postMessage before an early flush (default 1024). */
  maxBatch?: number;
}

/** What a forwarded batch looks like on the port: bytes encoded for node `fwd`. */
interface ForwardedBatch {
  fwd: string;
  bytes: Uint8Array;
}

/**
 * A {@link NodeLink} over a MessagePort. Envelopes sent during one synchronous stretch
 * (typically one scheduler drain) are encoded together with cbor-x, one batch per
 * destination node, and posted on a microtask (or at once when `maxBatch` envelopes are
 * pending, which bounds the buffer). Each batch is copied once into a tight buffer and
 * transferred. A batch for a node behind the other end (a sibling worker reached through
 * the parent) is encoded for that node and posted as `{ fwd, bytes }`: the parent hands
 * the bytes on with {@link MessagePortLink.sendBatch} without decoding them.
 * Undecodable input is logged (`decode-failed`) and dropped.
 */
export class MessagePortLink implements NodeLink {
  /** Pending envelopes per destination node, in send order. */
  private batches = new Map<string, Envelope[]>();
  private pending = 0;
  private flushQueued = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly log: Logger;

  /**
   * @param system - the local system (incoming envelopes go to its router)
   * @param port - the port or worker to talk through
   * @param remoteNode - node id at the other end
   */
  constructor(
    private readonly system: ActorSystem,
    private readonly port: PortLike,
    readonly remoteNode: string,
    options: MessagePortLinkOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1024;
    this.log = system.loggerFor('worker');
    port.on('message', this.onMessage);
  }

  /** Queues an envelope; flushed on a microtask or when `maxBatch` are pending. */
  send(envelope: Envelope): void {
    if (this.closed) {
      this.system.unroutable(envelope);
      return;
    }
    const node = envelope.to.node;
    let batch = this.batches.get(node);
    if (batch === undefined) {
      batch = [];
      this.batches.set(node, batch);
    }
    batch.push(envelope);
    if (++this.pending >= this.maxBatch) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Posts a batch already encoded for {@link MessagePortLink.remoteNode} (by the node
   * that sent it), without decoding it.
   */
  sendBatch(bytes: Uint8Array): void {
    if (this.closed) {
      let envs: Envelope[] = [];
      try {
        envs = decodeEnvelopes(bytes, this.system);
      } catch {
        // Undecodable and undeliverable: nothing to answer.
      }
      for (const env of envs) this.system.unroutable(env);
      return;
    }
    this.transfer(bytes, null);
  }

  /** Flushes what is queued and stops listening. Idempotent. */
  close(_reason?: ExitReason): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.port.off('message', this.onMessage);
  }

  /** Posts the queued envelopes, one batch per destination node. */
  readonly flush = (): void => {
    this.flushQueued = false;
    if (this.pending === 0 || this.closed) return;
    const batches = this.batches;
    this.batches = new Map();
    this.pending = 0;
    for (const [node, envs] of batches) this.postBatch(node, envs);
  };

  private postBatch(node: string, envs: Envelope[]): void {
    const fwd = node === this.remoteNode ? null : node;
    try {
      this.transfer(encodeEnvelopes(envs, this.system.nodeId, node).slice(), fwd);
    } catch {
      // One message could not be encoded: isolate it so that the others still go out.
      for (const env of envs) {
        let bytes: Uint8Array;
        try {
          bytes = encodeEnvelopes([env], this.system.nodeId, node).slice();
        } catch (e) {
          this.log.error({ event: 'encode-failed', to: env.to.key, err: e }, 'message cannot cross the thread boundary');
          this.system.deadLetter(env, 'invalid_argument');
          continue;
        }
        this.transfer(bytes, fwd);
      }
    }
  }

  /** Posts bytes this link owns (transferring their buffer when they span all of it). */
  private transfer(bytes: Uint8Array, fwd: string | null): void {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const list = [own.buffer as ArrayBuffer];
    if (fwd === null) this.port.postMessage(own, list);
    else this.port.postMessage({ fwd, bytes: own } satisfies ForwardedBatch, list);
  }

  private readonly onMessage = (data: unknown): void => {
    if (!(data instanceof Uint8Array)) {
      const f = data as ForwardedBatch | null;
      if (typeof f === 'object' && f !== null && typeof f.fwd === 'string' && f.bytes instanceof Uint8Array) this.system.router.forwardBatch(f.fwd, f.bytes);
      else this.log.warn({ event: 'decode-failed', node: this.remoteNode, reason: 'not a byte batch' }, 'dropped a message that is not an envelope batch');
      return;
    }
    let envs: Envelope[];
    try {
      envs = decodeEnvelopes(data, this.system);
    } catch (e) {
      this.log.warn({ event: 'decode-failed', node: this.remoteNode, err: e }, 'dropped an undecodable batch');
      return;
    }
    const router = this.system.router;
    for (const env of envs) router.receive(env);
  };
}
